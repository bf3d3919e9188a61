<?php
/**
 * The wp-admin screen "Space Inbox reports", for the site's moderators.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The members' reports of Spaces' answers (see Space_Inbox_Moderation): the list, and each
 * report with the answer, which admin of the Space wrote it, the whole conversation, whether
 * the member reads the answer, and its closing. Read through the bridge's signed moderation
 * calls, made only once WordPress said the user may moderate.
 */
final class Space_Inbox_Reports_Screen {

	/**
	 * The screen: the list of reports, or one report with its conversation.
	 *
	 * @return void
	 */
	public static function render() {
		if ( ! current_user_can( Space_Inbox_Moderation::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'space-inbox' ), 403 );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- reading, not changing.
		$report_id = isset( $_GET['report'] ) ? absint( $_GET['report'] ) : 0;
		$status    = isset( $_GET['status'] ) ? sanitize_key( $_GET['status'] ) : 'open';
		$closed    = isset( $_GET['closed'] );
		$hidden    = isset( $_GET['hidden'] ) ? absint( $_GET['hidden'] ) : -1;
		// phpcs:enable WordPress.Security.NonceVerification.Recommended
		echo '<div class="wrap space-inbox-reports"><h1>' . esc_html__( 'Space Inbox reports', 'space-inbox' ) . '</h1>';
		echo '<p class="description">' . esc_html__( 'Members report answers of Spaces here. You see which admin of the Space wrote each one; the member who reported it never does.', 'space-inbox' ) . '</p>';
		if ( $closed ) {
			echo '<div class="notice notice-success"><p>' . esc_html__( 'The report is closed.', 'space-inbox' ) . '</p></div>';
		}
		if ( -1 !== $hidden ) {
			echo '<div class="notice notice-success"><p>' . esc_html( 1 === $hidden ? __( 'The answer is hidden from the member.', 'space-inbox' ) : __( 'The member reads the answer again.', 'space-inbox' ) ) . '</p></div>';
		}
		if ( $report_id ) {
			self::render_report( $report_id );
		} else {
			self::render_list( in_array( $status, array( 'open', 'resolved', 'all' ), true ) ? $status : 'open' );
		}
		echo '</div>';
	}

