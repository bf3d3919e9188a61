<?php
/**
 * What the bridge's notification jobs say: BuddyPress notifications and e-mail.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * What each of the bridge's notification jobs says (Space_Inbox_Jobs hands them over,
 * each once): BuddyPress notifications and e-mails (BuddyPress lists them through
 * Space_Inbox_Notification_Listing).
 *
 * Decisions:
 * - One BuddyPress notification per recipient and conversation: a new message replaces
 *   the conversation's earlier notification (deleted, then added), so the list shows
 *   each conversation once, dated by its newest message, and BuddyPress' grouped count
 *   is the number of conversations waiting. E-mail about messages and answers comes
 *   batched by the bridge, within the site's delay (Space_Inbox_Email_Digest).
 * - Text meant for a member names the Space only, never an admin.
 */
final class Space_Inbox_Notifications {

	/** BuddyPress component name. */
	const COMPONENT = 'space_inbox';

	/** Notification actions (= job kinds). */
	const ACTION_MEMBER_MESSAGE = 'member_message';
	const ACTION_SPACE_REPLY    = 'space_reply';
	const ACTION_NOTE_MENTION   = 'note_mention';
	const ACTION_ASSIGNED       = 'assigned';

	/** Job kind: a member reported a Space's answer (the moderators get an e-mail). */
	const KIND_ANSWER_REPORTED = 'answer_reported';

	/**
	 * Whether BuddyPress notifications are available.
	 *
	 * @return bool
	 */
	public static function buddypress_active() {
		return function_exists( 'bp_is_active' ) && bp_is_active( 'notifications' ) && function_exists( 'bp_notifications_add_notification' );
	}

	/**
	 * A member wrote to a Space: tell one of its admins on the site (the e-mail comes
	 * batched, as an `email_digest` job: Space_Inbox_Email_Digest).
	 *
	 * @param WP_User $admin The admin.
	 * @param array   $data  `space_id`, `space_name`, `conversation_id`, `message_id`,
	 *                       `member_id`, `excerpt`.
	 * @return void
	 */
	public static function member_message( WP_User $admin, array $data ) {
		$space_id        = isset( $data['space_id'] ) ? (int) $data['space_id'] : 0;
		$conversation_id = isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0;
		self::add_bp_notification( $admin->ID, self::ACTION_MEMBER_MESSAGE, $space_id, $conversation_id );
	}

	/**
	 * A Space answered a member: tell the member on the site, naming the Space only (the
	 * e-mail comes batched, as an `email_digest` job).
	 *
	 * @param WP_User $member The member.
	 * @param array   $data   `space_id`, `space_name`, `conversation_id`, `message_id`,
	 *                        `excerpt`.
	 * @return void
	 */
	public static function space_reply( WP_User $member, array $data ) {
		$space_id        = isset( $data['space_id'] ) ? (int) $data['space_id'] : 0;
		$conversation_id = isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0;
		self::add_bp_notification( $member->ID, self::ACTION_SPACE_REPLY, $space_id, $conversation_id );
	}

	/**
	 * A teammate mentioned an admin in a private note: tell that admin (team only: the
	 * member is never told of a note).
	 *
	 * @param WP_User $admin The admin mentioned.
	 * @param array   $data  `space_id`, `space_name`, `conversation_id`, `note_id`,
	 *                       `author_id`, `author_name`, `excerpt`.
	 * @return void
	 */
	public static function note_mention( WP_User $admin, array $data ) {
		$space_id        = isset( $data['space_id'] ) ? (int) $data['space_id'] : 0;
		$conversation_id = isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0;
		self::add_bp_notification( $admin->ID, self::ACTION_NOTE_MENTION, $space_id, $conversation_id );

		if ( ! Space_Inbox_Options::email_enabled() ) {
			return;
		}
		$space  = self::space_name( $data );
		$author = isset( $data['author_name'] ) && is_string( $data['author_name'] ) && '' !== trim( $data['author_name'] )
			? trim( wp_strip_all_tags( $data['author_name'] ) )
			: __( 'A teammate', 'space-inbox' );
		/* translators: 1: teammate's display name, 2: name of the Space. */
		$subject = sprintf( __( '%1$s mentioned you in a note for %2$s', 'space-inbox' ), $author, $space );
		$body    = sprintf(
			/* translators: 1: teammate's display name, 2: Space name, 3: note excerpt, 4: link to the conversation. */
			__( "%1\$s wrote a note for %2\$s's team:\n\n%3\$s\n\nOnly the team sees notes. Open the conversation:\n%4\$s", 'space-inbox' ),
			$author,
			$space,
			self::excerpt( $data ),
			Space_Inbox_Options::team_inbox_url( $space_id, $conversation_id )
		);
		self::mail( $admin, $subject, $body, array(), self::ACTION_NOTE_MENTION, $data );
	}

