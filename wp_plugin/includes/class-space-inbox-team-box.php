<?php
/**
 * The "Space team" box of a Space's edit screen.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The "Space team" meta box: who answers a Space's messages besides its author, added
 * and removed by login or e-mail, with a notice of what was done.
 */
final class Space_Inbox_Team_Box {

	/** Nonce action and field of the team meta box. */
	const NONCE_ACTION = 'space_inbox_save_team';
	const NONCE_FIELD  = 'space_inbox_team_nonce';

	/** Query argument carrying a meta box message across the redirect after saving. */
	const NOTICE_ARG = 'space_inbox_team_notice';

	/**
	 * Add the "Space team" meta box to the Space edit screen.
	 *
	 * @return void
	 */
	public static function add_meta_box() {
		add_meta_box(
			'space-inbox-team',
			__( 'Space team', 'space-inbox' ),
			array( __CLASS__, 'render_meta_box' ),
			Space_Inbox_Options::post_type(),
			'side'
		);
	}

	/**
	 * Render the "Space team" meta box.
	 *
	 * @param WP_Post $post The Space being edited.
	 * @return void
	 */
	public static function render_meta_box( $post ) {
		wp_nonce_field( self::NONCE_ACTION, self::NONCE_FIELD );
		$author = get_userdata( (int) $post->post_author );
		echo '<p>' . esc_html__( 'Team members answer this Space’s messages, as the Space.', 'space-inbox' ) . '</p>';
		echo '<ul>';
		if ( $author ) {
			echo '<li>' . esc_html(
				sprintf(
					/* translators: %s: display name of the Space's author. */
					__( '%s (author)', 'space-inbox' ),
					$author->display_name
				)
			) . '</li>';
		}
		foreach ( Space_Inbox_Spaces::team( $post->ID ) as $user_id ) {
			$user = get_userdata( $user_id );
			if ( ! $user || (int) $post->post_author === $user_id ) {
				continue;
			}
			$field = 'space-inbox-remove-' . $user_id;
			printf(
				'<li><input type="checkbox" id="%1$s" name="space_inbox_team_remove[]" value="%2$d" /> <label for="%1$s">%3$s</label></li>',
				esc_attr( $field ),
				(int) $user_id,
				esc_html(
					sprintf(
						/* translators: 1: display name, 2: login of a team member. */
						__( 'Remove %1$s (%2$s)', 'space-inbox' ),
						$user->display_name,
						$user->user_login
					)
				)
			);
		}
		echo '</ul>';
		printf(
			'<p><label for="space-inbox-team-add">%1$s</label><br /><input type="text" class="widefat" id="space-inbox-team-add" name="space_inbox_team_add" value="" autocomplete="off" aria-describedby="space-inbox-team-add-help" /></p><p class="description" id="space-inbox-team-add-help">%2$s</p>',
			esc_html__( 'Add a team member', 'space-inbox' ),
			esc_html__( 'Username or e-mail address; separate several with commas. Saved with the Space.', 'space-inbox' )
		);
	}

	/**
	 * Save the "Space team" meta box.
	 *
	 * Hooked to `save_post_{type}`, which runs before `wp_after_insert_post`, so the event
	 * sent for this save already carries the new team.
	 *
	 * @param int $post_id Saved post.
	 * @return void
	 */
	public static function save_meta_box( $post_id ) {
		if ( ! isset( $_POST[ self::NONCE_FIELD ] ) ) {
			return; // Not our form (quick edit, REST, a plugin's wp_update_post).
		}
		if ( wp_is_post_autosave( $post_id ) || wp_is_post_revision( $post_id ) ) {
			return;
		}
		// The meta box is inside the post form, so its referer is checked like WordPress
		// checks the form's own nonce (check_admin_referer would also die on a stale tab).
		if ( ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST[ self::NONCE_FIELD ] ) ), self::NONCE_ACTION ) ) {
			return;
		}
		if ( ! current_user_can( 'edit_post', $post_id ) ) {
			return;
		}

		$remove = isset( $_POST['space_inbox_team_remove'] ) ? array_map( 'absint', (array) wp_unslash( $_POST['space_inbox_team_remove'] ) ) : array();
		foreach ( $remove as $user_id ) {
			if ( $user_id > 0 ) {
				delete_post_meta( $post_id, Space_Inbox_Spaces::TEAM_META, (string) $user_id );
			}
		}

		$add    = isset( $_POST['space_inbox_team_add'] ) ? sanitize_text_field( wp_unslash( $_POST['space_inbox_team_add'] ) ) : '';
		$notice = '';
		$team   = Space_Inbox_Spaces::team( $post_id );
		foreach ( array_filter( array_map( 'trim', explode( ',', $add ) ) ) as $who ) {
			$user = is_email( $who ) ? get_user_by( 'email', $who ) : get_user_by( 'login', $who );
			if ( ! $user ) {
				$notice = 'not_found';
				continue;
			}
			if ( in_array( (int) $user->ID, $team, true ) ) {
				continue;
			}
			// The post author is an admin too, so the stored team keeps one place for them.
			if ( count( $team ) >= Space_Inbox_Limits::TEAM_MAX - 1 ) {
				$notice = 'team_full';
				break;
			}
			add_post_meta( $post_id, Space_Inbox_Spaces::TEAM_META, (string) (int) $user->ID );
			$team[] = (int) $user->ID;
		}
		if ( $notice ) {
			add_filter(
				'redirect_post_location',
				static function ( $location ) use ( $notice ) {
					return add_query_arg( self::NOTICE_ARG, $notice, $location );
				}
			);
		}
	}

	/**
	 * Say on the edit screen that a name added to the team matched no user, or that the team
	 * is full.
	 *
	 * @return void
	 */
	public static function admin_notice() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a display flag only.
		$notice = isset( $_GET[ self::NOTICE_ARG ] ) ? sanitize_key( $_GET[ self::NOTICE_ARG ] ) : '';
		$screen = get_current_screen();
		if ( ! $screen || Space_Inbox_Options::post_type() !== $screen->post_type ) {
			return;
		}
		if ( 'not_found' === $notice ) {
			$text = __( 'Some names added to the Space team match no user: check the username or e-mail address.', 'space-inbox' );
		} elseif ( 'team_full' === $notice ) {
			$text = sprintf(
				/* translators: %d: the most admins a Space may have. */
				__( 'A Space has at most %d admins, its author included: the names after that were not added.', 'space-inbox' ),
				Space_Inbox_Limits::TEAM_MAX
			);
		} else {
			return;
		}
		echo '<div class="notice notice-warning is-dismissible"><p>' . esc_html( $text ) . '</p></div>';
	}
}
