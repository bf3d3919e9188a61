<?php
/**
 * A Space's answer as BuddyBoss' moderation sees it (loaded only with BuddyBoss' moderation on).
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The "Space answer" content type of BuddyBoss' moderation: the item is the bridge's message
 * id; see Space_Inbox_BuddyBoss_Moderation.
 */
final class Space_Inbox_Moderation_Answer extends BP_Moderation_Abstract {

	/**
	 * The content type.
	 *
	 * @var string
	 */
	public static $moderation_type = Space_Inbox_BuddyBoss_Moderation::TYPE;

	/** Register the type with BuddyBoss. */
	public function __construct() {
		parent::$moderation[ self::$moderation_type ] = self::class;
		$this->item_type                              = self::$moderation_type;
		add_filter( 'bp_moderation_content_types', array( $this, 'add_content_types' ) );
	}

	/**
	 * The type's name on BuddyBoss' screens.
	 *
	 * @param array $types Content types, by key.
	 * @return array
	 */
	public function add_content_types( $types ) {
		$types[ self::$moderation_type ] = __( 'Space answer', 'space-inbox' );
		return $types;
	}

	/**
	 * The admin of the Space who wrote the answer (0 for the away answer).
	 *
	 * @param int $message_id The answer.
	 * @return int
	 */
	public static function get_content_owner_id( $message_id ) {
		return Space_Inbox_BuddyBoss_Moderation::author_id( (int) $message_id );
	}

	/**
	 * The report's page on the plugin's screen: the conversation and who wrote each answer.
	 *
	 * @param int $message_id The answer.
	 * @return string
	 */
	public static function get_permalink( $message_id ) {
		$report_id = Space_Inbox_BuddyBoss_Moderation::report_id( (int) $message_id );
		return $report_id ? Space_Inbox_Moderation::url( array( 'report' => $report_id ) ) : '';
	}

	/**
	 * Hide the answer from the member (the bridge first), then in BuddyBoss' record.
	 *
	 * @param array $args `content_id`, `content_type`.
	 * @return BP_Moderation|false False if the bridge did not hide it.
	 */
	public static function hide( $args ) {
		if ( ! Space_Inbox_BuddyBoss_Moderation::set_hidden( (int) $args['content_id'], true ) ) {
			return false;
		}
		return parent::hide( $args );
	}

	/**
	 * Show the answer to the member again (the bridge first), then in BuddyBoss' record.
	 *
	 * @param array $args `content_id`, `content_type`.
	 * @return BP_Moderation|false False if the bridge did not show it.
	 */
	public static function unhide( $args ) {
		if ( ! Space_Inbox_BuddyBoss_Moderation::set_hidden( (int) $args['content_id'], false ) ) {
			return false;
		}
		return parent::unhide( $args );
	}
}
