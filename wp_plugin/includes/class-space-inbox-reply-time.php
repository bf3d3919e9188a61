<?php
/**
 * A Space's reply time as members see it: "Typically replies within …" and "Very
 * responsive", from the bridge's public endpoint.
 *
 * One render asks the bridge: the Space page's line, kept in a transient for 5 minutes per
 * Space, with a short timeout, and left out when the bridge does not answer (then not asked
 * again for a minute); every other page renders without it.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Keeps and renders a Space's reply time.
 */
final class Space_Inbox_Reply_Time {

	/** Transient of a Space's reply time, as the public endpoint gives it (plus the Space id). */
	const TRANSIENT = 'space_inbox_reply_time_';

	/** Seconds a Space's reply time is kept: the bridge's own Cache-Control (5 minutes). */
	const TTL = 300;

	/** Seconds a failed ask for it is remembered, so a bridge that is down slows no page. */
	const RETRY = 60;

	/**
	 * "Typically replies within …" for a reply time of the bridge.
	 *
	 * @param mixed $typically 'minutes', 'hour', 'hours', 'day', or anything else for none.
	 * @return string Plain text, '' for none.
	 */
	private static function typically_text( $typically ) {
		switch ( $typically ) {
			case 'minutes':
				return __( 'Typically replies within minutes', 'space-inbox' );
			case 'hour':
				return __( 'Typically replies within an hour', 'space-inbox' );
			case 'hours':
				return __( 'Typically replies within a few hours', 'space-inbox' );
			case 'day':
				return __( 'Typically replies within a day', 'space-inbox' );
		}
		return '';
	}

	/**
	 * A Space's reply time as members see it, from the bridge's public endpoint, kept in a
	 * transient for 5 minutes (a failure for a minute).
	 *
	 * @param int $space_id Space post id.
	 * @return array `array( 'typically', 'very_responsive' )`, or array() when the bridge did
	 *               not answer.
	 */
	private static function get( $space_id ) {
		$key   = self::TRANSIENT . (int) $space_id;
		$found = get_transient( $key );
		if ( is_array( $found ) ) {
			return $found;
		}
		$client = new Space_Inbox_Bridge_Client();
		$answer = $client->response_time( (int) $space_id );
		$found  = is_wp_error( $answer ) ? array() : array(
			'typically'       => isset( $answer['typically'] ) && is_string( $answer['typically'] ) ? $answer['typically'] : null,
			'very_responsive' => ! empty( $answer['very_responsive'] ),
		);
		set_transient( $key, $found, is_wp_error( $answer ) ? self::RETRY : self::TTL );
		return $found;
	}

	/**
	 * Forget a Space's kept reply time (the next Space page asks the bridge again).
	 *
	 * @param int $space_id Space post id.
	 * @return void
	 */
	public static function forget( $space_id ) {
		delete_transient( self::TRANSIENT . (int) $space_id );
	}

	/**
	 * The Space's "Typically replies within …" line, and "Very responsive" when it is
	 * (escaped HTML); '' when the Space has no reply time or the bridge does not answer.
	 *
	 * @param int $space_id Space post id.
	 * @return string
	 */
	public static function html( $space_id ) {
		$found = self::get( $space_id );
		$text  = self::typically_text( isset( $found['typically'] ) ? $found['typically'] : null );
		if ( '' === $text ) {
			return '';
		}
		$very = empty( $found['very_responsive'] ) ? '' : sprintf(
			' <span class="space-inbox-very-responsive">%s</span>',
			esc_html__( 'Very responsive', 'space-inbox' )
		);
		return sprintf(
			'<span class="space-inbox-reply-time"><span class="space-inbox-reply-time__text">%1$s</span>%2$s</span>',
			esc_html( $text ),
			$very
		);
	}
}
