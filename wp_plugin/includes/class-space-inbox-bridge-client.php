<?php
/**
 * The one client of the bridge service.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Every call the plugin makes to the bridge goes through here: a short timeout, the
 * signature of docs/plugin-bridge.md, status checks, and the bridge's error JSON
 * (`{"code", "message", "description"?}`) turned into a WP_Error whose data carries the
 * HTTP status. Nothing here throws: a page that calls the bridge still renders when the
 * bridge is down.
 */
class Space_Inbox_Bridge_Client {

	/** Seconds to wait for the bridge. */
	const TIMEOUT = Space_Inbox_Limits::CALL_TIMEOUT;

	/** Seconds to wait for the bridge while a page renders. */
	const PAGE_TIMEOUT = Space_Inbox_Limits::PAGE_TIMEOUT;

	/** Header carrying the signed Unix time. */
	const HEADER_TIMESTAMP = 'X-Space-Inbox-Timestamp';

	/** Header carrying the signed request id (32 hex digits, new for every call). */
	const HEADER_REQUEST = 'X-Space-Inbox-Request';

	/** Header carrying the signature. */
	const HEADER_SIGNATURE = 'X-Space-Inbox-Signature';

	/** Where the bridge's API lives; what follows is the endpoint a signature names. */
	const API_PREFIX = '/api/v1/';

	/**
	 * Base URL of the bridge, without a trailing slash.
	 *
	 * @var string
	 */
	private $base_url;

	/**
	 * Shared secret.
	 *
	 * @var string
	 */
	private $secret;

	/**
	 * Create a client.
	 *
	 * @param string|null $base_url Bridge URL; default the configured one.
	 * @param string|null $secret   Shared secret; default the configured one.
	 */
	public function __construct( $base_url = null, $secret = null ) {
		$this->base_url = untrailingslashit( null === $base_url ? Space_Inbox_Options::bridge_url() : (string) $base_url );
		$this->secret   = null === $secret ? Space_Inbox_Options::secret() : (string) $secret;
	}

	/**
	 * Signature of a signed call (docs/plugin-bridge.md): hex HMAC-SHA256 of the method, the
	 * endpoint (`events`, `privacy/export`, `privacy/erase`, `notify`), the timestamp and the
	 * request id, a line each, then the body. A call signed for one endpoint is no good at
	 * another.
	 *
	 * @param string     $secret     Shared secret.
	 * @param string     $method     HTTP method.
	 * @param string     $endpoint   Endpoint.
	 * @param string|int $timestamp  Unix time, as sent.
	 * @param string     $request_id Request id, as sent.
	 * @param string     $body       Raw body.
	 * @return string 64 hex digits.
	 */
	public static function sign( $secret, $method, $endpoint, $timestamp, $request_id, $body ) {
		return hash_hmac( 'sha256', $method . "\n" . $endpoint . "\n" . $timestamp . "\n" . $request_id . "\n" . $body, $secret );
	}

	/**
	 * Whether a request id has the form signed calls carry: 32 hex digits.
	 *
	 * @param string $request_id Request id, as sent.
	 * @return bool
	 */
	public static function is_request_id( $request_id ) {
		return 1 === preg_match( '/^[0-9a-f]{32}$/D', (string) $request_id );
	}

	/**
	 * Send events (1 to Space_Inbox_Limits::EVENTS_PER_CALL) to the bridge.
	 *
	 * @param array $events Events, each `array( 'id', 'type', 'data' )`.
	 * @return array|WP_Error The answer, `array( 'applied' => n, 'duplicates' => m )`.
	 */
	public function send_events( array $events ) {
		return $this->signed_post( '/api/v1/events', array( 'events' => array_values( $events ) ) );
	}

	/**
	 * Ask the bridge how it is.
	 *
	 * A 503 (schema behind, database down) still carries the bridge's report; it is in
	 * the WP_Error's data under 'body'.
	 *
	 * @return array|WP_Error `array( 'status', 'schema' => array( 'current', 'head' ) )`.
	 */
	public function health() {
		return $this->json_request( 'GET', '/health', array() );
	}

