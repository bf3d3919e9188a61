<?php
/**
 * The event queue: WordPress changes the bridge must learn, delivered in order, never
 * dropped.
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
 * is simply sent again.
 *
 * Space events are state-based: hooks only note which Spaces changed, and at shutdown
 * each noted Space is sent as it then is (`space.upserted` when published, else
 * `space.deleted`). A save that also changes the team sends one event, with the team
 * as saved.
 */
final class Space_Inbox_Events {

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

	/** Spaces per page of "Resync all Spaces". */
	const RESYNC_PAGE_SIZE = 100;

	/**
	 * Space IDs changed in this request, sent at shutdown.
	 *
	 * @var array<int, true>
	 */
	private static $touched = array();

	/**
	 * Whether this request queued events (and so should try to send them).
	 *
	 * @var bool
	 */
	private static $queued = false;

	/**
	 * Spam/ham events already queued in this request (BuddyPress fires two hooks).
	 *
	 * @var array<string, true>
	 */
	private static $spam_seen = array();

	/**
	 * Users whose logins changed in this request (one event each).
	 *
	 * @var array<int, true>
	 */
	private static $logins_seen = array();

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

	/* -- Hooks that cause events ------------------------------------------------------- */

	/**
	 * A post was saved, its terms and meta included (`wp_after_insert_post`).
	 *
	 * @param int          $post_id     Post ID.
	 * @param WP_Post      $post        The post as saved.
	 * @param bool         $update      Whether it existed before.
	 * @param WP_Post|null $post_before The post before the save.
	 * @return void
	 */
	public static function on_after_insert_post( $post_id, $post, $update, $post_before ) {
		if ( ! Space_Inbox_Spaces::is_space( $post ) ) {
			return;
		}
		$was_published = $post_before instanceof WP_Post && 'publish' === $post_before->post_status;
		if ( 'publish' === $post->post_status || $was_published ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * A post is about to be trashed or deleted: a published Space becomes `space.deleted`.
	 *
	 * @param int $post_id Post ID.
	 * @return void
	 */
	public static function on_post_going( $post_id ) {
		$post = get_post( $post_id );
		if ( Space_Inbox_Spaces::is_space( $post ) && 'publish' === $post->post_status ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * A post left the trash. WordPress 5.6+ restores it as a draft unless a filter says
	 * otherwise, so it is sent only if it came back published.
	 *
	 * @param int $post_id Post ID.
	 * @return void
	 */
	public static function on_untrashed( $post_id ) {
		if ( Space_Inbox_Spaces::is_space( $post_id ) ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * Team meta was added, changed or removed.
	 *
	 * @param int|int[] $meta_ids  Meta ID(s).
	 * @param int       $object_id Post ID.
	 * @param string    $meta_key  Meta key.
	 * @return void
	 */
	public static function on_team_meta( $meta_ids, $object_id, $meta_key ) {
		if ( Space_Inbox_Spaces::TEAM_META === $meta_key && $object_id > 0 && 'publish' === get_post_status( $object_id ) && Space_Inbox_Spaces::is_space( $object_id ) ) {
			self::touch_space( $object_id );
		}
	}

	/**
	 * A user is about to be deleted: leave every team; Spaces they authored and that are
	 * reassigned get sent again with their new author.
	 *
	 * @param int      $user_id  User ID.
	 * @param int|null $reassign User who gets their posts, or null.
	 * @return void
	 */
	public static function on_delete_user( $user_id, $reassign = null ) {
		if ( $reassign ) {
			foreach ( Space_Inbox_Spaces::spaces_of_user( $user_id ) as $space_id ) {
				self::touch_space( $space_id );
			}
		}
		Space_Inbox_Spaces::forget_user( $user_id );
	}

	/**
	 * A user was deleted.
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_deleted_user( $user_id ) {
		self::enqueue( 'user.deleted', array( 'user_id' => (int) $user_id ) );
	}

	/**
	 * A user was marked as a spammer (`make_spam_user`, BuddyPress' `bp_make_spam_user`).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_spam( $user_id ) {
		self::spammed( $user_id, true );
	}

	/**
	 * A user was marked as not a spammer (`make_ham_user`, `bp_make_ham_user`).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_ham( $user_id ) {
		self::spammed( $user_id, false );
	}

	/**
	 * Queue one `user.spammed` event per user and state per request.
	 *
	 * @param int  $user_id User ID.
	 * @param bool $spam    Spammer or not.
	 * @return void
	 */
	private static function spammed( $user_id, $spam ) {
		$key = (int) $user_id . ( $spam ? ':spam' : ':ham' );
		if ( (int) $user_id <= 0 || isset( self::$spam_seen[ $key ] ) ) {
			return;
		}
		self::$spam_seen[ $key ] = true;
		self::enqueue(
			'user.spammed',
			array(
				'user_id' => (int) $user_id,
				'spam'    => (bool) $spam,
			)
		);
	}

	/**
	 * A user's sessions are about to be saved (`update_user_meta`): a session that goes
	 * (a logout, "log out everywhere else") must close what the user holds open in the
	 * bridge. A new session alone (a login) changes nothing there.
	 *
	 * @param int    $meta_id   Meta ID.
	 * @param int    $user_id   User ID.
	 * @param string $meta_key  Meta key.
	 * @param mixed  $new_value The sessions about to be saved.
	 * @return void
	 */
	public static function on_sessions_update( $meta_id, $user_id, $meta_key, $new_value ) {
		if ( 'session_tokens' !== $meta_key ) {
			return;
		}
		$old = get_user_meta( $user_id, 'session_tokens', true );
		$new = is_array( $new_value ) ? $new_value : array();
		if ( is_array( $old ) && array_diff_key( $old, $new ) ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A user's last sessions were removed (`deleted_user_meta`).
	 *
	 * @param array  $meta_ids Meta IDs.
	 * @param int    $user_id  User ID.
	 * @param string $meta_key Meta key.
	 * @return void
	 */
	public static function on_sessions_deleted( $meta_ids, $user_id, $meta_key ) {
		if ( 'session_tokens' === $meta_key ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A profile was saved (`profile_update`): a new password ends the user's logins.
	 *
	 * @param int     $user_id  User ID.
	 * @param WP_User $old_user The user before the update.
	 * @return void
	 */
	public static function on_profile_update( $user_id, $old_user ) {
		$user = get_userdata( $user_id );
		if ( $user && $old_user instanceof WP_User && $user->user_pass !== $old_user->user_pass ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A password was set (`after_password_reset`, and `wp_set_password` from WordPress 6.2).
	 *
	 * @param WP_User|string $user_or_password The user (`after_password_reset`) or the new
	 *                                         password (`wp_set_password`).
	 * @param mixed          $user_id          The user ID (`wp_set_password`).
	 * @return void
	 */
	public static function on_password_set( $user_or_password, $user_id = null ) {
		self::logins_changed( $user_or_password instanceof WP_User ? $user_or_password->ID : $user_id );
	}

	/**
	 * A user's row changed (`clean_user_cache`): every change WordPress makes to a user
	 * through its API ends in it, a password set with `wp_set_password()` before WordPress
	 * 6.2 (which fires no action of its own) and a changed role included. The bridge checks
	 * the user's logins again; one event per user and request, and none for a user with no
	 * login to end (a new user).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_user_cache_cleaned( $user_id ) {
		if ( get_user_meta( (int) $user_id, 'session_tokens', true ) ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * Queue one `user.logins_changed` event per user per request.
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	private static function logins_changed( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 || isset( self::$logins_seen[ $user_id ] ) ) {
			return;
		}
		self::$logins_seen[ $user_id ] = true;
		self::enqueue( 'user.logins_changed', array( 'user_id' => $user_id ) );
	}

	/* -- The queue ------------------------------------------------------------------- */

	/**
	 * Note that a Space changed; it is sent as it is at the end of the request.
	 *
	 * @param int $space_id Space post ID.
	 * @return void
	 */
	public static function touch_space( $space_id ) {
		$space_id = (int) $space_id;
		if ( $space_id > 0 ) {
			self::$touched[ $space_id ] = true;
		}
	}

	/**
	 * The event describing a Space as it is now.
	 *
	 * @param int $space_id Space post ID.
	 * @return array `array( type, data )`: `space.upserted` for a published Space of the
	 *               configured type, else `space.deleted`.
	 */
	public static function space_event( $space_id ) {
		$post = get_post( $space_id );
		if ( $post && 'publish' === $post->post_status && Space_Inbox_Spaces::is_space( $post ) ) {
			return array( 'space.upserted', Space_Inbox_Spaces::space_payload( $post ) );
		}
		return array( 'space.deleted', array( 'space_id' => (int) $space_id ) );
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
	 * End of request: queue the noted Spaces, then try to send what this request queued.
	 *
	 * @return void
	 */
	public static function on_shutdown() {
		$touched       = array_keys( self::$touched );
		self::$touched = array();
		sort( $touched );
		foreach ( $touched as $space_id ) {
			list( $type, $data ) = self::space_event( $space_id );
			self::enqueue( $type, $data );
		}
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

	/* -- Resync ------------------------------------------------------------------------ */

	/**
	 * Queue a `space.upserted` for one page of published Spaces (oldest first).
	 *
	 * @param int $page     Page, from 1.
	 * @param int $per_page Spaces per page.
	 * @return array `done` (Spaces queued so far, this page included), `total`, `page`,
	 *               `next_page` (null after the last page).
	 */
	public static function resync_page( $page, $per_page = self::RESYNC_PAGE_SIZE ) {
		$page  = max( 1, (int) $page );
		$query = new WP_Query(
			array(
				'post_type'              => Space_Inbox_Options::post_type(),
				'post_status'            => 'publish',
				'posts_per_page'         => max( 1, (int) $per_page ),
				'paged'                  => $page,
				'orderby'                => 'ID',
				'order'                  => 'ASC',
				'suppress_filters'       => true,
				'update_post_term_cache' => false,
			)
		);
		foreach ( $query->posts as $post ) {
			self::enqueue( 'space.upserted', Space_Inbox_Spaces::space_payload( $post ) );
		}
		$total = (int) $query->found_posts;
		$done  = min( $total, ( $page - 1 ) * (int) $per_page + count( $query->posts ) );
		return array(
			'done'      => $done,
			'total'     => $total,
			'page'      => $page,
			'next_page' => ( $done < $total && $query->posts ) ? $page + 1 : null,
		);
	}

	/**
	 * Queue a `space.upserted` for every published Space and send them.
	 *
	 * @param callable|null $progress Called with each page's result.
	 * @return int Spaces queued.
	 */
	public static function resync_all( $progress = null ) {
		$page = 1;
		$done = 0;
		while ( $page ) {
			$result = self::resync_page( $page );
			$done   = $result['done'];
			if ( $progress ) {
				call_user_func( $progress, $result );
			}
			$page = $result['next_page'];
			self::flush();
		}
		return $done;
	}
}
