<?php
/**
 * WP-CLI commands: `wp space-inbox ...`.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Manage the Space Inbox plugin's link to the bridge.
 */
class Space_Inbox_CLI {

	/**
	 * Send every published Space, with its team, to the bridge again.
	 *
	 * Safe to repeat: the bridge upserts. Spaces the bridge cannot take now stay queued
	 * and are retried by wp-cron.
	 *
	 * ## EXAMPLES
	 *
	 *     wp space-inbox resync
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Named arguments (none).
	 * @return void
	 */
	public function resync( $args, $assoc_args ) {
		$count = Space_Inbox_Events::resync_all(
			static function ( $result ) {
				/* translators: 1: Spaces queued so far, 2: all Spaces. */
				WP_CLI::log( sprintf( __( 'Queued %1$d of %2$d Spaces.', 'space-inbox' ), $result['done'], $result['total'] ) );
			}
		);
		$waiting = Space_Inbox_Queue::queue_length();
		if ( $waiting > 0 ) {
			/* translators: %d: number of events. */
			WP_CLI::warning( sprintf( __( '%d events wait for the bridge; wp-cron retries them every minute.', 'space-inbox' ), $waiting ) );
		}
		/* translators: %d: number of Spaces. */
		WP_CLI::success( sprintf( __( '%d Spaces resynced.', 'space-inbox' ), $count ) );
	}

	/**
	 * Send the events waiting in the queue now.
	 *
	 * ## EXAMPLES
	 *
	 *     wp space-inbox flush
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Named arguments (none).
	 * @return void
	 */
	public function flush( $args, $assoc_args ) {
		$result = Space_Inbox_Queue::flush();
		if ( is_wp_error( $result ) ) {
			WP_CLI::error( $result->get_error_message() );
		}
		/* translators: 1: events sent, 2: events still waiting. */
		WP_CLI::success( sprintf( __( '%1$d events sent; %2$d waiting.', 'space-inbox' ), $result, Space_Inbox_Queue::queue_length() ) );
	}
}