	/**
	 * The bridge as Site Health shows it (a signed call): its schema, Redis, and the
	 * notification jobs WordPress has not taken.
	 *
	 * @return array|WP_Error `array( 'schema', 'redis', 'live', 'outbox' )`.
	 */
	public function status() {
		return $this->signed_request( 'GET', '/api/v1/status', '' );
	}

	/**
	 * How fast a Space typically answers, as anyone may read it (the Space page shows it).
	 * A short timeout: a page render waits for it.
	 *
	 * @param int $space_id Space post id.
	 * @return array|WP_Error `array( 'typically', 'source', 'very_responsive' )`.
	 */
	public function response_time( $space_id ) {
		return $this->json_request(
			'GET',
			sprintf( '/api/v1/spaces/%d/response-time', (int) $space_id ),
			array( 'timeout' => self::PAGE_TIMEOUT )
		);
	}

	/**
	 * One page of a user's inbox data, for WordPress' personal data exporter.
	 *
	 * @param int $user_id User ID.
	 * @param int $page    Page, from 1.
	 * @return array|WP_Error `array( 'data' => [...], 'done' => bool )`.
	 */
	public function privacy_export( $user_id, $page ) {
		return $this->signed_post(
			'/api/v1/privacy/export',
			array(
				'user_id' => (int) $user_id,
				'page'    => max( 1, (int) $page ),
			)
		);
	}

	/**
	 * Erase a user's conversations with Spaces, for WordPress' personal data eraser.
	 *
	 * @param int $user_id User ID.
	 * @return array|WP_Error `array( 'items_removed', 'items_retained', 'messages' )`.
	 */
	public function privacy_erase( $user_id ) {
		return $this->signed_post( '/api/v1/privacy/erase', array( 'user_id' => (int) $user_id ) );
	}

	/**
	 * A moderators' call (signed): the members' reports of Spaces' answers.
	 *
	 * @param string $path    Under /api/v1/moderation/: `reports`, `reports/<id>`,
	 *                        `reports/<id>/resolve`.
	 * @param array  $payload Body.
	 * @return array|WP_Error Decoded answer.
	 */
	public function moderation( $path, array $payload ) {
		return $this->signed_post( '/api/v1/moderation/' . $path, $payload );
	}

	/**
	 * POST a JSON object, signed with the shared secret.
	 *
	 * @param string $path    Path on the bridge.
	 * @param array  $payload Body, as an array.
	 * @return array|WP_Error Decoded answer.
	 */
	private function signed_post( $path, array $payload ) {
		$body = array() === $payload ? '{}' : wp_json_encode( $payload ); // An object, even empty.
		return $this->signed_request( 'POST', $path, $body );
	}

	/**
	 * Make a call signed with the shared secret.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Path on the bridge.
	 * @param string $body   Body ('' for none).
	 * @return array|WP_Error Decoded answer.
	 */
	private function signed_request( $method, $path, $body ) {
		$args = $this->signed( $method, $path, $body );
		return is_wp_error( $args ) ? $args : $this->json_request( $method, $path, $args );
	}

	/**
	 * The stream check (a signed call): two events half a second apart, as the web server in
	 * front of the bridge passes them on. `requests-request.progress` hears each part of
	 * the answer as it arrives.
	 *
	 * @return array|WP_Error The raw response; WP_Error when there is no 2xx.
	 */
	public function stream_check() {
		$args = $this->signed( 'GET', '/api/v1/status/stream', '' );
		return is_wp_error( $args ) ? $args : $this->answered( 'GET', '/api/v1/status/stream', $args );
	}

	/**
	 * The wp_remote_request() arguments of a call signed with the shared secret.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Path on the bridge.
	 * @param string $body   Body ('' for none).
	 * @return array|WP_Error
	 */
	private function signed( $method, $path, $body ) {
		if ( '' === $this->secret ) {
			return new WP_Error(
				'space_inbox_no_secret',
				__( 'Space Inbox has no shared secret: deactivate and activate the plugin, or define SPACE_INBOX_SECRET.', 'space-inbox' ),
				array( 'status' => 500 )
			);
		}
		$timestamp  = (string) time();
		$request_id = bin2hex( random_bytes( 16 ) );
		$endpoint   = substr( $path, strlen( self::API_PREFIX ) );
		$args       = array(
			'headers' => array(
				self::HEADER_TIMESTAMP => $timestamp,
				self::HEADER_REQUEST   => $request_id,
				self::HEADER_SIGNATURE => self::sign( $this->secret, $method, $endpoint, $timestamp, $request_id, $body ),
			),
		);
		if ( '' !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = $body;
		}
		return $args;
	}