	/**
	 * A teammate gave an admin a conversation, or the Space gave them a new one in turn
	 * (`actor_id` 0): tell that admin (team only).
	 *
	 * @param WP_User $admin The admin it was given to.
	 * @param array   $data  `space_id`, `space_name`, `conversation_id`, `member_id`,
	 *                       `actor_id`, `actor_name`, `excerpt`.
	 * @return void
	 */
	public static function assigned( WP_User $admin, array $data ) {
		$space_id        = isset( $data['space_id'] ) ? (int) $data['space_id'] : 0;
		$conversation_id = isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0;
		self::add_bp_notification( $admin->ID, self::ACTION_ASSIGNED, $space_id, $conversation_id );

		if ( ! Space_Inbox_Options::email_enabled() ) {
			return;
		}
		$space  = self::space_name( $data );
		$actor  = isset( $data['actor_name'] ) && is_string( $data['actor_name'] ) && '' !== trim( $data['actor_name'] )
			? trim( wp_strip_all_tags( $data['actor_name'] ) )
			: __( 'A teammate', 'space-inbox' );
		$member = isset( $data['member_id'] ) ? get_userdata( (int) $data['member_id'] ) : false;
		$who    = $member ? $member->display_name : __( 'a member', 'space-inbox' );
		if ( empty( $data['actor_id'] ) ) {
			/* translators: %s: name of the Space. */
			$subject = sprintf( __( 'A new conversation of %s is yours', 'space-inbox' ), $space );
			$body    = sprintf(
				/* translators: 1: member's display name, 2: Space name, 3: excerpt of their message, 4: link to the conversation. */
				__( "%1\$s wrote to %2\$s, and the conversation was given to you in turn (you had the inbox open):\n\n%3\$s\n\nAnswer it:\n%4\$s", 'space-inbox' ),
				$who,
				$space,
				self::excerpt( $data ),
				Space_Inbox_Options::team_inbox_url( $space_id, $conversation_id )
			);
			self::mail( $admin, $subject, $body, array(), self::ACTION_ASSIGNED, $data );
			return;
		}
		/* translators: 1: teammate's display name, 2: name of the Space. */
		$subject = sprintf( __( '%1$s gave you a conversation of %2$s', 'space-inbox' ), $actor, $space );
		$body    = sprintf(
			/* translators: 1: teammate's display name, 2: member's display name, 3: Space name, 4: excerpt of the conversation's last message, 5: link to the conversation. */
			__( "%1\$s gave you the conversation with %2\$s in %3\$s's inbox:\n\n%4\$s\n\nOpen it:\n%5\$s", 'space-inbox' ),
			$actor,
			$who,
			$space,
			self::excerpt( $data ),
			Space_Inbox_Options::team_inbox_url( $space_id, $conversation_id )
		);
		self::mail( $admin, $subject, $body, array(), self::ACTION_ASSIGNED, $data );
	}

