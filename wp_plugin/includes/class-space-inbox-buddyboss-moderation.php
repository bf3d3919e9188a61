<?php
/**
 * Members' reports of Spaces' answers in BuddyBoss' moderation.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * With BuddyBoss Platform's moderation component on, a member's report of a Space's answer
 * also appears in BuddyBoss' Reported Content (Moderation), as a "Space answer": reported by
 * the member, with the reason and their words, owned by the admin of the Space who wrote it
 * (so that BuddyBoss can suspend them), its "View Content" leading to the report's page on
 * the plugin's screen (the conversation, who wrote each answer, the closing). Hiding it
 * there hides the answer from the member, as the plugin's screen does; showing it again
 * shows it. The bridge keeps the report; BuddyBoss keeps its own record of it.
 *
 * A member's report is always taken (the plugin's own feature): BuddyBoss' per-type
 * reporting switch is on for this type, and its automatic hiding after a number of reports
 * off (a Space's answer is hidden by a moderator's decision only).
 */
final class Space_Inbox_BuddyBoss_Moderation {

	/** The content type, as BuddyBoss' tables keep it (20 characters at most). */
	const TYPE = 'space_inbox_answer';

	/** Moderation meta: the bridge's report. */
	const META_REPORT = 'space_inbox_report';

	/** Moderation meta: the admin who wrote the answer (0 for the away answer). */
	const META_AUTHOR = 'space_inbox_author';

	/**
	 * The report being forwarded, by message, while BuddyBoss saves it.
	 *
	 * @var int[]
	 */
	private static $forwarding = array();

	/**
	 * Whether BuddyBoss' moderation is on.
	 *
	 * @return bool
	 */
	public static function active() {
		return function_exists( 'bp_is_active' ) && bp_is_active( 'moderation' )
			&& class_exists( 'BP_Moderation_Abstract' ) && function_exists( 'bp_moderation_add' );
	}

	/**
	 * Register the content type (on `bp_init`, after BuddyBoss registers its own).
	 *
	 * @return void
	 */
	public static function load() {
		if ( ! self::active() ) {
			return;
		}
		require_once __DIR__ . '/buddyboss/class-space-inbox-moderation-answer.php'; // Not with the rest: it extends BuddyBoss' class.
		new Space_Inbox_Moderation_Answer();
		add_filter( 'bp_is_moderation_content_reporting_enable', array( __CLASS__, 'reporting' ), 10, 2 );
		add_filter( 'bp_is_moderation_auto_hide_enable', array( __CLASS__, 'auto_hide' ), 10, 2 );
		add_action( 'bp_suspend_hide_' . self::TYPE, array( __CLASS__, 'keep_hidden' ), 10, 2 );
		add_action( 'bp_suspend_unhide_' . self::TYPE, array( __CLASS__, 'keep_shown' ), 10, 2 );
	}

	/**
	 * Reports of Spaces' answers are always taken.
	 *
	 * @param bool   $enabled As the site set it.
	 * @param string $type    Content type.
	 * @return bool
	 */
	public static function reporting( $enabled, $type ) {
		return self::TYPE === $type ? true : $enabled;
	}

	/**
	 * Never hidden by a count of reports.
	 *
	 * @param bool   $enabled As the site set it.
	 * @param string $type    Content type.
	 * @return bool
	 */
	public static function auto_hide( $enabled, $type ) {
		return self::TYPE === $type ? false : $enabled;
	}

	/**
	 * A member reported an answer (the `answer_reported` job): report it in BuddyBoss, as
	 * the member, with the reason and their words.
	 *
	 * @param WP_User $member The member.
	 * @param array   $data   The job's `report_id`, `message_id`, `space_name`, `reason`,
	 *                        `details`.
	 * @return void
	 */
	public static function forward( WP_User $member, array $data ) {
		$message_id = isset( $data['message_id'] ) ? (int) $data['message_id'] : 0;
		$report_id  = isset( $data['report_id'] ) ? (int) $data['report_id'] : 0;
		if ( ! self::active() || ! class_exists( 'Space_Inbox_Moderation_Answer' ) || ! $message_id || ! $report_id ) {
			return;
		}
		$reason = Space_Inbox_Moderation::reason( isset( $data['reason'] ) ? (string) $data['reason'] : '' );
		$words  = isset( $data['details'] ) && is_string( $data['details'] ) ? trim( wp_strip_all_tags( $data['details'] ) ) : '';
		$note   = sprintf(
			/* translators: 1: name of the Space, 2: the reason. */
			__( 'An answer of %1$s: %2$s', 'space-inbox' ),
			isset( $data['space_name'] ) ? (string) $data['space_name'] : '',
			$reason
		) . ( '' !== $words ? ' — ' . $words : '' );
		$reporter = static function () use ( $member ) {
			return $member->ID;
		};
		self::$forwarding[ $message_id ] = $report_id;
		add_filter( 'bp_moderation_user_id_before_save', $reporter );
		$moderation = bp_moderation_add(
			array(
				'content_id'   => $message_id,
				'content_type' => self::TYPE,
				'category_id'  => 0, // BuddyBoss' "Other": the plugin's reasons are its own.
				'note'         => $note,
			)
		);
		remove_filter( 'bp_moderation_user_id_before_save', $reporter );
		unset( self::$forwarding[ $message_id ] );
		if ( $moderation instanceof BP_Moderation && $moderation->id ) {
			bp_moderation_update_meta( $moderation->id, self::META_REPORT, $report_id );
		}
	}

