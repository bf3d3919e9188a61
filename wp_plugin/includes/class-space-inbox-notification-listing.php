<?php
/**
 * The plugin's notifications as BuddyPress and BuddyBoss list them.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Teaches BuddyPress (and BuddyBoss) to list, word and picture the `space_inbox`
 * component's notifications, which Space_Inbox_Notifications adds: the Space's name and
 * picture, never an admin's.
 */
final class Space_Inbox_Notification_Listing {

	/**
	 * Register the component, so that BuddyPress lists and counts its notifications.
	 *
	 * @param string[] $names Registered component names.
	 * @return string[]
	 */
	public static function register_component( $names ) {
		$names = is_array( $names ) ? $names : array();
		if ( ! in_array( Space_Inbox_Notifications::COMPONENT, $names, true ) ) {
			$names[] = Space_Inbox_Notifications::COMPONENT;
		}
		return $names;
	}

	/**
	 * BuddyBoss Platform: a `space_inbox` notification is never "read-only".
	 *
	 * Platform takes a notification's secondary_item_id for a user and, when no user has
	 * that id, strips the notification's links; ours holds a conversation id.
	 *
	 * @param bool   $read_only    Whether Platform would show it as read-only.
	 * @param object $notification The notification.
	 * @return bool
	 */
	public static function keep_links( $read_only, $notification ) {
		return self::is_ours( $notification ) ? false : $read_only;
	}

	/**
	 * Whether a BuddyPress notification is one of this plugin's.
	 *
	 * @param mixed $notification A notification object, or anything else.
	 * @return bool
	 */
	private static function is_ours( $notification ) {
		return is_object( $notification ) && isset( $notification->component_name ) && Space_Inbox_Notifications::COMPONENT === $notification->component_name;
	}

	/**
	 * BuddyBoss Platform (`bb_notification_avatar_space_inbox`): the Space's picture and
	 * link in the notification lists and the header dropdown, instead of the avatar of the
	 * user whose id equals the conversation id.
	 *
	 * @return void
	 */
	public static function buddyboss_avatar() {
		$notification = self::current_notification();
		if ( ! $notification ) {
			return;
		}
		$space_id = (int) $notification->item_id;
		printf(
			'<a href="%1$s"><img class="avatar space-inbox-notification-avatar" src="%2$s" alt="%3$s" width="50" height="50"></a>',
			esc_url( (string) get_permalink( $space_id ) ),
			esc_url( self::space_image_url( $space_id ) ),
			esc_attr( Space_Inbox_Notifications::title_of( $space_id ) )
		);
	}

	/**
	 * BuddyBoss Platform (`bb_notification_avatar_url`): the Space's picture as the image
	 * of a `space_inbox` notification (apps, on-screen popups).
	 *
	 * @param string $url          Image URL so far.
	 * @param object $notification The notification.
	 * @return string
	 */
	public static function buddyboss_avatar_url( $url, $notification = null ) {
		if ( self::is_ours( $notification ) ) {
			return self::space_image_url( (int) $notification->item_id );
		}
		return $url;
	}

	/**
	 * The notification of the notifications loop under way, if it is one of ours.
	 *
	 * @return object|null
	 */
	private static function current_notification() {
		if ( ! function_exists( 'buddypress' ) ) {
			return null;
		}
		$bp   = buddypress();
		$loop = isset( $bp->notifications->query_loop ) ? $bp->notifications->query_loop : null;
		$item = $loop && isset( $loop->notification ) ? $loop->notification : null;
		return self::is_ours( $item ) ? $item : null;
	}

	/**
	 * The picture of a Space: its own (Space_Inbox_Spaces::picture_url()), else the site
	 * icon, else a neutral placeholder (never a person's avatar: answers come from the Space).
	 *
	 * @param int $space_id Space post ID.
	 * @return string
	 */
	public static function space_image_url( $space_id ) {
		$url = $space_id > 0 ? Space_Inbox_Spaces::picture_url( $space_id ) : '';
		if ( ! $url ) {
			$url = get_site_icon_url( 96 );
		}
		if ( ! $url ) {
			$url = SPACE_INBOX_URL . 'assets/space.svg';
		}

		/**
		 * Filters the picture of a Space in notifications.
		 *
		 * @since 0.1.0
		 *
		 * @param string $url      Image URL.
		 * @param int    $space_id Space post ID.
		 */
		return (string) apply_filters( 'space_inbox_space_image_url', $url, (int) $space_id );
	}

