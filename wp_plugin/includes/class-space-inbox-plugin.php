<?php
/**
 * Bootstrap: every hook of the plugin, in one place.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/class-space-inbox-limits.php';
require_once __DIR__ . '/class-space-inbox-options.php';
require_once __DIR__ . '/class-space-inbox-bridge-client.php';
require_once __DIR__ . '/class-space-inbox-spaces.php';
require_once __DIR__ . '/class-space-inbox-team-box.php';
require_once __DIR__ . '/class-space-inbox-spaces-engine.php';
require_once __DIR__ . '/class-space-inbox-queue.php';
require_once __DIR__ . '/class-space-inbox-events.php';
require_once __DIR__ . '/class-space-inbox-jobs.php';
require_once __DIR__ . '/class-space-inbox-notifications.php';
require_once __DIR__ . '/class-space-inbox-email-digest.php';
require_once __DIR__ . '/class-space-inbox-notification-settings.php';
require_once __DIR__ . '/class-space-inbox-push.php';
require_once __DIR__ . '/class-space-inbox-notification-listing.php';
require_once __DIR__ . '/class-space-inbox-moderation.php';
require_once __DIR__ . '/class-space-inbox-reports-screen.php';
require_once __DIR__ . '/class-space-inbox-buddyboss-moderation.php';
require_once __DIR__ . '/class-space-inbox-rest.php';
require_once __DIR__ . '/class-space-inbox-privacy.php';
require_once __DIR__ . '/class-space-inbox-settings.php';
require_once __DIR__ . '/class-space-inbox-settings-fields.php';
require_once __DIR__ . '/class-space-inbox-status.php';
require_once __DIR__ . '/class-space-inbox-direct-mode.php';
require_once __DIR__ . '/class-space-inbox-site-health.php';
require_once __DIR__ . '/class-space-inbox-stream-check.php';

/**
 * Wires the plugin's classes to WordPress.
 */
final class Space_Inbox_Plugin {

