<?php
/**
 * The batched e-mails: a Space's new messages to one of its admins, a Space's answers to
 * their member.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Writes the `email_digest` jobs of the bridge as e-mails.
 *
 * The bridge makes one per person and Space within the site's delay
 * (Space_Inbox_Notification_Settings), listing only the messages still unread when it was
 * due (the first ten; `count` says how many), and only for those who want e-mail. A
 * member's digest carries the Space's answers without their authors: the e-mail comes from
 * the Space and names no admin.
 */
final class Space_Inbox_Email_Digest {

	/** Job kind. */
	const KIND = 'email_digest';

	/**
	 * Mail one digest.
	 *
	 * @param WP_User $to   The admin (audience `team`) or the member (`member`).
	 * @param array   $data `audience`, `space_id`, `space_name`, `conversation_id` (or null
	 *                      when several), `count`, `messages`: each `message_id`, `excerpt`,
	 *                      `created_at`, and for the team `conversation_id`, `member_id`.
	 * @return void
	 */
	public static function send( WP_User $to, array $data ) {
		$messages = isset( $data['messages'] ) && is_array( $data['messages'] ) ? array_values( array_filter( $data['messages'], 'is_array' ) ) : array();
		if ( ! Space_Inbox_Options::email_enabled() || ! $messages ) {
			return;
		}
		$space_id = isset( $data['space_id'] ) ? (int) $data['space_id'] : 0;
		$space    = Space_Inbox_Notifications::space_name( $data );
		$count    = max( count( $messages ), isset( $data['count'] ) ? (int) $data['count'] : 0 );
		$more     = $count - count( $messages );
		$tail     = $more > 0
			/* translators: %d: how many more messages there are than the e-mail lists. */
			? sprintf( _n( '… and %d more.', '… and %d more.', $more, 'space-inbox' ), $more ) . "\n\n"
			: '';

		if ( isset( $data['audience'] ) && 'member' === $data['audience'] ) {
			/* translators: %s: name of the Space. */
			$subject = sprintf( __( '%s answered you', 'space-inbox' ), $space );
			$body    = sprintf(
				/* translators: 1: Space name, 2: the answers, 3: "… and N more." or nothing, 4: link to the inbox. */
				_n( "%1\$s answered your message:\n\n%2\$s%3\$sRead the conversation:\n%4\$s", "%1\$s answered your messages:\n\n%2\$s%3\$sRead the conversation:\n%4\$s", $count, 'space-inbox' ),
				$space,
				self::listed( $messages, false ),
				$tail,
				Space_Inbox_Options::member_inbox_url( $space_id )
			);
			Space_Inbox_Notifications::mail( $to, $subject, $body, array( 'From: ' . Space_Inbox_Notifications::from_header( $space ) ), self::KIND, $data );
			return;
		}

		$conversation_id = isset( $data['conversation_id'] ) ? (int) $data['conversation_id'] : 0;
		$subject         = sprintf(
			/* translators: 1: number of new messages, 2: name of the Space. */
			_n( '%1$d new message for %2$s', '%1$d new messages for %2$s', $count, 'space-inbox' ),
			$count,
			$space
		);
		$body = sprintf(
			/* translators: 1: Space name, 2: the messages, each with who wrote it and when, 3: "… and N more." or nothing, 4: link to the team's inbox. */
			__( "Members wrote to %1\$s, and nobody on the team has read it yet:\n\n%2\$s%3\$sAnswer in the Space inbox:\n%4\$s", 'space-inbox' ),
			$space,
			self::listed( $messages, true ),
			$tail,
			Space_Inbox_Options::team_inbox_url( $space_id, $conversation_id )
		);
		Space_Inbox_Notifications::mail( $to, $subject, $body, array(), self::KIND, $data );
	}

	/**
	 * The messages as plain text, each after a line saying when (and, for the team, who).
	 *
	 * @param array[] $messages The digest's messages.
	 * @param bool    $team     Whether the team reads it (a member's name is shown).
	 * @return string Ending with a blank line.
	 */
	private static function listed( array $messages, $team ) {
		$text = '';
		$when = get_option( 'date_format' ) . ' ' . get_option( 'time_format' );
		foreach ( $messages as $message ) {
			$stamp   = isset( $message['created_at'] ) ? strtotime( (string) $message['created_at'] ) : false;
			$at      = $stamp ? wp_date( $when, $stamp ) : '';
			$excerpt = isset( $message['excerpt'] ) && is_string( $message['excerpt'] ) ? wp_strip_all_tags( $message['excerpt'] ) : '';
			if ( $team ) {
				$member = isset( $message['member_id'] ) ? get_userdata( (int) $message['member_id'] ) : false;
				$who    = $member ? $member->display_name : __( 'A member', 'space-inbox' );
				/* translators: 1: member's display name, 2: date and time. */
				$text .= sprintf( __( '%1$s, %2$s:', 'space-inbox' ), $who, $at ) . "\n";
			} elseif ( '' !== $at ) {
				$text .= $at . ":\n";
			}
			$text .= $excerpt . "\n\n";
		}
		return $text;
	}
}
