<?php
/**
 * The site's moderators and the members' reports of Spaces' answers.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Accountable anonymity: members report a Space's answer (the bridge keeps the report);
 * the site's moderators, users with the `space_inbox_moderate` capability (site
 * administrators by default; a role editor grants it to others), are told by e-mail and
 * review the reports on the wp-admin screen "Space Inbox reports" (and, with BuddyBoss'
 * moderation on, in its Reported Content: see Space_Inbox_BuddyBoss_Moderation): each report
 * with the answer, which admin of the Space wrote it, and the whole conversation; they may
 * hide the answer from the member, and close the report with what they did. The member is
 * never told who wrote the answer.
 *
 * The screen (Space_Inbox_Reports_Screen) and the actions here call the bridge signed, made
 * only once WordPress said the user may moderate.
 */
final class Space_Inbox_Moderation {

	/** The capability of the site's moderators. */
	const CAP = 'space_inbox_moderate';

	/** The screen's page slug. */
	const PAGE = 'space-inbox-reports';

	/** admin-post action that closes a report. */
	const RESOLVE_ACTION = 'space_inbox_resolve_report';

	/** admin-post action that hides the reported answer from the member, or shows it again. */
	const HIDE_ACTION = 'space_inbox_hide_answer';

	/**
	 * Site administrators moderate unless the site says otherwise (filter
	 * `space_inbox_administrators_moderate`); others when a role or user has the capability.
	 *
	 * @param bool[] $allcaps The user's capabilities.
	 * @return bool[]
	 */
	public static function grant( $allcaps ) {
		if ( ! empty( $allcaps['manage_options'] ) && empty( $allcaps[ self::CAP ] ) ) {
			/**
			 * Filters whether site administrators moderate Space Inbox reports.
			 *
			 * @param bool $moderate True by default.
			 */
			$allcaps[ self::CAP ] = (bool) apply_filters( 'space_inbox_administrators_moderate', true );
		}
		return $allcaps;
	}

	/**
	 * The moderators, for the e-mail of a new report.
	 *
	 * @return WP_User[]
	 */
	public static function moderators() {
		$candidates = get_users(
			array(
				'capability__in' => array( self::CAP, 'manage_options' ),
				'number'         => 200,
			)
		);
		return array_values(
			array_filter(
				$candidates,
				static function ( WP_User $user ) {
					return user_can( $user, self::CAP );
				}
			)
		);
	}

	/**
	 * The screen, for moderators: under the Space Inbox menu where there is one, else Tools.
	 *
	 * @return void
	 */
	public static function add_menu() {
		if ( ! current_user_can( self::CAP ) ) {
			return;
		}
		global $admin_page_hooks;
		$parent = isset( $admin_page_hooks[ Space_Inbox_Options::ADMIN_INBOX_PAGE ] ) ? Space_Inbox_Options::ADMIN_INBOX_PAGE : 'tools.php';
		add_submenu_page(
			$parent,
			__( 'Space Inbox reports', 'space-inbox' ),
			__( 'Reports', 'space-inbox' ),
			self::CAP,
			self::PAGE,
			array( 'Space_Inbox_Reports_Screen', 'render' )
		);
	}

	/**
	 * The screen's URL.
	 *
	 * @param array $args Query arguments.
	 * @return string
	 */
	public static function url( array $args = array() ) {
		return add_query_arg( array_merge( array( 'page' => self::PAGE ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * Hide the reported answer from the member, or show it again (admin-post), then back to
	 * the report.
	 *
	 * @return void
	 */
	public static function hide() {
		$report_id = isset( $_POST['report'] ) ? absint( $_POST['report'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked next.
		check_admin_referer( self::HIDE_ACTION . '_' . $report_id );
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'space-inbox' ), 403 );
		}
		$hidden = ! empty( $_POST['hidden'] );
		$answer = self::set_hidden( $report_id, $hidden );
		if ( is_wp_error( $answer ) ) {
			wp_die( esc_html( $answer->get_error_message() ), 502 );
		}
		wp_safe_redirect( self::url( array( 'report' => $report_id, 'hidden' => (int) $hidden ) ) );
		exit;
	}

	/**
	 * Ask the bridge to hide a reported answer from its member, or to show it again, as the
	 * current user (who may moderate: the callers checked).
	 *
	 * @param int  $report_id The report.
	 * @param bool $hidden    Hide (true) or show.
	 * @return array|WP_Error The report.
	 */
	public static function set_hidden( $report_id, $hidden ) {
		return ( new Space_Inbox_Bridge_Client() )->moderation(
			'reports/' . (int) $report_id . '/hidden',
			array(
				'moderator_id' => get_current_user_id(),
				'hidden'       => (bool) $hidden,
			)
		);
	}

	/**
	 * Close a report (admin-post), then back to it.
	 *
	 * @return void
	 */
	public static function resolve() {
		$report_id = isset( $_POST['report'] ) ? absint( $_POST['report'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked next.
		check_admin_referer( self::RESOLVE_ACTION . '_' . $report_id );
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'space-inbox' ), 403 );
		}
		$outcome = isset( $_POST['outcome'] ) ? sanitize_textarea_field( wp_unslash( $_POST['outcome'] ) ) : '';
		$answer  = ( new Space_Inbox_Bridge_Client() )->moderation(
			'reports/' . $report_id . '/resolve',
			array(
				'moderator_id' => get_current_user_id(),
				'outcome'      => mb_substr( $outcome, 0, Space_Inbox_Limits::REPORT_OUTCOME_MAX ),
			)
		);
		if ( is_wp_error( $answer ) ) {
			wp_die( esc_html( $answer->get_error_message() ), 502 );
		}
		wp_safe_redirect( self::url( array( 'report' => $report_id, 'closed' => 1 ) ) );
		exit;
	}

	/**
	 * A report's reason, in words.
	 *
	 * @param string $reason As the bridge names it.
	 * @return string
	 */
	public static function reason( $reason ) {
		$words = array(
			'harassment'    => __( 'Rude, threatening or harassing', 'space-inbox' ),
			'hate'          => __( 'Hateful', 'space-inbox' ),
			'scam'          => __( 'A scam or fraud', 'space-inbox' ),
			'spam'          => __( 'Spam', 'space-inbox' ),
			'inappropriate' => __( 'Inappropriate in another way', 'space-inbox' ),
			'other'         => __( 'Something else', 'space-inbox' ),
		);
		return isset( $words[ $reason ] ) ? $words[ $reason ] : (string) $reason;
	}

}
