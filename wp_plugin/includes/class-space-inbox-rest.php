<?php
/**
 * REST routes of the plugin (namespace space-inbox/v1).
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * - `POST /notify`: notification jobs from the bridge, signed with the shared secret.
 * - `POST /resync`: one page of "Resync all Spaces" (manage_options).
 * - `GET /translations/<module>`: the translations of a module a page loads later (and of
 *   those it imports), for logged-in users.
 */
final class Space_Inbox_REST {

	/** Namespace of every route. */
	const NAMESPACE_V1 = 'space-inbox/v1';

	/** Most seconds between a signed call's timestamp and this server's clock. */
	const MAX_SKEW = Space_Inbox_Limits::SIGNATURE_MAX_SKEW;

	/** Transient name prefix of a signed call's request id, seen (plus the id). */
	const SEEN_REQUEST_PREFIX = 'space_inbox_req_';

	/**
	 * Register the routes.
	 *
	 * @return void
	 */
	public static function register_routes() {
		register_rest_route(
			self::NAMESPACE_V1,
			'/notify',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'notify' ),
				'permission_callback' => array( __CLASS__, 'check_signature' ),
				'args'                => array(
					'jobs' => array(
						'description' => __( 'Notification jobs.', 'space-inbox' ),
						'type'        => 'array',
						'required'    => true,
						'minItems'    => 1,
						'maxItems'    => 500,
						'items'       => array(
							'type'       => 'object',
							'required'   => array( 'id', 'kind', 'user_id' ),
							'properties' => array(
								'id'         => array(
									'type'    => 'integer',
									'minimum' => 1,
								),
								'kind'       => array( 'type' => 'string' ),
								'user_id'    => array(
									'type'    => 'integer',
									'minimum' => 0,
								),
								'created_at' => array( 'type' => 'string' ),
								'data'       => array( 'type' => 'object' ),
							),
						),
					),
				),
			)
		);

		register_rest_route(
			self::NAMESPACE_V1,
			'/resync',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'resync' ),
				'permission_callback' => array( __CLASS__, 'check_manage_options' ),
				'args'                => array(
					'page' => array(
						'description' => __( 'Page of Spaces to queue, from 1.', 'space-inbox' ),
						'type'        => 'integer',
						'minimum'     => 1,
						'default'     => 1,
					),
				),
			)
		);

		register_rest_route(
			self::NAMESPACE_V1,
			'/translations/(?P<module>[a-z-]+)',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'translations' ),
				'permission_callback' => array( __CLASS__, 'check_logged_in' ),
				'args'                => array(
					'module' => array(
						'description' => __( 'A module of the inbox, by its file name without ".js".', 'space-inbox' ),
						'type'        => 'string',
						'enum'        => array_keys( Space_Inbox_Assets::MODULES ),
						'required'    => true,
					),
				),
			)
		);
	}

	/**
	 * Where a page fetches a module's translations, in the language the page is in (the
	 * user's in wp-admin, the site's elsewhere, as WordPress chooses for printed modules).
	 *
	 * @param string $module A module's name.
	 * @return string
	 */
	public static function translations_url( $module ) {
		$url = rest_url( self::NAMESPACE_V1 . '/translations/' . $module );
		return is_admin() ? add_query_arg( '_locale', 'user', $url ) : $url;
	}

	/* -- Permissions ------------------------------------------------------------------- */

	/**
	 * The inboxes' translations are for logged-in users (their pages send the REST nonce).
	 *
	 * @return true|WP_Error
	 */
	public static function check_logged_in() {
		if ( is_user_logged_in() ) {
			return true;
		}
		return new WP_Error( 'space_inbox_not_logged_in', __( 'You are not logged in.', 'space-inbox' ), array( 'status' => 401 ) );
	}

	/**
	 * Accept only calls signed by the bridge for this route, with a fresh timestamp and a
	 * request id not seen before (kept as a transient while its timestamp is fresh).
	 *
	 * @param WP_REST_Request $request Request.
	 * @return true|WP_Error 401 when unsigned, 403 when the signature is wrong, stale or
	 *                       replayed.
	 */
	public static function check_signature( WP_REST_Request $request ) {
		$request_id = (string) $request->get_header( 'x_space_inbox_request' );
		$timestamp  = (string) $request->get_header( 'x_space_inbox_timestamp' );
		$signature = strtolower( (string) $request->get_header( 'x_space_inbox_signature' ) );
		if ( '' === $timestamp || '' === $signature ) {
			return new WP_Error( 'space_inbox_signature_required', __( 'This call must be signed by the Space Inbox bridge.', 'space-inbox' ), array( 'status' => 401 ) );
		}
		$secret = Space_Inbox_Options::secret();
		if ( '' === $secret ) {
			return new WP_Error( 'space_inbox_no_secret', __( 'No shared secret is configured.', 'space-inbox' ), array( 'status' => 403 ) );
		}
		if ( ! ctype_digit( $timestamp ) || abs( time() - (int) $timestamp ) > self::MAX_SKEW ) {
			return new WP_Error( 'space_inbox_stale_signature', __( 'The signed timestamp is too old or in the future.', 'space-inbox' ), array( 'status' => 403 ) );
		}
		$endpoint = substr( $request->get_route(), strlen( '/' . self::NAMESPACE_V1 . '/' ) );
		$expected = Space_Inbox_Bridge_Client::sign( $secret, $request->get_method(), $endpoint, $timestamp, $request_id, $request->get_body() );
		if ( ! Space_Inbox_Bridge_Client::is_request_id( $request_id ) || ! hash_equals( $expected, $signature ) ) {
			return new WP_Error( 'space_inbox_bad_signature', __( 'The signature does not match.', 'space-inbox' ), array( 'status' => 403 ) );
		}
		$seen = self::SEEN_REQUEST_PREFIX . $request_id;
		if ( false !== get_transient( $seen ) ) {
			return new WP_Error( 'space_inbox_replayed_request', __( 'This signed call was made before.', 'space-inbox' ), array( 'status' => 403 ) );
		}
		set_transient( $seen, 1, 2 * self::MAX_SKEW );
		return true;
	}

	/**
	 * Site settings are for those who may manage options.
	 *
	 * @return true|WP_Error
	 */
	public static function check_manage_options() {
		if ( current_user_can( 'manage_options' ) ) {
			return true;
		}
		return new WP_Error( 'space_inbox_forbidden', __( 'Sorry, you are not allowed to do that.', 'space-inbox' ), array( 'status' => rest_authorization_required_code() ) );
	}

	/* -- Callbacks --------------------------------------------------------------------- */

	/**
	 * Handle notification jobs; answer the ids done.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error `{"done": [ids]}`.
	 */
	public static function notify( WP_REST_Request $request ) {
		$done = Space_Inbox_Jobs::handle_jobs( (array) $request->get_param( 'jobs' ) );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		return new WP_REST_Response( array( 'done' => $done ), 200 );
	}

	/**
	 * The translations of a module and of those it imports.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response `{"translations": [Jed locale objects]}`.
	 */
	public static function translations( WP_REST_Request $request ) {
		return new WP_REST_Response( array( 'translations' => Space_Inbox_Assets::translations( (string) $request->get_param( 'module' ) ) ), 200 );
	}

	/**
	 * Queue one page of "Resync all Spaces" and send it at the end of the request.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response `{"done", "total", "page", "next_page"}`.
	 */
	public static function resync( WP_REST_Request $request ) {
		return new WP_REST_Response( Space_Inbox_Events::resync_page( (int) $request->get_param( 'page' ) ), 200 );
	}
}
