<?php
/**
 * Settings → Space Inbox.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The settings screen (manage_options): the status box, the settings
 * (Space_Inbox_Settings_Fields), direct mode (Space_Inbox_Direct_Mode) and "Resync all
 * Spaces".
 */
final class Space_Inbox_Settings {

	/** Settings group. */
	const GROUP = 'space_inbox';

	/** admin-post.php action (and nonce action) of "Resync all Spaces" without JavaScript. */
	const RESYNC_ACTION = 'space_inbox_resync';

	/** Script handle. */
	const SCRIPT = 'space-inbox-settings';

	/**
	 * Add the screen under Settings.
	 *
	 * @return void
	 */
	public static function add_page() {
		$hook = add_options_page(
			__( 'Space Inbox', 'space-inbox' ),
			__( 'Space Inbox', 'space-inbox' ),
			'manage_options',
			Space_Inbox_Options::SETTINGS_PAGE,
			array( __CLASS__, 'render' )
		);
		if ( $hook ) {
			add_action( 'load-' . $hook, array( __CLASS__, 'load' ) );
		}
	}

	/**
	 * The screen is loading: its script only here, and make sure waiting events retry.
	 *
	 * @return void
	 */
	public static function load() {
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		if ( Space_Inbox_Queue::queue_length() > 0 ) {
			Space_Inbox_Queue::schedule();
		}
	}

	/**
	 * Enqueue the "Resync all Spaces" progress script and the direct-mode check.
	 *
	 * @return void
	 */
	public static function enqueue() {
		Space_Inbox_Direct_Mode::enqueue();
		wp_enqueue_script(
			self::SCRIPT,
			SPACE_INBOX_URL . 'admin/settings.js',
			array( 'wp-api-fetch', 'wp-i18n' ),
			SPACE_INBOX_VERSION,
			true
		);
		wp_localize_script(
			self::SCRIPT,
			'spaceInboxSettings',
			array(
				'path' => '/' . Space_Inbox_REST::NAMESPACE_V1 . '/resync',
				'i18n' => array(
					/* translators: 1: Spaces sent so far, 2: all Spaces. */
					'progress' => __( 'Queued %1$d of %2$d Spaces…', 'space-inbox' ),
					/* translators: %d: number of Spaces. */
					'done'     => __( 'Done: %d Spaces queued for the bridge.', 'space-inbox' ),
					'failed'   => __( 'The resync stopped:', 'space-inbox' ),
				),
			)
		);
	}

	/**
	 * The whole screen.
	 *
	 * @return void
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a display flag only.
		if ( isset( $_GET['space_inbox_resynced'] ) ) {
			printf(
				'<div class="notice notice-success is-dismissible"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: %d: number of Spaces. */
						_n( '%d Space was queued for the bridge.', '%d Spaces were queued for the bridge.', absint( $_GET['space_inbox_resynced'] ), 'space-inbox' ), // phpcs:ignore WordPress.Security.NonceVerification.Recommended
						absint( $_GET['space_inbox_resynced'] ) // phpcs:ignore WordPress.Security.NonceVerification.Recommended
					)
				)
			);
		}
		Space_Inbox_Status::render();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::GROUP );
		do_settings_sections( Space_Inbox_Options::SETTINGS_PAGE );
		submit_button();
		echo '</form>';
		Space_Inbox_Direct_Mode::render();
		self::render_resync();
		echo '</div>';
	}

	/**
	 * The "Resync all Spaces" form: admin-post.php without JavaScript, paged with progress
	 * with it (admin/settings.js).
	 *
	 * @return void
	 */
	private static function render_resync() {
		echo '<h2>' . esc_html__( 'Resync', 'space-inbox' ) . '</h2>';
		echo '<form method="post" id="space-inbox-resync" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
		echo '<input type="hidden" name="action" value="' . esc_attr( self::RESYNC_ACTION ) . '" />';
		wp_nonce_field( self::RESYNC_ACTION );
		echo '<p>' . esc_html__( 'Send every published Space, with its team, to the bridge again. Safe to repeat.', 'space-inbox' ) . '</p>';
		echo '<p><button type="submit" class="button">' . esc_html__( 'Resync all Spaces', 'space-inbox' ) . '</button></p>';
		echo '<p><progress hidden value="0" max="1"></progress> <span class="space-inbox-resync-status" role="status" aria-live="polite"></span></p>';
		echo '</form>';
	}

	/**
	 * "Resync all Spaces" without JavaScript (admin-post.php).
	 *
	 * @return void
	 */
	public static function handle_resync() {
		check_admin_referer( self::RESYNC_ACTION );
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'space-inbox' ), 403 );
		}
		$count = Space_Inbox_Events::resync_all();
		wp_safe_redirect(
			add_query_arg(
				array(
					'page'                 => Space_Inbox_Options::SETTINGS_PAGE,
					'space_inbox_resynced' => $count,
				),
				admin_url( 'options-general.php' )
			)
		);
		exit;
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Action links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		$url = add_query_arg( 'page', Space_Inbox_Options::SETTINGS_PAGE, admin_url( 'options-general.php' ) );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'space-inbox' ) . '</a>' );
		return $links;
	}
}