	/**
	 * The bridge's report of an answer reported in BuddyBoss.
	 *
	 * @param int $message_id The answer.
	 * @return int 0 if none.
	 */
	public static function report_id( $message_id ) {
		if ( isset( self::$forwarding[ $message_id ] ) ) {
			return self::$forwarding[ $message_id ];
		}
		$moderation_id = self::moderation_id( $message_id );
		return $moderation_id ? (int) bp_moderation_get_meta( $moderation_id, self::META_REPORT, true ) : 0;
	}

	/**
	 * Who wrote a reported answer: asked of the bridge once, then kept with BuddyBoss' record.
	 *
	 * @param int $message_id The answer.
	 * @return int The admin, or 0 (the away answer, or not known yet).
	 */
	public static function author_id( $message_id ) {
		$moderation_id = self::moderation_id( $message_id );
		$kept          = $moderation_id ? bp_moderation_get_meta( $moderation_id, self::META_AUTHOR, true ) : '';
		if ( '' !== $kept && false !== $kept ) {
			return (int) $kept;
		}
		$report_id = self::report_id( $message_id );
		if ( ! $report_id ) {
			return 0;
		}
		$answer = ( new Space_Inbox_Bridge_Client() )->moderation( 'reports/' . $report_id, array() );
		if ( is_wp_error( $answer ) || ! isset( $answer['report']['message'] ) ) {
			return 0; // Asked again next time.
		}
		$author    = $answer['report']['message']['author'];
		$author_id = is_array( $author ) ? (int) $author['id'] : 0;
		if ( $moderation_id ) {
			bp_moderation_update_meta( $moderation_id, self::META_AUTHOR, $author_id );
		}
		return $author_id;
	}

	/**
	 * Hide the answer from the member, or show it again, through the bridge, as the current
	 * user (BuddyBoss checked they may moderate; the plugin checks they may moderate its
	 * reports).
	 *
	 * @param int  $message_id The answer.
	 * @param bool $hidden     Hide (true) or show.
	 * @return bool Whether it was done.
	 */
	public static function set_hidden( $message_id, $hidden ) {
		$report_id = self::report_id( $message_id );
		if ( ! $report_id || ! current_user_can( Space_Inbox_Moderation::CAP ) ) {
			return false;
		}
		return ! is_wp_error( Space_Inbox_Moderation::set_hidden( $report_id, $hidden ) );
	}

	/**
	 * BuddyBoss hid the answer: keep that in its own record (its "Hidden" mark).
	 *
	 * @param int      $message_id    The answer.
	 * @param int|null $hide_sitewide Hidden for everyone.
	 * @return void
	 */
	public static function keep_hidden( $message_id, $hide_sitewide ) {
		BP_Core_Suspend::add_suspend(
			array(
				'item_id'       => (int) $message_id,
				'item_type'     => self::TYPE,
				'hide_sitewide' => (int) $hide_sitewide,
			)
		);
	}

	/**
	 * BuddyBoss showed the answer again: keep that in its own record.
	 *
	 * @param int      $message_id    The answer.
	 * @param int|null $hide_sitewide Hidden for everyone.
	 * @return void
	 */
	public static function keep_shown( $message_id, $hide_sitewide ) {
		BP_Core_Suspend::remove_suspend(
			array(
				'item_id'       => (int) $message_id,
				'item_type'     => self::TYPE,
				'hide_sitewide' => (int) $hide_sitewide,
			)
		);
	}

	/**
	 * A member's data was erased: their reports of answers go from BuddyBoss too.
	 *
	 * @param int $user_id The member.
	 * @return void
	 */
	public static function forget_reporter( $user_id ) {
		if ( ! self::active() ) {
			return;
		}
		global $wpdb;
		$bp = buddypress();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery, WordPress.DB.DirectDatabaseQuery.NoCaching -- BuddyBoss' own tables, no API lists a reporter's reports.
		$items = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT s.id, s.item_id FROM {$bp->moderation->table_name} s JOIN {$bp->moderation->table_name_reports} r ON r.moderation_id = s.id WHERE s.item_type = %s AND r.user_id = %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names.
				self::TYPE,
				(int) $user_id
			)
		);
		foreach ( $items as $item ) {
			BP_Moderation::delete_moderation_by_id( (int) $item->id );
			BP_Core_Suspend::delete_suspend( (int) $item->item_id, self::TYPE );
		}
	}

	/**
	 * BuddyBoss' record of a reported answer.
	 *
	 * @param int $message_id The answer.
	 * @return int 0 if none.
	 */
	private static function moderation_id( $message_id ) {
		return (int) BP_Moderation::check_moderation_exist( (int) $message_id, self::TYPE, true );
	}
}
