<?php
/**
 * Web Push: the site's VAPID keys, and the service worker that shows the pushes.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Web Push's WordPress side.
 *
 * - The site's VAPID key pair (RFC 8292), made on activation (and on the first request
 *   that finds none), kept in options like the shared secret: the bridge signs every push
 *   with the private key; browsers subscribe with the public one.
 * - The service worker, served from the site's own origin (`/?space-inbox-worker=1`,
 *   registered with the inbox page's path as its scope): it shows a push as a notification,
 *   in the site's language, and a click opens the conversation.
 *
 * Members and admins turn pushes on per device from their inbox (push-device.js); the
 * bridge keeps the subscriptions and sends.
 */
final class Space_Inbox_Push {

	/** The public key: the uncompressed P-256 point, base64url. */
	const OPTION_PUBLIC = 'space_inbox_vapid_public';

	/** The private key: its 32 bytes, base64url. */
	const OPTION_PRIVATE = 'space_inbox_vapid_private';

	/** The query variable the service worker is served at. */
	const WORKER_QUERY = 'space-inbox-worker';

	/**
	 * Make the key pair unless the site has one.
	 *
	 * @return bool Whether the site has keys now.
	 */
	public static function ensure_keys() {
		if ( self::public_key() && get_option( self::OPTION_PRIVATE ) ) {
			return true;
		}
		if ( ! function_exists( 'openssl_pkey_new' ) ) {
			return false;
		}
		$key = openssl_pkey_new(
			array(
				'private_key_type' => OPENSSL_KEYTYPE_EC,
				'curve_name'       => 'prime256v1',
			)
		);
		$details = $key ? openssl_pkey_get_details( $key ) : false;
		if ( ! $details || empty( $details['ec']['d'] ) ) {
			return false;
		}
		$ec = $details['ec'];
		// OpenSSL drops the leading zero bytes of each number: each is 32 bytes long.
		$pad     = static function ( $bytes ) {
			return str_pad( $bytes, 32, "\0", STR_PAD_LEFT );
		};
		$public  = "\x04" . $pad( $ec['x'] ) . $pad( $ec['y'] );
		$private = $pad( $ec['d'] );
		update_option( self::OPTION_PRIVATE, self::base64url( $private ), false );
		update_option( self::OPTION_PUBLIC, self::base64url( $public ) ); // Read on every page.
		return true;
	}

	/**
	 * The public key browsers subscribe with, or '' while there is none.
	 *
	 * @return string
	 */
	public static function public_key() {
		return (string) get_option( self::OPTION_PUBLIC, '' );
	}

	/**
	 * What the modules need to turn pushes on (spaceInboxConfig.push), or null without keys.
	 *
	 * @return array|null `key`, `worker` (its URL), `scope`.
	 */
	public static function config() {
		if ( '' === self::public_key() && ! self::ensure_keys() ) {
			return null;
		}
		$inbox = (string) wp_parse_url( Space_Inbox_Options::inbox_url(), PHP_URL_PATH );
		return array(
			'key'    => self::public_key(),
			'worker' => add_query_arg( self::WORKER_QUERY, '1', home_url( '/' ) ),
			'scope'  => '' !== $inbox ? trailingslashit( $inbox ) : '/',
		);
	}

	/**
	 * Serve the service worker (`init`), with the words of its notifications.
	 *
	 * @return void
	 */
	public static function maybe_serve_worker() {
		if ( ! isset( $_GET[ self::WORKER_QUERY ] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a public script.
			return;
		}
		$words = array(
			/* translators: %s: name of the Space. */
			'member_message' => __( 'New message for %s', 'space-inbox' ),
			/* translators: %s: name of the Space. */
			'space_reply'    => __( '%s answered you', 'space-inbox' ),
			/* translators: 1: member's display name, 2: the message's first words. */
			'from'           => __( '%1$s: %2$s', 'space-inbox' ),
		);
		$script = (string) file_get_contents( SPACE_INBOX_DIR . 'assets/service-worker.js' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a file of the plugin.
		nocache_headers();
		header( 'Content-Type: text/javascript; charset=utf-8' );
		header( 'X-Content-Type-Options: nosniff' );
		echo 'self.spaceInboxWords = ' . wp_json_encode( $words ) . ";\n" . $script; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON and the plugin's own script.
		exit;
	}

	/**
	 * Add the keys' test to Site Health (filter `site_status_tests`).
	 *
	 * @param array $tests The tests, `direct` and `async`.
	 * @return array
	 */
	public static function site_health( $tests ) {
		$tests['direct']['space_inbox_push'] = array(
			'label' => __( 'Space Inbox push notifications', 'space-inbox' ),
			'test'  => array( __CLASS__, 'test_keys' ),
		);
		return $tests;
	}

	/**
	 * Test (direct): the site has its VAPID keys (made now if it can).
	 *
	 * @return array A Site Health result.
	 */
	public static function test_keys() {
		if ( self::ensure_keys() ) {
			return Space_Inbox_Site_Health::result(
				'push',
				'good',
				__( 'Space Inbox can sign push notifications', 'space-inbox' ),
				__( 'The site has its Web Push keys: members and Space admins can have their devices notified (“Notify me on this device” in their inbox).', 'space-inbox' )
			);
		}
		return Space_Inbox_Site_Health::result(
			'push',
			'recommended',
			__( 'Space Inbox cannot sign push notifications', 'space-inbox' ),
			__( 'The site has no Web Push keys, and PHP cannot make them (its OpenSSL extension is missing or makes no P-256 keys): no device can be notified. E-mail and the site’s own notifications still work.', 'space-inbox' )
		);
	}

	/**
	 * Base64url without padding (RFC 4648 5), as Web Push writes keys.
	 *
	 * @param string $bytes Raw bytes.
	 * @return string
	 */
	private static function base64url( $bytes ) {
		return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode -- the key's encoding.
	}
}
