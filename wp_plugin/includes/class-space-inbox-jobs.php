<?php
/**
 * The bridge's notification jobs, each handled once.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Receives the bridge's notification jobs (docs/plugin-bridge.md, "Bridge → plugin") and
 * hands each to what it says (Space_Inbox_Notifications: BuddyPress notifications and
 * e-mail), at most once.
 *
 * A job id is recorded in `{prefix}space_inbox_jobs` *before* the job is handled, so a job
 * delivered twice at once still notifies once. A job that fails with an exception is
 * forgotten again and the whole batch answered 500, so the bridge retries it. Done ids are
 * remembered for JOB_MEMORY_DAYS (a daily cron forgets older ones).
 */
final class Space_Inbox_Jobs {

	/** Job kind: an admin read a conversation. */
	const KIND_CONVERSATION_READ = 'conversation_read';

	/** Cron hook that forgets old job ids. */
	const PRUNE_HOOK = 'space_inbox_prune_jobs';

	/** Days a done job id is remembered. */
	const JOB_MEMORY_DAYS = 30;

	/**
	 * Name of the done-jobs table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'space_inbox_jobs';
	}

	/**
	 * The CREATE TABLE statement of the done-jobs table, for dbDelta().
	 *
	 * @return string
	 */
	public static function schema() {
		global $wpdb;
		$table = self::table();
		return "CREATE TABLE {$table} (
  job_id bigint(20) unsigned NOT NULL,
  done_at datetime NOT NULL,
  PRIMARY KEY  (job_id),
  KEY done_at (done_at)
) {$wpdb->get_charset_collate()};";
	}

	/**
	 * Handle a batch of jobs, each id at most once.
	 *
	 * @param array[] $jobs Jobs: `id`, `kind`, `user_id`, `created_at`, `data`.
	 * @return int[]|WP_Error IDs of the jobs done (now or before), or WP_Error (status
	 *                        500) when one failed; the batch is then retried by the bridge.
	 */
	public static function handle_jobs( array $jobs ) {
		$done = array();
		foreach ( $jobs as $job ) {
			$id = (int) $job['id'];
			if ( ! self::claim( $id ) ) {
				$done[] = $id; // Done before: notify nobody twice.
				continue;
			}
			try {
				self::handle_job( $job );
			} catch ( Throwable $e ) {
				self::unclaim( $id );
				return new WP_Error(
					'space_inbox_job_failed',
					sprintf(
						/* translators: 1: job ID, 2: error message. */
						__( 'Notification job %1$d failed: %2$s', 'space-inbox' ),
						$id,
						$e->getMessage()
					),
					array( 'status' => 500 )
				);
			}
			$done[] = $id;
		}
		return $done;
	}

	/**
	 * Record a job id as done, unless it already is.
	 *
	 * @param int $job_id Job ID.
	 * @return bool True when this call recorded it (the job is to be handled now).
	 */
	private static function claim( $job_id ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$rows = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$table} (job_id, done_at) VALUES (%d, %s)", $job_id, gmdate( 'Y-m-d H:i:s' ) ) );
		return 1 === (int) $rows;
	}

	/**
	 * Forget a job id whose handling failed.
	 *
	 * @param int $job_id Job ID.
	 * @return void
	 */
	private static function unclaim( $job_id ) {
		global $wpdb;
		$wpdb->delete( self::table(), array( 'job_id' => (int) $job_id ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}

	/**
	 * Forget job ids older than JOB_MEMORY_DAYS (daily cron).
	 *
	 * @return void
	 */
	public static function prune_jobs() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE done_at < %s", gmdate( 'Y-m-d H:i:s', time() - self::JOB_MEMORY_DAYS * DAY_IN_SECONDS ) ) );
	}

	/**
	 * Handle one job.
	 *
	 * @param array $job Job.
	 * @return void
	 */
	private static function handle_job( array $job ) {
		$user = get_userdata( (int) $job['user_id'] );
		$data = isset( $job['data'] ) && is_array( $job['data'] ) ? $job['data'] : array();
		if ( ! $user ) {
			return; // The user is gone: nobody to tell.
		}
		switch ( (string) $job['kind'] ) {
			case Space_Inbox_Notifications::ACTION_MEMBER_MESSAGE:
				Space_Inbox_Notifications::member_message( $user, $data );
				break;
			case Space_Inbox_Notifications::ACTION_SPACE_REPLY:
				Space_Inbox_Notifications::space_reply( $user, $data );
				break;
			case Space_Inbox_Notifications::ACTION_NOTE_MENTION:
				Space_Inbox_Notifications::note_mention( $user, $data );
				break;
			case Space_Inbox_Notifications::ACTION_ASSIGNED:
				Space_Inbox_Notifications::assigned( $user, $data );
				break;
			case Space_Inbox_Notifications::KIND_ANSWER_REPORTED:
				Space_Inbox_Notifications::answer_reported( $user, $data );
				Space_Inbox_BuddyBoss_Moderation::forward( $user, $data );
				break;
			case Space_Inbox_Email_Digest::KIND:
				Space_Inbox_Email_Digest::send( $user, $data );
				break;
			case self::KIND_CONVERSATION_READ:
				Space_Inbox_Notifications::conversation_read( $user, $data );
				break;
			default:
				// A kind this version does not know: done, so it does not block the rest.
				break;
		}

		/**
		 * Fires after the plugin handled a notification job from the bridge.
		 *
		 * @param array   $job  The job: `id`, `kind`, `user_id`, `created_at`, `data`.
		 * @param WP_User $user The user it was for.
		 */
		do_action( 'space_inbox_job_handled', $job, $user );
	}
}
