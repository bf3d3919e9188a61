<?php
/**
 * The event queue: the events for the bridge, delivered in order, never dropped.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Events are rows of `{prefix}space_inbox_queue` (one INSERT each, so concurrent
 * requests never overwrite each other's events). They are sent at `shutdown` of the
 * request that queued them and, while the bridge does not take them, every minute by
 * wp-cron. The bridge ignores an event id it has seen, so a batch whose answer was lost
 * is simply sent again. Space_Inbox_Events decides what to queue.
 */
final class Space_Inbox_Queue {

	/** Cron hook that retries the queue. */
	const CRON_HOOK = 'space_inbox_flush_queue';

	/** Custom cron schedule: every minute. */
	const SCHEDULE = 'space_inbox_every_minute';

	/** Most events per call to the bridge (its limit). */
	const BATCH = Space_Inbox_Limits::EVENTS_PER_CALL;

	/** Most batches one flush sends (bounds the time a request spends at shutdown). */
	const MAX_BATCHES = 20;

	/** Seconds a flush waits for another process's flush to finish. */
	const LOCK_WAIT = 3;

	/** Seconds before an event the bridge refused as malformed is tried again. */
	const PARK_SECONDS = 3600;

	/**
	 * Whether this request queued events (and so should try to send them).
	 *
	 * @var bool
	 */
	private static $queued = false;