	/**
	 * Make a request whose answer is a JSON object.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Path on the bridge.
	 * @param array  $args   wp_remote_request() arguments.
	 * @return array|WP_Error Decoded answer on 2xx; else WP_Error (status in its data).
	 */
	private function json_request( $method, $path, array $args ) {
		$response = $this->answered( $method, $path, $args );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( ! is_array( $decoded ) ) {
			return new WP_Error(
				'space_inbox_bridge_bad_answer',
				__( 'The Space Inbox bridge answered something that is not JSON.', 'space-inbox' ),
				array( 'status' => 502 )
			);
		}
		return $decoded;
	}

	/**
	 * Make a request the bridge must answer with a 2xx.
	 *
	 * @param string $method HTTP method.
	 * @param string $path   Path on the bridge.
	 * @param array  $args   wp_remote_request() arguments.
	 * @return array|WP_Error The raw response on 2xx; else WP_Error (status in its data).
	 */
	private function answered( $method, $path, array $args ) {
		if ( '' === $this->base_url ) {
			return $this->not_configured();
		}
		$args['method'] = $method;
		$response       = $this->request( $path, $args );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		if ( $status < 200 || $status >= 300 ) {
			return self::error_from_answer( $status, json_decode( (string) wp_remote_retrieve_body( $response ), true ) );
		}
		return $response;
	}

	/**
	 * Send one HTTP request to the bridge.
	 *
	 * @param string $path Path on the bridge, starting with '/'.
	 * @param array  $args wp_remote_request() arguments.
	 * @return array|WP_Error The raw response, or WP_Error (status 503) when the bridge did
	 *                        not answer.
	 */
	private function request( $path, array $args ) {
		$args = array_merge(
			array(
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'user-agent'  => 'Space Inbox/' . SPACE_INBOX_VERSION . '; ' . home_url( '/' ),
			),
			$args
		);
		$response = wp_remote_request( $this->base_url . $path, $args );
		if ( is_wp_error( $response ) ) {
			return new WP_Error(
				'space_inbox_bridge_unavailable',
				sprintf(
					/* translators: %s: the error message of the HTTP request. */
					__( 'The Space Inbox bridge did not answer: %s', 'space-inbox' ),
					$response->get_error_message()
				),
				array( 'status' => 503 )
			);
		}
		return $response;
	}

	/**
	 * Turn an error answer of the bridge into a WP_Error.
	 *
	 * @param int   $status  HTTP status.
	 * @param mixed $decoded Decoded body: normally `{"code", "message", "description"?}`.
	 * @return WP_Error Code 'space_inbox_bridge_<code>', data `status`, `body` and
	 *                  `description`.
	 */
	public static function error_from_answer( $status, $decoded ) {
		$code    = 'http_' . (int) $status;
		$message = sprintf(
			/* translators: %d: HTTP status code. */
			__( 'The Space Inbox bridge answered HTTP %d.', 'space-inbox' ),
			(int) $status
		);
		$data = array(
			'status' => (int) $status,
			'body'   => is_array( $decoded ) ? $decoded : null,
		);
		if ( is_array( $decoded ) ) {
			if ( isset( $decoded['code'] ) && is_string( $decoded['code'] ) ) {
				$code = sanitize_key( $decoded['code'] );
			}
			if ( isset( $decoded['message'] ) && is_string( $decoded['message'] ) ) {
				$message = $decoded['message'];
			}
			if ( isset( $decoded['description'] ) && is_string( $decoded['description'] ) ) {
				$data['description'] = $decoded['description'];
			}
		}
		return new WP_Error( 'space_inbox_bridge_' . $code, $message, $data );
	}

	/**
	 * The error for a missing bridge URL.
	 *
	 * @return WP_Error
	 */
	private function not_configured() {
		return new WP_Error(
			'space_inbox_bridge_unavailable',
			__( 'The Space Inbox bridge URL is not set (Settings → Space Inbox).', 'space-inbox' ),
			array( 'status' => 503 )
		);
	}
}
