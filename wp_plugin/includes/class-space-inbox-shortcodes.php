<?php
/**
 * The plugin's shortcodes: [space_inbox] (the member's inbox: the page the plugin creates
 * on activation) and [space_inbox_button id="123"] (a Space's Message button).
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders the plugin's shortcodes.
 */
final class Space_Inbox_Shortcodes {

	/**
	 * [space_inbox]: the member's inbox; for a visitor, a link to log in and come back.
	 *
	 * @return string
	 */
	public static function inbox() {
		if ( ! is_user_logged_in() ) {
			Space_Inbox_Assets::enqueue_badge(); // The button's styles.
			$back  = get_permalink();
			$space = isset( $_GET['space'] ) ? absint( $_GET['space'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a link target, not an action.
			if ( $back && $space ) {
				$back = add_query_arg( 'space', $space, $back );
			}
			return sprintf(
				'<p class="space-inbox-login"><a class="space-inbox-button" href="%1$s">%2$s</a></p>',
				esc_url( wp_login_url( $back ? $back : '' ) ),
				esc_html__( 'Log in to see your Space messages', 'space-inbox' )
			);
		}
		return Space_Inbox_Container::html( 'front' );
	}

	/**
	 * [space_inbox_button id="123"]: the Message button of a Space (default: this post).
	 *
	 * @param array|string $atts Shortcode attributes.
	 * @return string
	 */
	public static function button( $atts ) {
		$atts = shortcode_atts( array( 'id' => 0 ), $atts, 'space_inbox_button' );
		return Space_Inbox_Message_Button::html( absint( $atts['id'] ) );
	}
}
