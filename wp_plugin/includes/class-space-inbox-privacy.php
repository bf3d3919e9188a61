<?php
/**
 * Personal data export and erasure, answered by the bridge.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Registers WordPress' personal data exporter and eraser for Space Inbox messages; both
 * ask the bridge (signed calls), which owns the data and answers in WordPress' format.
 */
final class Space_Inbox_Privacy {

	/** Key of the exporter and the eraser. */
	const KEY = 'space-inbox';

	/**
	 * Add the exporter (`wp_privacy_personal_data_exporters`).
	 *
	 * @param array $exporters Exporters.
	 * @return array
	 */
	public static function register_exporter( $exporters ) {
		$exporters[ self::KEY ] = array(
			'exporter_friendly_name' => __( 'Space Inbox messages', 'space-inbox' ),
			'callback'               => array( __CLASS__, 'export' ),
		);
		return $exporters;
	}

	/**
	 * Add the eraser (`wp_privacy_personal_data_erasers`).
	 *
	 * @param array $erasers Erasers.
	 * @return array
	 */
	public static function register_eraser( $erasers ) {
		$erasers[ self::KEY ] = array(
			'eraser_friendly_name' => __( 'Space Inbox messages', 'space-inbox' ),
			'callback'             => array( __CLASS__, 'erase' ),
		);
		return $erasers;
	}

	/**
	 * Export one page of a user's conversations with Spaces.
	 *
	 * @param string $email_address The user's e-mail address.
	 * @param int    $page          Page, from 1.
	 * @return array|WP_Error `array( 'data' => [...], 'done' => bool )`; WP_Error when the
	 *                        bridge does not answer, so the export says so rather than
	 *                        silently leaving the messages out.
	 */
	public static function export( $email_address, $page = 1 ) {
		$user = get_user_by( 'email', $email_address );
		if ( ! $user ) {
			return array(
				'data' => array(),
				'done' => true,
			);
		}
		$client = new Space_Inbox_Bridge_Client();
		$answer = $client->privacy_export( $user->ID, (int) $page );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		return array(
			'data' => isset( $answer['data'] ) && is_array( $answer['data'] ) ? $answer['data'] : array(),
			'done' => ! empty( $answer['done'] ),
		);
	}

	/**
	 * Erase a user's conversations with Spaces (answers written as a Space admin stay:
	 * they belong to the Space's conversations with other members).
	 *
	 * @param string $email_address The user's e-mail address.
	 * @param int    $page          Page, from 1 (the bridge erases in one call).
	 * @return array|WP_Error `items_removed`, `items_retained`, `messages`, `done`.
	 */
	public static function erase( $email_address, $page = 1 ) {
		$user = get_user_by( 'email', $email_address );
		if ( ! $user ) {
			return array(
				'items_removed'  => false,
				'items_retained' => false,
				'messages'       => array(),
				'done'           => true,
			);
		}
		$client = new Space_Inbox_Bridge_Client();
		$answer = $client->privacy_erase( $user->ID );
		if ( is_wp_error( $answer ) ) {
			return $answer;
		}
		Space_Inbox_BuddyBoss_Moderation::forget_reporter( $user->ID ); // Their reports went too.
		return array(
			'items_removed'  => ! empty( $answer['items_removed'] ),
			'items_retained' => ! empty( $answer['items_retained'] ),
			'messages'       => isset( $answer['messages'] ) && is_array( $answer['messages'] ) ? array_map( 'strval', $answer['messages'] ) : array(),
			'done'           => true,
		);
	}

	/**
	 * Suggest text for the site's privacy policy.
	 *
	 * @return void
	 */
	public static function add_policy_content() {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$text = '<p class="privacy-policy-tutorial">' . esc_html__( 'Space Inbox stores the messages members send to Spaces, and the Spaces’ answers, in this site’s database.', 'space-inbox' ) . '</p>'
			. '<strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'space-inbox' ) . '</strong> '
			. '<p>' . esc_html__( 'When you message a Space, we store your message, the time you sent it and your account, so that the Space’s admins can read and answer it. Every admin of that Space can read the conversation; the answers are shown to you as coming from the Space. Admins are notified of new messages by site notification and e-mail. You can ask for an export or the erasure of your conversations; answers that a Space admin wrote to other members are kept, as they belong to those conversations.', 'space-inbox' ) . '</p>';
		wp_add_privacy_policy_content( __( 'Space Inbox', 'space-inbox' ), wp_kses_post( $text ) );
	}
}
