<?php
/**
 * A Space's Message button: "Message" for a member, "Open this Space’s inbox" for its
 * admins, "Log in to message" for a visitor; appended to a single Space's content, and
 * printed by the `space_inbox_message_button()` template tag and [space_inbox_button].
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders a Space's Message button.
 */
final class Space_Inbox_Message_Button {

	/**
	 * The link a Space offers the current reader (escaped HTML): "Message" for a member,
	 * "Open this Space’s inbox" with its unread count for the Space's own admins, and for a
	 * visitor "Log in to message", which comes back to the message box.
	 *
	 * @param int    $space_id A published Space's post id.
	 * @param string $classes  The link's classes: the plugin's own button, or a host's (such
	 *                         as Spaces Engine's `button primary`). A `space-inbox-button--login`
	 *                         or `--admin` modifier is added for a visitor or an admin.
	 * @return string
	 */
	public static function link_html( $space_id, $classes = 'space-inbox-button' ) {
		$space_id = (int) $space_id;
		Space_Inbox_Assets::enqueue_badge(); // Printed in the footer if the head is past.
		if ( ! is_user_logged_in() ) {
			return sprintf(
				'<a class="%1$s space-inbox-button--login" href="%2$s">%3$s</a>',
				esc_attr( $classes ),
				esc_url( wp_login_url( Space_Inbox_Options::member_inbox_url( $space_id ) ) ),
				esc_html__( 'Log in to message', 'space-inbox' )
			);
		}
		if ( in_array( get_current_user_id(), array_map( 'intval', (array) Space_Inbox_Spaces::admins( $space_id ) ), true ) ) {
			// The Space's team sees its inbox, with the unread count, where members see
			// "Message".
			return sprintf(
				'<a class="%1$s space-inbox-button--admin" href="%2$s">%3$s%4$s</a>',
				esc_attr( $classes ),
				esc_url( Space_Inbox_Options::team_inbox_url( $space_id ) ),
				esc_html__( 'Open this Space’s inbox', 'space-inbox' ),
				Space_Inbox_UI::count_badge( 'space-' . $space_id )
			);
		}
		return sprintf(
			'<a class="%1$s" href="%2$s" data-space-inbox-open="%3$d" aria-label="%4$s">%5$s</a>',
			esc_attr( $classes ),
			esc_url( Space_Inbox_Options::member_inbox_url( $space_id ) ),
			$space_id,
			/* translators: %s: Space name. */
			esc_attr( sprintf( __( 'Message %s', 'space-inbox' ), Space_Inbox_UI::plain_title( $space_id ) ) ),
			esc_html__( 'Message', 'space-inbox' )
		);
	}

	/**
	 * The Message button of a Space (escaped HTML), with how fast the Space typically
	 * replies beside it: see link_html() for who sees which link.
	 *
	 * @param int $space_id Space post id; 0 for the current post.
	 * @return string HTML, or '' when the id is not a published Space.
	 */
	public static function html( $space_id = 0 ) {
		$space_id = $space_id ? (int) $space_id : (int) get_the_ID();
		if ( ! Space_Inbox_UI::is_space( $space_id ) ) {
			return '';
		}
		$html = '<p class="space-inbox-button-wrap">' . self::link_html( $space_id ) . Space_Inbox_Reply_Time::html( $space_id ) . '</p>';

		/**
		 * Filters the Message button of a Space.
		 *
		 * @since 0.1.0
		 *
		 * @param string $html     Escaped HTML of the button (a paragraph with one link and,
		 *                         when the Space has one, its reply time).
		 * @param int    $space_id Space post id.
		 */
		return (string) apply_filters( 'space_inbox_message_button_html', $html, $space_id );
	}

	/**
	 * Appends the Message button to a single Space's content, in the main loop only.
	 *
	 * @param string $content Post content.
	 * @return string
	 */
	public static function append_to_content( $content ) {
		if ( is_admin() || is_feed() || ! is_singular( Space_Inbox_Options::post_type() ) || ! in_the_loop() || ! is_main_query() ) {
			return $content;
		}
		$space_id = (int) get_the_ID();
		if ( get_queried_object_id() !== $space_id ) {
			return $content;
		}

		/**
		 * Filters whether the Message button is appended to a single Space's content.
		 *
		 * Return false when the theme places the button itself, with
		 * space_inbox_message_button() or [space_inbox_button].
		 *
		 * @since 0.1.0
		 *
		 * @param bool $show     Whether to append the button. Default true.
		 * @param int  $space_id Space post id.
		 */
		if ( ! apply_filters( 'space_inbox_show_message_button', true, $space_id ) ) {
			return $content;
		}
		return $content . self::html( $space_id );
	}
}

if ( ! function_exists( 'space_inbox_message_button' ) ) {
	/**
	 * Template tag: prints the Message button of a Space.
	 *
	 * @param int $space_id Space post id; 0 for the current post.
	 * @return void
	 */
	function space_inbox_message_button( $space_id = 0 ) {
		echo Space_Inbox_Message_Button::html( (int) $space_id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
	}
}