	/**
	 * Add every action and filter. Nothing else runs at load time.
	 *
	 * @return void
	 */
	public static function init() {
		add_action( 'init', array( __CLASS__, 'load_textdomain' ) );
		add_action( 'init', array( __CLASS__, 'maybe_upgrade' ), 5 );
		add_action( 'init', array( 'Space_Inbox_Spaces', 'register_post_type' ), 99 );

		// Spaces and their teams.
		add_action( 'add_meta_boxes', array( __CLASS__, 'add_meta_boxes' ) );
		add_action( 'save_post', array( __CLASS__, 'save_post' ), 10, 2 );
		add_action( 'admin_notices', array( 'Space_Inbox_Team_Box', 'admin_notice' ) );

		// Spaces Engine's pages, archive and actions.
		Space_Inbox_Spaces_Engine::init();

		// Tools → Site Health: the tests, their REST routes, the Info tab's section.
		add_filter( 'site_status_tests', array( 'Space_Inbox_Site_Health', 'tests' ) );
		add_filter( 'debug_information', array( 'Space_Inbox_Site_Health', 'debug_information' ) );
		add_action( 'rest_api_init', array( 'Space_Inbox_Site_Health', 'register_routes' ) );

		// Events for the bridge.
		add_filter( 'cron_schedules', array( 'Space_Inbox_Queue', 'cron_schedules' ) ); // phpcs:ignore WordPress.WP.CronInterval.ChangeDetected -- every minute, by design: the retry of waiting events.
		add_action( 'wp_after_insert_post', array( 'Space_Inbox_Events', 'on_after_insert_post' ), 10, 4 );
		add_action( 'wp_trash_post', array( 'Space_Inbox_Events', 'on_post_going' ) );
		add_action( 'before_delete_post', array( 'Space_Inbox_Events', 'on_post_going' ) );
		add_action( 'untrashed_post', array( 'Space_Inbox_Events', 'on_untrashed' ) );
		add_action( 'added_post_meta', array( 'Space_Inbox_Events', 'on_team_meta' ), 10, 3 );
		add_action( 'updated_post_meta', array( 'Space_Inbox_Events', 'on_team_meta' ), 10, 3 );
		add_action( 'deleted_post_meta', array( 'Space_Inbox_Events', 'on_team_meta' ), 10, 3 );
		add_action( 'delete_user', array( 'Space_Inbox_Events', 'on_delete_user' ), 10, 2 );
		add_action( 'deleted_user', array( 'Space_Inbox_Events', 'on_deleted_user' ) );
		add_action( 'make_spam_user', array( 'Space_Inbox_Events', 'on_spam' ) );
		add_action( 'make_ham_user', array( 'Space_Inbox_Events', 'on_ham' ) );
		add_action( 'bp_make_spam_user', array( 'Space_Inbox_Events', 'on_spam' ) );
		add_action( 'bp_make_ham_user', array( 'Space_Inbox_Events', 'on_ham' ) );
		add_action( 'update_user_meta', array( 'Space_Inbox_Events', 'on_sessions_update' ), 10, 4 );
		add_action( 'deleted_user_meta', array( 'Space_Inbox_Events', 'on_sessions_deleted' ), 10, 3 );
		add_action( 'profile_update', array( 'Space_Inbox_Events', 'on_profile_update' ), 10, 2 );
		add_action( 'after_password_reset', array( 'Space_Inbox_Events', 'on_password_set' ) );
		add_action( 'wp_set_password', array( 'Space_Inbox_Events', 'on_password_set' ), 10, 2 );
		add_action( 'clean_user_cache', array( 'Space_Inbox_Events', 'on_user_cache_cleaned' ) );
		add_action( 'shutdown', array( 'Space_Inbox_Events', 'on_shutdown' ) );
		add_action( Space_Inbox_Queue::CRON_HOOK, array( 'Space_Inbox_Queue', 'cron' ) );

		// Notifications from the bridge.
		add_action( Space_Inbox_Jobs::PRUNE_HOOK, array( 'Space_Inbox_Jobs', 'prune_jobs' ) );
		add_filter( 'bp_notifications_get_registered_components', array( 'Space_Inbox_Notification_Listing', 'register_component' ) );
		add_filter( 'bp_notifications_get_notifications_for_user', array( 'Space_Inbox_Notification_Listing', 'format' ), 10, 9 );
		add_filter( 'bb_notifications_get_component_notification', array( 'Space_Inbox_Notification_Listing', 'format' ), 10, 9 );
		add_filter( 'bb_notification_is_read_only', array( 'Space_Inbox_Notification_Listing', 'keep_links' ), 20, 2 );
		add_action( 'bb_notification_avatar_' . Space_Inbox_Notifications::COMPONENT, array( 'Space_Inbox_Notification_Listing', 'buddyboss_avatar' ) );
		add_filter( 'bb_notification_avatar_url', array( 'Space_Inbox_Notification_Listing', 'buddyboss_avatar_url' ), 10, 2 );

		// REST.
		add_action( 'rest_api_init', array( 'Space_Inbox_REST', 'register_routes' ) );

		// Privacy.
		add_filter( 'wp_privacy_personal_data_exporters', array( 'Space_Inbox_Privacy', 'register_exporter' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( 'Space_Inbox_Privacy', 'register_eraser' ) );
		add_action( 'admin_init', array( 'Space_Inbox_Privacy', 'add_policy_content' ) );

		// Settings.
		add_action( 'admin_menu', array( 'Space_Inbox_Settings', 'add_page' ) );
		add_filter( 'user_has_cap', array( 'Space_Inbox_Moderation', 'grant' ) );
		add_action( 'admin_menu', array( 'Space_Inbox_Moderation', 'add_menu' ), 11 );
		add_action( 'admin_post_' . Space_Inbox_Moderation::RESOLVE_ACTION, array( 'Space_Inbox_Moderation', 'resolve' ) );
		add_action( 'admin_post_' . Space_Inbox_Moderation::HIDE_ACTION, array( 'Space_Inbox_Moderation', 'hide' ) );
		add_action( 'bp_init', array( 'Space_Inbox_BuddyBoss_Moderation', 'load' ), 2 );
		add_action( 'admin_init', array( 'Space_Inbox_Settings_Fields', 'register' ) );
		add_action( 'admin_init', array( 'Space_Inbox_Notification_Settings', 'register' ) );
		add_action( 'init', array( 'Space_Inbox_Push', 'maybe_serve_worker' ), 0 );
		add_filter( 'site_status_tests', array( 'Space_Inbox_Push', 'site_health' ) );
		add_action( 'admin_post_' . Space_Inbox_Settings::RESYNC_ACTION, array( 'Space_Inbox_Settings', 'handle_resync' ) );
		add_action( 'update_option_' . Space_Inbox_Options::OPTION_POST_TYPE, array( 'Space_Inbox_Settings_Fields', 'post_type_changed' ) );
		add_action( 'update_option_' . Space_Inbox_Options::OPTION_INBOX_PAGE, array( 'Space_Inbox_Options', 'refresh_inbox_url' ) );
		add_action( 'update_option_' . Space_Inbox_Options::OPTION_BRIDGE_URL, array( 'Space_Inbox_Queue', 'on_bridge_url_changed' ) );
		add_action( 'save_post_page', array( 'Space_Inbox_Options', 'on_save_page' ) );
		add_action( 'permalink_structure_changed', array( 'Space_Inbox_Options', 'refresh_inbox_url' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( SPACE_INBOX_FILE ), array( 'Space_Inbox_Settings', 'action_links' ) );
		add_action( 'after_plugin_row_' . plugin_basename( SPACE_INBOX_FILE ), array( __CLASS__, 'post_type_notice' ) );

		// The UI (Message button, header link, profile tab, inboxes), when present.
		self::load_ui();

		if ( defined( 'WP_CLI' ) && WP_CLI ) {
			add_action( 'cli_init', array( __CLASS__, 'register_cli' ) );
		}
	}

	/**
	 * Load the UI class (written separately) and let it add its hooks.
	 *
	 * @return void
	 */
	public static function load_ui() {
		$file = SPACE_INBOX_DIR . 'includes/class-space-inbox-ui.php';
		if ( file_exists( $file ) ) {
			require_once $file;
			if ( class_exists( 'Space_Inbox_UI' ) && method_exists( 'Space_Inbox_UI', 'init' ) ) {
				Space_Inbox_UI::init();
			}
		}
	}

	/**
	 * Load translations.
	 *
	 * @return void
	 */
	public static function load_textdomain() {
		load_plugin_textdomain( 'space-inbox', false, dirname( plugin_basename( SPACE_INBOX_FILE ) ) . '/languages' );
	}

	/**
	 * Add the team meta box to the Space edit screen.
	 *
	 * @param string $post_type Post type of the screen.
	 * @return void
	 */
	public static function add_meta_boxes( $post_type ) {
		if ( Space_Inbox_Options::post_type() === $post_type ) {
			Space_Inbox_Team_Box::add_meta_box();
		}
	}

	/**
	 * Save the team meta box of a Space.
	 *
	 * @param int     $post_id Post ID.
	 * @param WP_Post $post    Post.
	 * @return void
	 */
	public static function save_post( $post_id, $post ) {
		if ( Space_Inbox_Spaces::is_space( $post ) ) {
			Space_Inbox_Team_Box::save_meta_box( $post_id );
		}
	}

	/**
	 * Create or upgrade the plugin's tables, and schedule the daily pruning of job ids.
	 *
	 * @return void
	 */
	public static function install_tables() {
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( array( Space_Inbox_Queue::schema(), Space_Inbox_Jobs::schema() ) );
		update_option( Space_Inbox_Options::OPTION_DB_VERSION, Space_Inbox_Options::CURRENT_DB_VERSION );
		if ( ! wp_next_scheduled( Space_Inbox_Jobs::PRUNE_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', Space_Inbox_Jobs::PRUNE_HOOK );
		}
	}

	/**
	 * Upgrade the tables after the plugin was updated in place (no activation then).
	 *
	 * @return void
	 */
	public static function maybe_upgrade() {
		if ( Space_Inbox_Options::CURRENT_DB_VERSION !== get_option( Space_Inbox_Options::OPTION_DB_VERSION ) ) {
			self::install_tables();
		}
	}

	/**
	 * Activation: tables and cron, options (secret, inbox page), rewrite rules.
	 *
	 * @return void
	 */
	public static function activate() {
		self::install_tables();
		Space_Inbox_Options::install();
		Space_Inbox_Push::ensure_keys();
		Space_Inbox_Options::switch_inbox_page( true );
		Space_Inbox_Spaces::register_post_type(); // Not registered yet in this request.
		self::rebuild_rewrite_rules();
	}

	/**
	 * Rebuild the rewrite rules now, with the Space post type as it is.
	 *
	 * Not left to the next request (by deleting the option): when that is a page BuddyBoss
	 * parses as one of its own, it has turned WordPress' verbose page rules off, and rules
	 * built then send every page, the inbox page too, to a post of its name (404).
	 *
	 * @return void
	 */
	public static function rebuild_rewrite_rules() {
		global $wp_rewrite;
		$wp_rewrite->init();
		flush_rewrite_rules();
	}

	/**
	 * Deactivation: stop the cron jobs, give Spaces Engine its "Message" action back, say on
	 * the inbox page that messages are off. Waiting events stay queued for a reactivation
	 * (the bridge refuses new messages meanwhile).
	 *
	 * @return void
	 */
	public static function deactivate() {
		wp_clear_scheduled_hook( Space_Inbox_Queue::CRON_HOOK );
		wp_clear_scheduled_hook( Space_Inbox_Jobs::PRUNE_HOOK );
		Space_Inbox_Spaces_Engine::restore_actions();
		Space_Inbox_Options::switch_inbox_page( false );
		Space_Inbox_Spaces::unregister_post_type();
		self::rebuild_rewrite_rules();
	}

	/**
	 * Under the plugin's row on the Plugins screen: when this plugin registers the Space
	 * post type (no other plugin does), say that deactivating it hides the Space pages.
	 *
	 * @param string $file The plugin's file, as WordPress names it.
	 * @return void
	 */
	public static function post_type_notice( $file ) {
		$type = Space_Inbox_Spaces::registered_here();
		if ( '' === $type || ! current_user_can( 'deactivate_plugin', $file ) ) {
			return;
		}
		$count = (int) wp_count_posts( $type )->publish;
		if ( $count < 1 ) {
			return;
		}
		$columns = isset( $GLOBALS['wp_list_table'] ) ? $GLOBALS['wp_list_table']->get_column_count() : 3;
		printf(
			'<tr class="plugin-update-tr active space-inbox-post-type-notice"><td colspan="%1$d" class="plugin-update colspanchange"><div class="notice inline notice-warning notice-alt"><p>%2$s</p></div></td></tr>',
			(int) $columns,
			esc_html(
				sprintf(
					/* translators: 1: number of Space pages, 2: post type name. */
					_n(
						'Space Inbox registers the Space post type (%2$s) on this site, as no other plugin does: while it is deactivated, the %1$d Space page is not shown. A plugin that registers Spaces, such as Spaces Engine, keeps it shown.',
						'Space Inbox registers the Space post type (%2$s) on this site, as no other plugin does: while it is deactivated, the %1$d Space pages are not shown. A plugin that registers Spaces, such as Spaces Engine, keeps them shown.',
						$count,
						'space-inbox'
					),
					$count,
					$type
				)
			)
		);
	}

	/**
	 * Register `wp space-inbox ...`.
	 *
	 * @return void
	 */
	public static function register_cli() {
		require_once __DIR__ . '/class-space-inbox-cli.php';
		WP_CLI::add_command( 'space-inbox', 'Space_Inbox_CLI' );
	}
}
