<?php
/**
 * Site Health's stream check: does the web server pass the bridge's live streams on at once?
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * In direct mode, pages hold a live stream through the web server in front of the bridge;
 * a server that buffers it (nginx's proxy_buffering, a compressing proxy) leaves them
 * waiting until the stream ends. The bridge's signed `GET /api/v1/status/stream` sends two
 * events half a second apart; asked at the public bridge URL, they arrive apart, or together
 * when the stream was held back.
 */
final class Space_Inbox_Stream_Check {

	/**
	 * Seconds under which the first part of the answer and its end, sent half a second apart,
	 * arrived together.
	 */
	const HELD_BACK = 0.25;

	/**
	 * Time the stream check through the public bridge URL, as a member's page gets its live
	 * stream: from the first part of the answer to its end (WordPress' HTTP API hears each
	 * part as it arrives). Passed on at once, the first part is the `open` event and the end
	 * comes half a second later; held back (buffered, or compressed as a whole), it all
	 * comes at the end.
	 *
	 * @param string $public The public bridge URL.
	 * @return array `array( 'gap' => seconds from the first part to the end, or null, 'error' )`.
	 */
	public static function time( $public ) {
		$first = null;
		$heard = static function () use ( &$first ) {
			if ( null === $first ) {
				$first = microtime( true );
			}
		};
		add_action( 'requests-request.progress', $heard );
		$answer = ( new Space_Inbox_Bridge_Client( $public ) )->stream_check();
		$ended  = microtime( true );
		remove_action( 'requests-request.progress', $heard );
		if ( is_wp_error( $answer ) ) {
			return array(
				'gap'   => null,
				'error' => $answer->get_error_message(),
			);
		}
		$body = (string) wp_remote_retrieve_body( $answer );
		if ( null === $first || false === strpos( $body, "event: open\n" ) || false === strpos( $body, "event: done\n" ) ) {
			return array(
				'gap'   => null,
				'error' => __( 'The public bridge URL did not answer with the bridge’s events.', 'space-inbox' ),
			);
		}
		return array(
			'gap'   => round( $ended - $first, 3 ),
			'error' => '',
		);
	}

	/**
	 * Test: in direct mode, the web server passes the bridge's live streams on as they are
	 * written (a server that holds them back until they end leaves open pages waiting).
	 *
	 * @return array A Site Health result.
	 */
	public static function test() {
		if ( Space_Inbox_Options::proxy_mode() ) {
			return Space_Inbox_Site_Health::result(
				'stream',
				'good',
				__( 'Space Inbox live streams pass the web server at once', 'space-inbox' ),
				__( 'Proxy mode: pages ask WordPress for news, they hold no live stream.', 'space-inbox' )
			);
		}
		$kept   = Space_Inbox_Site_Health::status();
		$stream = $kept['stream'];
		if ( null === $stream['gap'] ) {
			return Space_Inbox_Site_Health::result(
				'stream',
				'critical',
				__( 'Space Inbox live streams do not reach the bridge', 'space-inbox' ),
				$stream['error'] . ' ' . __( 'In direct mode pages reach the bridge at the public bridge URL: the web server must forward it (Settings → Space Inbox has the rules).', 'space-inbox' ),
				$kept
			);
		}
		if ( $stream['gap'] < self::HELD_BACK ) {
			return Space_Inbox_Site_Health::result(
				'stream',
				'critical',
				__( 'The web server holds Space Inbox live streams back', 'space-inbox' ),
				__( 'Two events the bridge sent half a second apart arrived together: the web server (or a proxy in front of it) buffers the live stream, and open pages hear of new messages only when it ends. Turn buffering off for the public bridge URL (nginx: proxy_buffering off) and do not compress text/event-stream.', 'space-inbox' ),
				$kept
			);
		}
		return Space_Inbox_Site_Health::result(
			'stream',
			'good',
			__( 'Space Inbox live streams pass the web server at once', 'space-inbox' ),
			__( 'Events the bridge writes reach pages through the public bridge URL as they are written.', 'space-inbox' ),
			$kept
		);
	}
}
