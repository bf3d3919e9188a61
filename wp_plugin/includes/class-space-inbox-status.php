<?php
/**
 * The status box of Settings → Space Inbox.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The status box: whether the bridge answers and its schema is current, proxy or direct
 * mode, and the events waiting for the bridge.
 */
final class Space_Inbox_Status {

	/**
	 * Draw the status box: does the bridge answer, is its schema current, what waits.
	 *
	 * @return void
	 */
	public static function render() {
		$client = new Space_Inbox_Bridge_Client();
		$health = $client->health();
		$lines  = array();
		if ( ! is_wp_error( $health ) ) {
			$lines[] = array(
				'success',
				sprintf(
					/* translators: %s: schema revision. */
					__( 'The bridge answers; its database schema is current (%s).', 'space-inbox' ),
					isset( $health['schema']['current'] ) ? (string) $health['schema']['current'] : '?'
				),
			);
		} else {
			$data = $health->get_error_data();
			$body = is_array( $data ) && isset( $data['body'] ) && is_array( $data['body'] ) ? $data['body'] : null;
			if ( $body && isset( $body['status'] ) && 'schema_behind' === $body['status'] ) {
				$lines[] = array(
					'warning',
					sprintf(
						/* translators: 1: current schema revision, 2: the newest one. */
						__( 'The bridge answers, but its database schema is behind (%1$s, newest %2$s): run `space-inbox migrate`.', 'space-inbox' ),
						isset( $body['schema']['current'] ) ? (string) $body['schema']['current'] : __( 'none', 'space-inbox' ),
						isset( $body['schema']['head'] ) ? (string) $body['schema']['head'] : '?'
					),
				);
			} else {
				$lines[] = array(
					'error',
					sprintf(
						/* translators: %s: error message. */
						__( 'The bridge does not answer: %s', 'space-inbox' ),
						$health->get_error_message()
					),
				);
			}
		}
		$lines[] = array(
			'info',
			Space_Inbox_Options::proxy_mode()
				? __( 'Browsers reach the bridge through WordPress (proxy mode).', 'space-inbox' )
				: __( 'Browsers reach the bridge directly at the public bridge URL (direct mode).', 'space-inbox' ),
		);
		$waiting = Space_Inbox_Queue::queue_length();
		if ( 0 === $waiting ) {
			$lines[] = array( 'success', __( 'No events are waiting for the bridge.', 'space-inbox' ) );
		} else {
			$oldest = Space_Inbox_Queue::oldest();
			$text   = sprintf(
				/* translators: %d: number of events. */
				_n( '%d event is waiting for the bridge.', '%d events are waiting for the bridge.', $waiting, 'space-inbox' ),
				$waiting
			);
			if ( $oldest && '' !== $oldest->last_error ) {
				$text .= ' ' . sprintf(
					/* translators: 1: date and time, 2: number of attempts, 3: error. */
					__( 'Oldest since %1$s UTC, %2$d attempts; last error: %3$s', 'space-inbox' ),
					$oldest->created,
					(int) $oldest->attempts,
					$oldest->last_error
				);
			}
			$lines[] = array( 'warning', $text );
		}

		echo '<div class="card" id="space-inbox-status" style="max-width:none"><h2>' . esc_html__( 'Status', 'space-inbox' ) . '</h2><ul>';
		$icons = array(
			'success' => 'yes-alt',
			'warning' => 'warning',
			'error'   => 'dismiss',
			'info'    => 'info-outline',
		);
		foreach ( $lines as $line ) {
			printf(
				'<li><span class="dashicons dashicons-%1$s" aria-hidden="true"></span> %2$s</li>',
				esc_attr( $icons[ $line[0] ] ),
				esc_html( $line[1] )
			);
		}
		echo '</ul></div>';
	}
}
