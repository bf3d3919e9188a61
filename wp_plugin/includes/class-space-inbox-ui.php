<?php
/**
 * The user interface: its classes, their hooks, and what they share.
 *
 * Everything here is thin: PHP renders containers, links and a small configuration, and
 * plain ES modules talk to the bridge from the browser. One class a job:
 * - Space_Inbox_Assets: the modules and stylesheets, by audience (the badge on every page,
 *   the member's inbox, the team's inbox), and what each page hands them;
 * - Space_Inbox_Reply_Time: a Space's "Typically replies within …", kept from the bridge;
 * - Space_Inbox_Message_Button: a Space's Message button (and its template tag);
 * - Space_Inbox_Shortcodes: [space_inbox] and [space_inbox_button];
 * - Space_Inbox_Container: the container an inbox module fills;
 * - Space_Inbox_Navigation: the toolbar node, the BuddyBoss menu item, the profile tab;
 * - Space_Inbox_Admin_Screen: the wp-admin "Space Inbox" screen.
 *
 * Hooks used (all added in init()):
 * - `wp_enqueue_scripts`, `admin_enqueue_scripts`, `script_loader_tag`: the assets;
 * - `the_content`: the Message button on a single Space;
 * - `admin_bar_menu`: the "Space inbox" toolbar node, under BuddyPress' notifications
 *   node where there is one;
 * - `buddyboss_theme_after_bb_messages_menu`: the BuddyBoss Theme's user menu item;
 * - `bp_setup_nav`: the "Space Messages" profile tab (BuddyPress / BuddyBoss Platform);
 * - `admin_menu`, `load-{$hook_suffix}`: the wp-admin screen and its assets.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/class-space-inbox-assets.php';
require_once __DIR__ . '/class-space-inbox-theme-colours.php';
require_once __DIR__ . '/class-space-inbox-reply-time.php';
require_once __DIR__ . '/class-space-inbox-message-button.php';
require_once __DIR__ . '/class-space-inbox-container.php';
require_once __DIR__ . '/class-space-inbox-shortcodes.php';
require_once __DIR__ . '/class-space-inbox-navigation.php';
require_once __DIR__ . '/class-space-inbox-admin-screen.php';
require_once __DIR__ . '/class-space-inbox-session-signal.php';

/**
 * The UI's hooks, and the lookups its classes share.
 */
final class Space_Inbox_UI {

	/**
	 * Adds the hooks. Nothing else runs at load time.
	 *
	 * @return void
	 */
	public static function init() {
		add_action( 'wp_enqueue_scripts', array( 'Space_Inbox_Assets', 'enqueue_front' ) );
		add_action( 'admin_enqueue_scripts', array( 'Space_Inbox_Assets', 'enqueue_admin_badge' ) );
		add_filter( 'script_loader_tag', array( 'Space_Inbox_Assets', 'module_tag' ), 10, 2 );

		add_filter( 'the_content', array( 'Space_Inbox_Message_Button', 'append_to_content' ), 20 );
		add_shortcode( 'space_inbox_button', array( 'Space_Inbox_Shortcodes', 'button' ) );
		add_shortcode( 'space_inbox', array( 'Space_Inbox_Shortcodes', 'inbox' ) );

		// Beside "My Account" (7) on its own; under BuddyPress' notifications node, which
		// BuddyPress adds at 6 (WordPress 6.6+) or 90, once that node exists.
		add_action( 'admin_bar_menu', array( 'Space_Inbox_Navigation', 'admin_bar_node_early' ), 6 );
		add_action( 'admin_bar_menu', array( 'Space_Inbox_Navigation', 'admin_bar_node' ), 91 );

		// BuddyBoss Theme: the header's user menu, after its Messages item.
		add_action( 'buddyboss_theme_after_bb_messages_menu', array( 'Space_Inbox_Navigation', 'buddyboss_user_menu_item' ) );

		add_action( 'bp_setup_nav', array( 'Space_Inbox_Navigation', 'profile_nav' ), 100 );

		add_action( 'admin_menu', array( 'Space_Inbox_Admin_Screen', 'add_menu' ) );

		// A logout tells the site's other tabs at once.
		Space_Inbox_Session_Signal::init();
	}

	/**
	 * Whether a post id is a published Space.
	 *
	 * @param int $space_id Post id.
	 * @return bool
	 */
	public static function is_space( $space_id ) {
		$post = $space_id > 0 ? get_post( $space_id ) : null;
		return $post instanceof WP_Post
			&& Space_Inbox_Options::post_type() === $post->post_type
			&& 'publish' === $post->post_status;
	}

	/**
	 * The Space ids the current user administers.
	 *
	 * @return int[]
	 */
	public static function my_spaces() {
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return array();
		}
		return array_values( array_filter( array_map( 'intval', (array) Space_Inbox_Spaces::spaces_of_user( $user_id ) ) ) );
	}

	/**
	 * A post title as plain text (the modules write it with textContent).
	 *
	 * @param int $post_id Post id.
	 * @return string
	 */
	public static function plain_title( $post_id ) {
		return html_entity_decode( wp_strip_all_tags( get_the_title( $post_id ) ), ENT_QUOTES, 'UTF-8' );
	}

	/**
	 * A count badge that the badge module fills (hidden until it knows the count).
	 *
	 * @param string $which 'total', 'member', 'spaces', or 'space-<id>' for one Space.
	 * @return string Escaped HTML.
	 */
	public static function count_badge( $which ) {
		return sprintf(
			'<span class="space-inbox-badge" data-space-inbox-count="%s" hidden></span>',
			esc_attr( $which )
		);
	}
}