	/**
	 * A member reported a Space's answer: tell the site's moderators by e-mail (the report
	 * names the answer's author on their screen only; the e-mail does not).
	 *
	 * @param WP_User $member The member who reported it.
	 * @param array   $data   `report_id`, `space_id`, `space_name`, `conversation_id`,
	 *                        `message_id`, `reason`, `details`.
	 * @return void
	 */
	public static function answer_reported( WP_User $member, array $data ) {
		$space  = self::space_name( $data );
		$reason = Space_Inbox_Moderation::reason( isset( $data['reason'] ) ? (string) $data['reason'] : '' );
		$words  = isset( $data['details'] ) && is_string( $data['details'] ) ? trim( wp_strip_all_tags( $data['details'] ) ) : '';
		$link   = Space_Inbox_Moderation::url( array( 'report' => isset( $data['report_id'] ) ? (int) $data['report_id'] : 0 ) );
		/* translators: %s: name of the Space. */
		$subject = sprintf( __( 'A member reported an answer of %s', 'space-inbox' ), $space );
		$body    = sprintf(
			/* translators: 1: member's display name, 2: Space name, 3: the reason, 4: the member's words, 5: link to the report. */
			__( "%1\$s reported an answer of %2\$s: %3\$s.\n\n%4\$s\n\nReview it, with the conversation and who wrote the answer:\n%5\$s", 'space-inbox' ),
			$member->display_name,
			$space,
			$reason,
			'' !== $words ? $words : __( '(No words added.)', 'space-inbox' ),
			$link
		);
		foreach ( Space_Inbox_Moderation::moderators() as $moderator ) {
			self::mail( $moderator, $subject, $body, array(), self::KIND_ANSWER_REPORTED, $data );
		}
	}

	/**
	 * Someone read a conversation (the user, or another admin of its Space): mark the
	 * user's notifications of it read.
	 *
	 * @param WP_User $user The admin or member.
	 * @param array   $data `space_id`, `conversation_id`.
	 * @return void
	 */
	public static function conversation_read( WP_User $user, array $data ) {
		self::mark_read(
			$user->ID,
			isset( $data['space_id'] ) ? (int) $data['space_id'] : 0,
			isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0
		);
	}

	/**
	 * Mark a user's notifications of one conversation read, whichever side they are on.
	 *
	 * @param int      $user_id         User ID.
	 * @param int      $space_id        Space post ID (item_id).
	 * @param int      $conversation_id Conversation ID (secondary_item_id), or 0 for every
	 *                                  conversation of the Space (a member has one per Space).
	 * @param string[] $actions         The kinds to mark; default all (a conversation id
	 *                                  names one side for the user anyway).
	 * @return void
	 */
	public static function mark_read( $user_id, $space_id, $conversation_id = 0, array $actions = array( self::ACTION_MEMBER_MESSAGE, self::ACTION_SPACE_REPLY, self::ACTION_NOTE_MENTION, self::ACTION_ASSIGNED ) ) {
		if ( ! self::buddypress_active() || ! function_exists( 'bp_notifications_mark_notifications_by_item_id' ) ) {
			return;
		}
		foreach ( $actions as $action ) {
			bp_notifications_mark_notifications_by_item_id(
				(int) $user_id,
				(int) $space_id,
				self::COMPONENT,
				$action,
				$conversation_id ? (int) $conversation_id : false
			);
		}
	}

	/**
	 * Add (or refresh) a recipient's notification for a conversation.
	 *
	 * @param int    $user_id         Recipient.
	 * @param string $action          member_message, space_reply, note_mention or assigned.
	 * @param int    $space_id        Space post ID (item_id).
	 * @param int    $conversation_id Conversation ID (secondary_item_id).
	 * @return void
	 */
	private static function add_bp_notification( $user_id, $action, $space_id, $conversation_id ) {
		if ( ! self::buddypress_active() ) {
			return;
		}
		if ( function_exists( 'bp_notifications_delete_notifications_by_item_id' ) ) {
			bp_notifications_delete_notifications_by_item_id( $user_id, $space_id, self::COMPONENT, $action, $conversation_id );
		}
		bp_notifications_add_notification(
			array(
				'user_id'           => (int) $user_id,
				'item_id'           => (int) $space_id,
				'secondary_item_id' => (int) $conversation_id,
				'component_name'    => self::COMPONENT,
				'component_action'  => $action,
				'date_notified'     => function_exists( 'bp_core_current_time' ) ? bp_core_current_time() : current_time( 'mysql', true ),
				'is_new'            => 1,
				'allow_duplicate'   => true,
			)
		);
	}

