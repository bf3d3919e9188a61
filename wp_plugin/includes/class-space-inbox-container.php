<?php
/**
 * The container an inbox module fills, and what opening an inbox does on the way.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders an inbox's container, with its audience's assets.
 */
final class Space_Inbox_Container {

	/**
	 * The container an inbox module fills (escaped HTML); enqueues that module.
	 *
	 * @param string $mode 'front' (the member's inbox, member-inbox.js, with the switcher to
	 *                     the team inboxes of their Spaces) or 'admin' (a Space team's inbox,
	 *                     team-inbox.js: the wp-admin screen).
	 * @param array  $data Extra data-* values for the module (e.g. 'spaces' in admin mode).
	 * @return string
	 */
	public static function html( $mode, array $data = array() ) {
		if ( 'admin' === $mode ) {
			Space_Inbox_Assets::enqueue_team_inbox();
		} else {
			Space_Inbox_Assets::enqueue_member_inbox();
		}
		self::mark_linked_notifications_read();
		$attrs = sprintf( ' data-space-inbox="%s"', esc_attr( $mode ) );
		foreach ( $data as $key => $value ) {
			$attrs .= sprintf( ' data-%s="%s"', esc_attr( $key ), esc_attr( is_string( $value ) ? $value : wp_json_encode( $value ) ) );
		}
		return sprintf(
			'<div class="space-inbox space-inbox--%1$s"%2$s><p class="space-inbox-loading">%3$s</p><noscript><p>%4$s</p></noscript></div>',
			esc_attr( $mode ),
			$attrs,
			esc_html__( 'Loading…', 'space-inbox' ),
			esc_html__( 'The inbox needs JavaScript.', 'space-inbox' )
		);
	}

	/**
	 * An inbox opened on a conversation (from a notification, an e-mail, a link) marks the
	 * user's own BuddyPress notifications of it read, as BuddyPress does for its messages.
	 * Reading in the inbox marks them too, through the bridge, for the whole team.
	 *
	 * Query: `team` (or `space` in wp-admin) and `conversation` for a team inbox; `space`
	 * alone for the member's conversation with a Space.
	 *
	 * @return void
	 */
	private static function mark_linked_notifications_read() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- link targets, not actions: only the user's own notifications change.
		$team         = isset( $_GET['team'] ) ? absint( $_GET['team'] ) : 0;
		$space        = isset( $_GET['space'] ) ? absint( $_GET['space'] ) : 0;
		$conversation = isset( $_GET['conversation'] ) ? absint( $_GET['conversation'] ) : 0;
		// phpcs:enable
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return;
		}
		if ( is_admin() ) {
			$team  = $space;
			$space = 0;
		}
		if ( $team && $conversation ) {
			Space_Inbox_Notifications::mark_read( $user_id, $team, $conversation, array( Space_Inbox_Notifications::ACTION_MEMBER_MESSAGE, Space_Inbox_Notifications::ACTION_NOTE_MENTION, Space_Inbox_Notifications::ACTION_ASSIGNED ) );
		} elseif ( $space ) {
			Space_Inbox_Notifications::mark_read( $user_id, $space, 0, array( Space_Inbox_Notifications::ACTION_SPACE_REPLY ) );
		}
	}
}