	/**
	 * Name of the queue table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'space_inbox_queue';
	}

	/**
	 * The CREATE TABLE statement of the queue, for dbDelta().
	 *
	 * @return string
	 */
	public static function schema() {
		global $wpdb;
		$table = self::table();
		return "CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  event_id char(36) NOT NULL,
  payload longtext NOT NULL,
  attempts int(10) unsigned NOT NULL DEFAULT 0,
  next_attempt datetime NOT NULL,
  created datetime NOT NULL,
  last_error varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY  (id),
  UNIQUE KEY event_id (event_id),
  KEY next_attempt (next_attempt)
) {$wpdb->get_charset_collate()};";
	}

	/**
	 * Add the every-minute schedule to wp-cron.
	 *
	 * @param array $schedules Schedules.
	 * @return array
	 */
	public static function cron_schedules( $schedules ) {
		$schedules[ self::SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (Space Inbox)', 'space-inbox' ),
		);
		return $schedules;
	}

	/**
	 * Add an event to the queue.
	 *
	 * @param string $type Event type: space.upserted, space.deleted, user.deleted,
	 *                     user.spammed, user.logins_changed.
	 * @param array  $data Event data (docs/plugin-bridge.md).
	 * @return string|false The event id, or false if the row could not be written.
	 */
	public static function enqueue( $type, array $data ) {
		global $wpdb;
		$event = array(
			'id'   => wp_generate_uuid4(),
			'type' => (string) $type,
			'data' => $data,
		);

		/**
		 * Fires when an event for the bridge is queued.
		 *
		 * @param array $event `array( 'id', 'type', 'data' )`.
		 */
		do_action( 'space_inbox_event_queued', $event );

		$now = gmdate( 'Y-m-d H:i:s' );
		$ok  = $wpdb->insert( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery
			self::table(),
			array(
				'event_id'     => $event['id'],
				'payload'      => wp_json_encode( $event ),
				'attempts'     => 0,
				'next_attempt' => $now,
				'created'      => $now,
			),
			array( '%s', '%s', '%d', '%s', '%s' )
		);
		if ( ! $ok ) {
			return false;
		}
		self::$queued = true;
		return $event['id'];
	}

	/**
	 * Send what this request queued, if it queued anything (at shutdown).
	 *
	 * @return void
	 */
	public static function send_queued() {
		if ( self::$queued ) {
			self::$queued = false;
			self::flush();
		}
	}

	/**
	 * The bridge URL changed (`update_option_space_inbox_bridge_url`): what waits is sent
	 * there at once, so the settings screen's status speaks of the new bridge, not of the
	 * last error of the old one.
	 *
	 * @return void
	 */
	public static function on_bridge_url_changed() {
		if ( self::queue_length() > 0 ) {
			self::flush();
		}
	}

	/**
	 * The cron job: send what waits; stop the schedule once nothing does.
	 *
	 * @return void
	 */
	public static function cron() {
		self::flush();
		if ( 0 === self::queue_length() ) {
			wp_clear_scheduled_hook( self::CRON_HOOK );
		}
	}

	/**
	 * Make sure the retry cron runs.
	 *
	 * @return void
	 */
	public static function schedule() {
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + MINUTE_IN_SECONDS, self::SCHEDULE, self::CRON_HOOK );
		}
	}

	/**
	 * Send due events to the bridge, oldest first, in batches of up to BATCH.
	 *
	 * One process at a time (a MySQL named lock); an event leaves the queue only when the
	 * bridge has taken it. A batch the bridge refuses as malformed (400, 413, 422) is
	 * split, and only the events it refuses one by one are set aside for an hour, so one
	 * bad event cannot hold up the others; they are never dropped.
	 *
	 * @param Space_Inbox_Bridge_Client|null $client Client; default a new one.
	 * @return int|WP_Error Events the bridge took, or the error that stopped the flush.
	 */
	public static function flush( $client = null ) {
		global $wpdb;
		$client = $client ? $client : new Space_Inbox_Bridge_Client();
		$lock   = 'space_inbox_flush_' . md5( DB_NAME . '|' . $wpdb->prefix );
		$got    = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, %d)', $lock, self::LOCK_WAIT ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		if ( '0' === (string) $got ) {
			// Another process is flushing; it, or the cron, sends ours too.
			self::schedule();
			return 0;
		}
		$sent   = 0;
		$result = null;
		try {
			for ( $i = 0; $i < self::MAX_BATCHES; $i++ ) {
				$rows = self::due( self::BATCH );
				if ( ! $rows ) {
					break;
				}
				$answer = self::deliver( $client, $rows );
				if ( is_wp_error( $answer ) ) {
					$result = $answer;
					break;
				}
				$sent += $answer;
			}
		} finally {
			if ( null !== $got ) {
				$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			}
		}
		if ( self::queue_length() > 0 ) {
			self::schedule();
		}
		return $result ? $result : $sent;
	}

	/**
	 * Send one batch; split it when the bridge refuses it as malformed.
	 *
	 * @param Space_Inbox_Bridge_Client $client Client.
	 * @param object[]                  $rows   Queue rows, oldest first.
	 * @return int|WP_Error Events taken (or set aside), or the error to stop at.
	 */
	private static function deliver( $client, array $rows ) {
		$answer = $client->send_events( self::events_of( $rows ) );
		if ( ! is_wp_error( $answer ) ) {
			self::remove( $rows );
			return count( $rows );
		}
		if ( ! self::is_refusal( $answer ) ) {
			self::failed( $rows, $answer, false );
			return $answer;
		}
		$taken = 0;
		foreach ( $rows as $row ) {
			$one = count( $rows ) > 1 ? $client->send_events( self::events_of( array( $row ) ) ) : $answer;
			if ( ! is_wp_error( $one ) ) {
				self::remove( array( $row ) );
				++$taken;
			} elseif ( self::is_refusal( $one ) ) {
				self::failed( array( $row ), $one, true );
			} else {
				self::failed( array( $row ), $one, false );
				return $one;
			}
		}
		return $taken;
	}

	/**
	 * Whether the bridge refused the events themselves (resending them unchanged fails
	 * again), rather than being down, misconfigured or busy.
	 *
	 * @param WP_Error $error Error of a send.
	 * @return bool
	 */
	private static function is_refusal( WP_Error $error ) {
		$data = $error->get_error_data();
		return is_array( $data ) && isset( $data['status'] ) && in_array( (int) $data['status'], array( 400, 413, 422 ), true );
	}

	/**
	 * Due queue rows, oldest first.
	 *
	 * @param int $limit Most rows.
	 * @return object[]
	 */
	private static function due( $limit ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return (array) $wpdb->get_results( $wpdb->prepare( "SELECT id, payload, attempts FROM {$table} WHERE next_attempt <= %s ORDER BY id ASC LIMIT %d", gmdate( 'Y-m-d H:i:s' ), $limit ) );
	}

	/**
	 * Decode queue rows into events.
	 *
	 * @param object[] $rows Queue rows.
	 * @return array[]
	 */
	private static function events_of( array $rows ) {
		$events = array();
		foreach ( $rows as $row ) {
			$events[] = json_decode( $row->payload, true );
		}
		return $events;
	}

	/**
	 * Delete rows the bridge has taken.
	 *
	 * @param object[] $rows Queue rows.
	 * @return void
	 */
	private static function remove( array $rows ) {
		global $wpdb;
		$ids   = implode( ',', array_map( 'intval', wp_list_pluck( $rows, 'id' ) ) );
		$table = self::table();
		$wpdb->query( "DELETE FROM {$table} WHERE id IN ({$ids})" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Record a failed attempt.
	 *
	 * @param object[] $rows   Queue rows.
	 * @param WP_Error $error  Why.
	 * @param bool     $park   Set the rows aside for PARK_SECONDS (refused as malformed);
	 *                         otherwise they stay due, keeping the queue's order.
	 * @return void
	 */
	private static function failed( array $rows, WP_Error $error, $park ) {
		global $wpdb;
		$ids     = implode( ',', array_map( 'intval', wp_list_pluck( $rows, 'id' ) ) );
		$table   = self::table();
		$message = substr( $error->get_error_code() . ': ' . $error->get_error_message(), 0, 255 );
		$next    = gmdate( 'Y-m-d H:i:s', time() + ( $park ? self::PARK_SECONDS : 0 ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$wpdb->query( $wpdb->prepare( "UPDATE {$table} SET attempts = attempts + 1, last_error = %s, next_attempt = %s WHERE id IN ({$ids})", $message, $next ) );
	}

	/**
	 * How many events wait.
	 *
	 * @return int
	 */
	public static function queue_length() {
		global $wpdb;
		$table = self::table();
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * The oldest waiting event, for the status box.
	 *
	 * @return object|null `created`, `attempts`, `last_error`.
	 */
	public static function oldest() {
		global $wpdb;
		$table = self::table();
		return $wpdb->get_row( "SELECT created, attempts, last_error FROM {$table} ORDER BY id ASC LIMIT 1" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}
}