	/**
	 * Send one notification e-mail.
	 *
	 * @param WP_User $to      Recipient.
	 * @param string  $subject Subject.
	 * @param string  $body    Plain-text body.
	 * @param array   $headers Extra headers.
	 * @param string  $kind    Job kind.
	 * @param array   $data    Job data.
	 * @return void
	 */
	public static function mail( WP_User $to, $subject, $body, array $headers, $kind, array $data ) {
		$mail = array(
			'to'      => $to->user_email,
			'subject' => $subject,
			'message' => $body,
			'headers' => $headers,
		);

		/**
		 * Filters a notification e-mail before it is sent; return an empty array to send
		 * none.
		 *
		 * Anything added to an e-mail for a member (an `email_digest` whose `audience` is
		 * `member`) must not name an admin.
		 *
		 * @param array   $mail `to`, `subject`, `message`, `headers` for wp_mail().
		 * @param string  $kind email_digest, note_mention, assigned or answer_reported.
		 * @param array   $data The job's data.
		 * @param WP_User $to   The recipient.
		 */
		$mail = (array) apply_filters( 'space_inbox_notification_email', $mail, $kind, $data, $to );
		if ( empty( $mail['to'] ) ) {
			return;
		}
		wp_mail( $mail['to'], $mail['subject'], $mail['message'], $mail['headers'] );
	}

	/**
	 * A From header in the Space's name, at the site's usual sender address.
	 *
	 * wp_mail() still runs it through the `wp_mail_from` and `wp_mail_from_name` filters,
	 * so a mail plugin that forces its own sender keeps doing so.
	 *
	 * @param string $space Space name.
	 * @return string `"Name" <address>`.
	 */
	public static function from_header( $space ) {
		$host = (string) wp_parse_url( network_home_url(), PHP_URL_HOST );
		if ( 0 === strpos( $host, 'www.' ) ) {
			$host = substr( $host, 4 );
		}
		$name = trim( str_replace( array( '"', '\\', '<', '>', "\r", "\n" ), '', $space ) );
		return sprintf( '"%s" <wordpress@%s>', $name, $host );
	}

	/**
	 * Plain-text Space name of a job: its current title, else the name the job carries.
	 *
	 * @param array $data Job data.
	 * @return string
	 */
	public static function space_name( array $data ) {
		if ( isset( $data['space_name'] ) && is_string( $data['space_name'] ) && '' !== trim( $data['space_name'] ) ) {
			return trim( wp_strip_all_tags( $data['space_name'] ) );
		}
		return self::title_of( isset( $data['space_id'] ) ? (int) $data['space_id'] : 0 );
	}

	/**
	 * Plain-text title of a Space.
	 *
	 * @param int $space_id Space post ID.
	 * @return string
	 */
	public static function title_of( $space_id ) {
		$title = $space_id > 0 ? trim( wp_strip_all_tags( html_entity_decode( get_the_title( $space_id ), ENT_QUOTES, 'UTF-8' ) ) ) : '';
		return '' !== $title ? $title : __( 'a Space', 'space-inbox' );
	}

	/**
	 * Plain-text excerpt of a job.
	 *
	 * @param array $data Job data.
	 * @return string
	 */
	private static function excerpt( array $data ) {
		return isset( $data['excerpt'] ) && is_string( $data['excerpt'] ) ? wp_strip_all_tags( $data['excerpt'] ) : '';
	}
}
