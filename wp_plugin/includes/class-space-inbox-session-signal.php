<?php
/**
 * Tells the site's other tabs in the same browser that the user logged out, so that an
 * open inbox says so at once (and keeps the draft) instead of at its next poll.
 *
 * A logout, by whatever link (wp-login.php, BuddyPress, BuddyBoss, a theme's), leaves a
 * short-lived cookie; the next page WordPress serves to the now logged-out browser (the
 * login screen, or wherever the logout led) posts "logged-out" on the `space-inbox`
 * BroadcastChannel and removes the cookie (in the page: a request that is not a page, an
 * AJAX call say, leaves the cookie for the page). The inboxes only take it as a cue to ask the
 * bridge about their own session: the message proves nothing by itself.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The logout cue for the site's other tabs.
 */
final class Space_Inbox_Session_Signal {

	/** The cookie a logout leaves for the next page. */
	const COOKIE = 'space_inbox_logged_out';

	/** Seconds the cookie lasts: the redirect after a logout comes at once. */
	const LIFETIME = 60;

	/**
	 * Adds the hooks.
	 *
	 * @return void
	 */
	public static function init() {
		add_action( 'wp_logout', array( __CLASS__, 'on_logout' ) );
		add_action( 'init', array( __CLASS__, 'maybe_signal' ) );
	}

	/**
	 * A logout: leave the cue for the page that follows.
	 *
	 * @return void
	 */
	public static function on_logout() {
		if ( ! headers_sent() ) {
			setcookie( self::COOKIE, '1', time() + self::LIFETIME, self::path(), COOKIE_DOMAIN, is_ssl(), false );
		}
	}

	/**
	 * A request after a logout: a page prints the cue in its footer.
	 *
	 * @return void
	 */
	public static function maybe_signal() {
		if ( empty( $_COOKIE[ self::COOKIE ] ) || is_user_logged_in() ) {
			return;
		}
		add_action( 'wp_footer', array( __CLASS__, 'print_signal' ) );
		add_action( 'login_footer', array( __CLASS__, 'print_signal' ) );
	}

	/**
	 * The cue itself: it tells the other tabs, then removes the cookie.
	 *
	 * @return void
	 */
	public static function print_signal() {
		$forget = self::COOKIE . '=; Max-Age=0; path=' . self::path() . ( COOKIE_DOMAIN ? '; domain=' . COOKIE_DOMAIN : '' );
		wp_print_inline_script_tag( 'try{new BroadcastChannel("space-inbox").postMessage("logged-out")}catch(e){}document.cookie=' . wp_json_encode( $forget ) . ';' );
	}

	/**
	 * The cookie's path: WordPress' own for its login cookies.
	 *
	 * @return string
	 */
	private static function path() {
		return COOKIEPATH ? COOKIEPATH : '/';
	}
}