	/**
	 * The reports, newest first.
	 *
	 * @param string $status open, resolved or all.
	 * @return void
	 */
	private static function render_list( $status ) {
		$tabs = array(
			'open'     => __( 'Open', 'space-inbox' ),
			'resolved' => __( 'Closed', 'space-inbox' ),
			'all'      => __( 'All', 'space-inbox' ),
		);
		echo '<nav class="nav-tab-wrapper" aria-label="' . esc_attr__( 'Reports', 'space-inbox' ) . '">';
		foreach ( $tabs as $key => $label ) {
			printf(
				'<a href="%1$s" class="nav-tab%2$s"%3$s>%4$s</a>',
				esc_url( Space_Inbox_Moderation::url( array( 'status' => $key ) ) ),
				$key === $status ? ' nav-tab-active' : '',
				$key === $status ? ' aria-current="page"' : '',
				esc_html( $label )
			);
		}
		echo '</nav>';
		$answer = ( new Space_Inbox_Bridge_Client() )->moderation( 'reports', array( 'status' => $status ) );
		if ( is_wp_error( $answer ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html( $answer->get_error_message() ) . '</p></div>';
			return;
		}
		$reports = isset( $answer['reports'] ) && is_array( $answer['reports'] ) ? $answer['reports'] : array();
		if ( array() === $reports ) {
			echo '<p>' . esc_html__( 'No reports here.', 'space-inbox' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped"><thead><tr>';
		foreach ( array( __( 'Reported', 'space-inbox' ), __( 'Space', 'space-inbox' ), __( 'Answer', 'space-inbox' ), __( 'Written by', 'space-inbox' ), __( 'Reason', 'space-inbox' ), __( 'Reported by', 'space-inbox' ), __( 'Status', 'space-inbox' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $reports as $report ) {
			echo '<tr>';
			echo '<td><a href="' . esc_url( Space_Inbox_Moderation::url( array( 'report' => (int) $report['id'] ) ) ) . '">' . esc_html( self::when( $report['created_at'] ) ) . '</a></td>';
			echo '<td>' . esc_html( $report['space']['name'] ) . '</td>';
			echo '<td>' . esc_html( wp_html_excerpt( $report['message']['body'], 120, '…' ) ) . '</td>';
			echo '<td>' . esc_html( self::author( $report['message']['author'] ) ) . '</td>';
			echo '<td>' . esc_html( Space_Inbox_Moderation::reason( $report['reason'] ) ) . ( '' !== $report['details'] ? '<br><em>' . esc_html( $report['details'] ) . '</em>' : '' ) . '</td>';
			echo '<td>' . esc_html( $report['member']['name'] ) . '</td>';
			echo '<td>' . esc_html( null === $report['resolved_at'] ? __( 'Open', 'space-inbox' ) : __( 'Closed', 'space-inbox' ) )
				. ( null !== $report['hidden_at'] ? '<br>' . esc_html__( 'Hidden from the member', 'space-inbox' ) : '' ) . '</td>';
			echo '</tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * One report: the answer and its author, the whole conversation, and its closing.
	 *
	 * @param int $report_id Report ID.
	 * @return void
	 */
	private static function render_report( $report_id ) {
		echo '<p><a href="' . esc_url( Space_Inbox_Moderation::url() ) . '">' . esc_html__( '← All reports', 'space-inbox' ) . '</a></p>';
		$answer = ( new Space_Inbox_Bridge_Client() )->moderation( 'reports/' . $report_id, array() );
		if ( is_wp_error( $answer ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html( $answer->get_error_message() ) . '</p></div>';
			return;
		}
		$report = $answer['report'];
		printf(
			'<h2>%s</h2>',
			esc_html(
				sprintf(
					/* translators: 1: name of the Space, 2: name of the Space admin who wrote the answer. */
					__( 'An answer of %1$s, written by %2$s', 'space-inbox' ),
					$report['space']['name'],
					self::author( $report['message']['author'] )
				)
			)
		);
		echo '<table class="form-table" role="presentation"><tbody>';
		$rows = array(
			__( 'Reported by', 'space-inbox' ) => $report['member']['name'],
			__( 'Reported', 'space-inbox' )    => self::when( $report['created_at'] ),
			__( 'Reason', 'space-inbox' )      => Space_Inbox_Moderation::reason( $report['reason'] ),
			__( 'Their words', 'space-inbox' ) => '' !== $report['details'] ? $report['details'] : '—',
		);
		foreach ( $rows as $label => $value ) {
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . esc_html( $value ) . '</td></tr>';
		}
		echo '</tbody></table>';
		echo '<h2>' . esc_html__( 'The conversation', 'space-inbox' ) . '</h2><ol class="space-inbox-reports__conversation">';
		foreach ( $answer['messages'] as $message ) {
			$reported = (int) $message['id'] === (int) $report['message']['id'];
			$who      = 'member' === $message['from'] ? $report['member']['name'] : sprintf(
				/* translators: 1: name of the Space, 2: who on its team wrote the answer. */
				__( '%1$s (written by %2$s)', 'space-inbox' ),
				$report['space']['name'],
				self::author( $message['author'] )
			);
			printf(
				'<li%1$s><p><strong>%2$s</strong> · %3$s%4$s</p><blockquote>%5$s</blockquote></li>',
				$reported ? ' class="is-reported"' : '',
				esc_html( $who ),
				esc_html( self::when( $message['created_at'] ) ),
				$reported ? ' · <mark>' . esc_html__( 'reported', 'space-inbox' ) . '</mark>' : '',
				nl2br( esc_html( $message['body'] ) )
			);
		}
		echo '</ol>';
		self::render_hiding( $report );
		if ( null !== $report['resolved_at'] ) {
			printf(
				'<p>%s</p>',
				esc_html(
					sprintf(
						/* translators: 1: moderator's name, 2: when, 3: what they did. */
						__( 'Closed by %1$s, %2$s: %3$s', 'space-inbox' ),
						$report['resolved_by'] ? $report['resolved_by']['name'] : '—',
						self::when( $report['resolved_at'] ),
						'' !== $report['outcome'] ? $report['outcome'] : '—'
					)
				)
			);
			return;
		}
		echo '<h2>' . esc_html__( 'Close the report', 'space-inbox' ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		wp_nonce_field( Space_Inbox_Moderation::RESOLVE_ACTION . '_' . $report_id );
		echo '<input type="hidden" name="action" value="' . esc_attr( Space_Inbox_Moderation::RESOLVE_ACTION ) . '">';
		echo '<input type="hidden" name="report" value="' . esc_attr( (string) $report_id ) . '">';
		echo '<p><label for="space-inbox-outcome">' . esc_html__( 'What you did (the record keeps it)', 'space-inbox' ) . '</label><br>';
		echo '<textarea id="space-inbox-outcome" class="large-text" name="outcome" rows="3" cols="60" maxlength="' . esc_attr( (string) Space_Inbox_Limits::REPORT_OUTCOME_MAX ) . '"></textarea></p>';
		submit_button( __( 'Close the report', 'space-inbox' ) );
		echo '</form>';
	}

	/**
	 * Whether the member reads the answer, and the button that changes it.
	 *
	 * @param array $report The report, as the bridge gives it.
	 * @return void
	 */
	private static function render_hiding( array $report ) {
		$hidden = null !== $report['hidden_at'];
		echo '<h2>' . esc_html__( 'The answer, for the member', 'space-inbox' ) . '</h2><p>';
		if ( $hidden ) {
			echo esc_html(
				sprintf(
					/* translators: 1: moderator's name, 2: when. */
					__( 'Hidden from the member by %1$s, %2$s. The member reads that the site’s moderators removed it; the Space’s team still reads it.', 'space-inbox' ),
					$report['hidden_by'] ? $report['hidden_by']['name'] : '—',
					self::when( $report['hidden_at'] )
				)
			);
		} else {
			esc_html_e( 'The member reads it. Hidden, it is replaced for them by a line saying that the site’s moderators removed it; the Space’s team still reads it.', 'space-inbox' );
		}
		echo '</p><form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		wp_nonce_field( Space_Inbox_Moderation::HIDE_ACTION . '_' . (int) $report['id'] );
		echo '<input type="hidden" name="action" value="' . esc_attr( Space_Inbox_Moderation::HIDE_ACTION ) . '">';
		echo '<input type="hidden" name="report" value="' . esc_attr( (string) (int) $report['id'] ) . '">';
		echo '<input type="hidden" name="hidden" value="' . ( $hidden ? '0' : '1' ) . '">';
		submit_button( $hidden ? __( 'Show it to the member again', 'space-inbox' ) : __( 'Hide it from the member', 'space-inbox' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	/**
	 * Who wrote an answer, for moderators.
	 *
	 * @param array|null $author `id`, `name`; null for the Space's automatic away answer.
	 * @return string
	 */
	private static function author( $author ) {
		return is_array( $author ) ? (string) $author['name'] : __( 'nobody: the Space’s automatic away answer', 'space-inbox' );
	}

	/**
	 * A bridge time in the site's format and time zone.
	 *
	 * @param string $iso ISO 8601 UTC.
	 * @return string
	 */
	private static function when( $iso ) {
		$time = strtotime( (string) $iso );
		return false === $time ? '' : wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time );
	}
}