	/**
	 * Word a `space_inbox` notification (`bp_notifications_get_notifications_for_user`);
	 * other components' notifications pass through.
	 *
	 * @param mixed  $content           Content so far (the action, for plugins).
	 * @param int    $item_id           Space post ID.
	 * @param int    $secondary_item_id Conversation ID.
	 * @param int    $total             Notifications grouped in this one.
	 * @param string $format            'string', 'object' or 'array'.
	 * @param string $action            Component action.
	 * @param string $component         Component name.
	 * @param int    $id                Notification ID.
	 * @param string $screen            BuddyBoss: where it is shown.
	 * @return mixed
	 */
	public static function format( $content, $item_id = 0, $secondary_item_id = 0, $total = 1, $format = 'string', $action = '', $component = '', $id = 0, $screen = '' ) {
		if ( Space_Inbox_Notifications::COMPONENT !== $component ) {
			return $content;
		}
		$total = max( 1, (int) $total );
		if ( Space_Inbox_Notifications::ACTION_MEMBER_MESSAGE === $action ) {
			if ( $total > 1 ) {
				/* translators: %d: number of conversations. */
				$text = sprintf( _n( '%d conversation with new messages for your Spaces', '%d conversations with new messages for your Spaces', $total, 'space-inbox' ), $total );
				// Several Spaces may be waiting: the inbox opens on one with unread messages.
				$link = Space_Inbox_Options::member_inbox_url();
			} else {
				/* translators: %s: name of the Space. */
				$text = sprintf( __( 'New message for %s', 'space-inbox' ), Space_Inbox_Notifications::title_of( (int) $item_id ) );
				$link = Space_Inbox_Options::team_inbox_url( (int) $item_id, (int) $secondary_item_id );
			}
		} elseif ( Space_Inbox_Notifications::ACTION_SPACE_REPLY === $action ) {
			if ( $total > 1 ) {
				/* translators: %d: number of Spaces. */
				$text = sprintf( _n( '%d Space answered you', '%d Spaces answered you', $total, 'space-inbox' ), $total );
				$link = Space_Inbox_Options::member_inbox_url();
			} else {
				/* translators: %s: name of the Space. */
				$text = sprintf( __( '%s answered you', 'space-inbox' ), Space_Inbox_Notifications::title_of( (int) $item_id ) );
				$link = Space_Inbox_Options::member_inbox_url( (int) $item_id );
			}
		} elseif ( Space_Inbox_Notifications::ACTION_NOTE_MENTION === $action ) {
			if ( $total > 1 ) {
				/* translators: %d: number of conversations. */
				$text = sprintf( _n( 'Your team mentioned you in notes in %d conversation', 'Your team mentioned you in notes in %d conversations', $total, 'space-inbox' ), $total );
				$link = Space_Inbox_Options::member_inbox_url();
			} else {
				/* translators: %s: name of the Space. */
				$text = sprintf( __( 'You were mentioned in a note for %s', 'space-inbox' ), Space_Inbox_Notifications::title_of( (int) $item_id ) );
				$link = Space_Inbox_Options::team_inbox_url( (int) $item_id, (int) $secondary_item_id );
			}
		} elseif ( Space_Inbox_Notifications::ACTION_ASSIGNED === $action ) {
			if ( $total > 1 ) {
				/* translators: %d: number of conversations. */
				$text = sprintf( _n( '%d conversation was given to you', '%d conversations were given to you', $total, 'space-inbox' ), $total );
				$link = Space_Inbox_Options::member_inbox_url();
			} else {
				/* translators: %s: name of the Space. */
				$text = sprintf( __( 'A conversation of %s was given to you', 'space-inbox' ), Space_Inbox_Notifications::title_of( (int) $item_id ) );
				$link = Space_Inbox_Options::team_inbox_url( (int) $item_id, (int) $secondary_item_id );
			}
		} else {
			return $content;
		}
		if ( 'string' === $format ) {
			return '<a href="' . esc_url( $link ) . '">' . esc_html( $text ) . '</a>';
		}
		return array(
			'text' => $text,
			'link' => $link,
		);
	}
}
