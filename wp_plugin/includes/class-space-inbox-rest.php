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
 * - `/bridge/<path>` (any method): the browser's proxy to the bridge's `/api/v1/<path>`.
 * - `POST /resync`: one page of "Resync all Spaces" (manage_options).
 */
final class Space_Inbox_REST {

	/** Namespace of every route. */
	const NAMESPACE_V1 = 'space-inbox/v1';

	/** Most seconds between a signed call's timestamp and this server's clock. */
	const MAX_SKEW = 300;

	/** Transient name prefix of a signed call's request id, seen (plus the id). */
	const SEEN_REQUEST_PREFIX = 'space_inbox_req_';

	/** Bridge paths the proxy never forwards: signed plugin calls are not the browser's. */
	const PROXY_DENIED = '#^(events|privacy)(/|$)#';

	/**
	 * The proxy's response in this request, for `rest_pre_serve_request`.
	 *
	 * @var WP_REST_Response|null
	 */
	private static $raw_response = null;

	/**
	 * The bridge's body of that response, byte for byte.
	 *
	 * @var string
	 */
	private static $raw_body = '';

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
			'/bridge/(?P<path>[a-z0-9/_\-]+)',
			array(
				'methods'             => WP_REST_Server::ALLMETHODS,
				'callback'            => array( __CLASS__, 'proxy' ),
				'permission_callback' => array( __CLASS__, 'check_logged_in' ),
				'args'                => array(
					'path' => array(
						'description' => __( 'Path under the bridge\'s /api/v1/.', 'space-inbox' ),
						'type'        => 'string',
						'pattern'     => '^[a-z0-9/_\-]+$',
						'required'    => true,
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
	}

	/* -- Permissions ------------------------------------------------------------------- */

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
	 * The proxy is for logged-in users; WordPress' cookie + X-WP-Nonce check already ran.
	 *
	 * @return true|WP_Error
	 */
	public static function check_logged_in() {
		if ( is_user_logged_in() ) {
			return true;
		}
		return new WP_Error( 'space_inbox_not_logged_in', __( 'Log in to use the inbox.', 'space-inbox' ), array( 'status' => rest_authorization_required_code() ) );
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
		$done = Space_Inbox_Notifications::handle_jobs( (array) $request->get_param( 'jobs' ) );
		if ( is_wp_error( $done ) ) {
			return $done;
		}
		return new WP_REST_Response( array( 'done' => $done ), 200 );
	}

	/**
	 * Forward a browser's request to the bridge and relay the answer unchanged.
	 *
	 * @param WP_REST_Request $request Request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function proxy( WP_REST_Request $request ) {
		$path = trim( (string) $request->get_param( 'path' ), '/' );
		if ( '' === $path || preg_match( self::PROXY_DENIED, $path ) ) {
			return new WP_Error( 'rest_no_route', __( 'No route was found matching the URL and request method.', 'space-inbox' ), array( 'status' => 404 ) );
		}
		$query = $request->get_query_params();
		unset( $query['rest_route'] );
		if ( $query ) {
			$path .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
		}
		$headers = array();
		foreach ( Space_Inbox_Bridge_Client::PROXY_REQUEST_HEADERS as $name ) {
			$value = $request->get_header( $name );
			if ( null !== $value && '' !== $value ) {
				$headers[ $name ] = $value;
			}
		}
		// WordPress keeps Cookie out of the request's headers in some setups; the browser's
		// own header is the one to forward, unchanged.
		if ( empty( $headers['cookie'] ) && isset( $_SERVER['HTTP_COOKIE'] ) ) {
			$headers['cookie'] = wp_unslash( $_SERVER['HTTP_COOKIE'] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- forwarded verbatim, never output.
		}

		$client = new Space_Inbox_Bridge_Client();
		$answer = $client->proxy( $request->get_method(), $path, $request->get_body(), $headers );
		if ( is_wp_error( $answer ) ) {
			// The bridge's own error shape, so the browser reads one shape whoever failed.
			$response = new WP_REST_Response(
				array(
					'code'        => 'bridge_unavailable',
					'message'     => __( 'The inbox is not reachable right now. Try again in a moment.', 'space-inbox' ),
					'description' => $answer->get_error_message(),
				),
				503
			);
			$response->header( 'Retry-After', '30' );
			return $response;
		}
		if ( isset( $answer['headers']['location'] ) && 0 === strpos( $answer['headers']['location'], '/api/v1/' ) ) {
			// A Location on the bridge means the same path through this proxy.
			$answer['headers']['location'] = rest_url( self::NAMESPACE_V1 . '/bridge/' . substr( $answer['headers']['location'], strlen( '/api/v1/' ) ) );
		}

		$decoded  = '' === $answer['body'] ? null : json_decode( $answer['body'], true );
		$response = new WP_REST_Response( $decoded, $answer['status'] );
		foreach ( $answer['headers'] as $name => $value ) {
			$response->header( self::header_case( $name ), $value );
		}
		// Served byte for byte by serve_raw(): re-encoding would change the body the
		// ETag was computed on.
		self::$raw_response = $response;
		self::$raw_body     = $answer['body'];
		return $response;
	}

	/**
	 * Echo the proxy's raw answer instead of re-encoding it (`rest_pre_serve_request`).
	 *
	 * The status and headers are already sent by WP_REST_Server at this point.
	 *
	 * @param bool             $served  Whether the request was already served.
	 * @param WP_HTTP_Response $result  The response.
	 * @return bool
	 */
	public static function serve_raw( $served, $result ) {
		if ( $served || null === self::$raw_response || $result !== self::$raw_response ) {
			return $served;
		}
		self::$raw_response = null;
		if ( 304 !== $result->get_status() && 204 !== $result->get_status() ) {
			echo self::$raw_body; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the bridge's JSON, relayed unchanged with its Content-Type.
		}
		return true;
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

	/**
	 * Canonical spelling of a header name (etag → ETag).
	 *
	 * @param string $name Lower-case header name.
	 * @return string
	 */
	private static function header_case( $name ) {
		$special = array( 'etag' => 'ETag' );
		if ( isset( $special[ $name ] ) ) {
			return $special[ $name ];
		}
		return implode( '-', array_map( 'ucfirst', explode( '-', $name ) ) );
	}
}
