<?php
/**
 * Option keys and typed getters.
 *
 * Every option the plugin stores is named by an `OPTION_*` constant here: uninstall.php
 * deletes every such constant's option, so a new option is removed as soon as it is
 * declared.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The plugin's settings.
 */
final class Space_Inbox_Options {

	/** Server-to-server URL of the bridge, e.g. http://127.0.0.1:8765. */
	const OPTION_BRIDGE_URL = 'space_inbox_bridge_url';

	/** URL of the bridge as the browser reaches it (direct mode); empty means proxy mode. */
	const OPTION_PUBLIC_URL = 'space_inbox_public_url';

	/** Secret shared with the bridge (the bridge reads this option too). */
	const OPTION_SECRET = 'space_inbox_secret';

	/** Post type of Spaces. */
	const OPTION_POST_TYPE = 'space_inbox_post_type';

	/** Whether notifications are also e-mailed ('1' or '0'). */
	const OPTION_EMAIL = 'space_inbox_email';

	/** URL of the member inbox page (the bridge reads it to answer `inbox_url`). */
	const OPTION_INBOX_URL = 'space_inbox_inbox_url';

	/** ID of the member inbox page. */
	const OPTION_INBOX_PAGE = 'space_inbox_inbox_page';

	/** What surrounds an inbox shortcode on the page while the plugin is off. */
	const OFF_START = '<!-- space-inbox-off ';
	const OFF_END   = '<!-- /space-inbox-off -->';

	/** Version of the plugin's own tables. */
	const OPTION_DB_VERSION = 'space_inbox_db_version';

	/** The bridge's last status, as Site Health shows it, and when it was asked for. */
	const OPTION_HEALTH = 'space_inbox_site_health';

	/** The wp-config.php constant that, when defined, wins over the OPTION_SECRET option. */
	const SECRET_CONSTANT = 'SPACE_INBOX_SECRET';

	/** Default Space post type: the one of Spaces Engine. */
	const DEFAULT_POST_TYPE = 'wpe_wpspace';

	/** Current version of the plugin's tables; bump it when a CREATE TABLE changes. */
	const CURRENT_DB_VERSION = '1';

	/** Shortcode of the member inbox (rendered by the UI class). */
	const SHORTCODE = 'space_inbox';

	/** Slug of the settings screen (options-general.php?page=...). */
	const SETTINGS_PAGE = 'space-inbox';

	/** Slug of the wp-admin inbox screen (admin.php?page=...), rendered by the UI class. */
	const ADMIN_INBOX_PAGE = 'space-inbox-messages';

	/** The fast proxy of proxy mode, in the plugin's folder (it runs without WordPress). */
	const PROXY_FILE = 'proxy.php';

	/**
	 * Server-to-server base URL of the bridge, without a trailing slash.
	 *
	 * @return string URL, or '' when not configured.
	 */
	public static function bridge_url() {
		return untrailingslashit( (string) get_option( self::OPTION_BRIDGE_URL, '' ) );
	}

	/**
	 * Base URL of the bridge for the browser (direct mode), without a trailing slash.
	 *
	 * @return string URL, or '' in proxy mode.
	 */
	public static function public_url() {
		return untrailingslashit( (string) get_option( self::OPTION_PUBLIC_URL, '' ) );
	}

	/**
	 * Whether the browser goes through the plugin's REST proxy.
	 *
	 * @return bool
	 */
	public static function proxy_mode() {
		return '' === self::public_url();
	}

	/**
	 * Base URL the browser uses for the bridge's `/api/v1` routes: the API path is appended
	 * to it (with "&" before a query, since it holds a "?" in proxy mode).
	 *
	 * In proxy mode it is the plugin's fast proxy (PROXY_FILE), which forwards to the
	 * bridge without loading WordPress.
	 *
	 * @return string E.g. https://example.org/wp-content/plugins/space-inbox/proxy.php?path=
	 *                (proxy) or https://example.org/space-inbox-api/api/v1/ (direct).
	 */
	public static function browser_api_base() {
		if ( self::proxy_mode() ) {
			require_once SPACE_INBOX_DIR . self::PROXY_FILE;
			return plugins_url( self::PROXY_FILE, SPACE_INBOX_FILE ) . '?' . Space_Inbox_Proxy::PATH_PARAM . '=';
		}
		return self::public_url() . '/api/v1/';
	}

	/**
	 * Whether the secret comes from the wp-config.php constant.
	 *
	 * @return bool
	 */
	public static function secret_from_constant() {
		return defined( self::SECRET_CONSTANT ) && '' !== (string) constant( self::SECRET_CONSTANT );
	}

	/**
	 * The secret shared with the bridge: the wp-config.php constant, else the option.
	 *
	 * @return string Secret, or '' when there is none (the plugin was never activated).
	 */
	public static function secret() {
		if ( self::secret_from_constant() ) {
			return (string) constant( self::SECRET_CONSTANT );
		}
		return (string) get_option( self::OPTION_SECRET, '' );
	}

	/**
	 * Make a new random secret.
	 *
	 * @return string 64 letters and digits.
	 */
	public static function generate_secret() {
		return wp_generate_password( 64, false, false );
	}

	/**
	 * Post type of Spaces.
	 *
	 * @return string A post type name (1 to 20 characters).
	 */
	public static function post_type() {
		$type = sanitize_key( (string) get_option( self::OPTION_POST_TYPE, self::DEFAULT_POST_TYPE ) );
		return ( '' === $type || strlen( $type ) > 20 ) ? self::DEFAULT_POST_TYPE : $type;
	}

	/**
	 * Whether notifications are e-mailed.
	 *
	 * @return bool Default true.
	 */
	public static function email_enabled() {
		return '1' === (string) get_option( self::OPTION_EMAIL, '1' );
	}

	/**
	 * URL of the member inbox page.
	 *
	 * The page's current permalink when the page exists, else the stored URL, else home.
	 *
	 * @return string
	 */
	public static function inbox_url() {
		$page_id = (int) get_option( self::OPTION_INBOX_PAGE, 0 );
		if ( $page_id > 0 && 'publish' === get_post_status( $page_id ) ) {
			$url = get_permalink( $page_id );
			if ( $url ) {
				return $url;
			}
		}
		$stored = (string) get_option( self::OPTION_INBOX_URL, '' );
		return '' !== $stored ? $stored : home_url( '/' );
	}

	/**
	 * Store the inbox page's permalink in the option the bridge reads.
	 *
	 * Called when the page is saved or permalinks change, so the bridge's `inbox_url`
	 * stays right.
	 *
	 * @return void
	 */
	public static function refresh_inbox_url() {
		$page_id = (int) get_option( self::OPTION_INBOX_PAGE, 0 );
		if ( $page_id <= 0 || 'publish' !== get_post_status( $page_id ) ) {
			return;
		}
		$url = get_permalink( $page_id );
		if ( $url && get_option( self::OPTION_INBOX_URL ) !== $url ) {
			update_option( self::OPTION_INBOX_URL, $url );
		}
	}

	/**
	 * Keep the inbox URL option current when its page is saved.
	 *
	 * @param int $post_id Saved post.
	 * @return void
	 */
	public static function on_save_page( $post_id ) {
		if ( (int) get_option( self::OPTION_INBOX_PAGE, 0 ) === (int) $post_id ) {
			self::refresh_inbox_url();
		}
	}

	/**
	 * URL of the wp-admin inbox screen, optionally opened on a Space and conversation.
	 *
	 * @param int $space_id        Space post ID, 0 for none.
	 * @param int $conversation_id Conversation ID, 0 for none.
	 * @return string
	 */
	public static function admin_inbox_url( $space_id = 0, $conversation_id = 0 ) {
		$args = array( 'page' => self::ADMIN_INBOX_PAGE );
		if ( $space_id > 0 ) {
			$args['space'] = (int) $space_id;
		}
		if ( $conversation_id > 0 ) {
			$args['conversation'] = (int) $conversation_id;
		}
		$url = add_query_arg( $args, admin_url( 'admin.php' ) );

		/**
		 * Filters the link to the Space admins' inbox (e-mails and notifications use it).
		 *
		 * @param string $url             URL of the wp-admin inbox screen.
		 * @param int    $space_id        Space post ID, 0 for none.
		 * @param int    $conversation_id Conversation ID, 0 for none.
		 */
		return (string) apply_filters( 'space_inbox_admin_inbox_url', $url, (int) $space_id, (int) $conversation_id );
	}

	/**
	 * URL of a Space's team inbox on the front end (the inbox page, switched to the Space),
	 * optionally opened on a conversation. Space admins work there, whatever their role;
	 * the wp-admin screen is for site staff.
	 *
	 * @param int $space_id        Space post ID.
	 * @param int $conversation_id Conversation ID, 0 for none.
	 * @return string
	 */
	public static function team_inbox_url( $space_id, $conversation_id = 0 ) {
		$args = array( 'team' => (int) $space_id );
		if ( $conversation_id > 0 ) {
			$args['conversation'] = (int) $conversation_id;
		}
		$url = add_query_arg( $args, self::inbox_url() );

		/**
		 * Filters the link to a Space's team inbox (notifications and e-mails to its
		 * admins use it).
		 *
		 * @since 0.1.0
		 *
		 * @param string $url             URL of the inbox page, switched to the Space.
		 * @param int    $space_id        Space post ID.
		 * @param int    $conversation_id Conversation ID, 0 for none.
		 */
		return (string) apply_filters( 'space_inbox_team_inbox_url', $url, (int) $space_id, (int) $conversation_id );
	}

	/**
	 * URL of the member inbox, optionally opened on a Space.
	 *
	 * @param int $space_id Space post ID, 0 for none.
	 * @return string
	 */
	public static function member_inbox_url( $space_id = 0 ) {
		$url = self::inbox_url();
		if ( $space_id > 0 ) {
			$url = add_query_arg( 'space', (int) $space_id, $url );
		}

		/**
		 * Filters the link to a member's inbox (e-mails and notifications use it).
		 *
		 * @param string $url      URL of the member inbox page.
		 * @param int    $space_id Space post ID, 0 for none.
		 */
		return (string) apply_filters( 'space_inbox_member_inbox_url', $url, (int) $space_id );
	}

	/**
	 * Create the options that need a value from the start (activation).
	 *
	 * Existing values are kept: re-activating changes nothing.
	 *
	 * @return void
	 */
	public static function install() {
		if ( '' === (string) get_option( self::OPTION_SECRET, '' ) ) {
			update_option( self::OPTION_SECRET, self::generate_secret(), false );
		}
		add_option( self::OPTION_POST_TYPE, self::DEFAULT_POST_TYPE );
		add_option( self::OPTION_EMAIL, '1' );
		add_option( self::OPTION_BRIDGE_URL, 'http://127.0.0.1:8765' );
		add_option( self::OPTION_PUBLIC_URL, '' );
		self::install_inbox_page();
	}

	/**
	 * Say on the inbox page whether the inbox is on: on deactivation, each inbox shortcode
	 * goes into a comment beside a paragraph saying messages are off (WordPress would show
	 * an unknown shortcode as it is); on activation, the shortcodes come back.
	 *
	 * @param bool $on Whether the plugin is being turned on.
	 * @return void
	 */
	public static function switch_inbox_page( $on ) {
		$page_id = (int) get_option( self::OPTION_INBOX_PAGE, 0 );
		$page    = $page_id > 0 ? get_post( $page_id ) : null;
		if ( ! $page instanceof WP_Post ) {
			return;
		}
		$content = preg_replace( '/' . preg_quote( self::OFF_START, '/' ) . '(\[[^\]]*\]) -->.*?' . preg_quote( self::OFF_END, '/' ) . '/s', '$1', $page->post_content );
		if ( ! $on ) {
			$notice  = '<p class="space-inbox-off">' . esc_html__( 'Messages to Spaces are turned off for now. Please come back later.', 'space-inbox' ) . '</p>';
			$content = preg_replace( '/\[' . self::SHORTCODE . '(\s[^\]]*)?\]/', self::OFF_START . '$0 -->' . $notice . self::OFF_END, $content );
		}
		if ( $content !== $page->post_content ) {
			wp_update_post(
				array(
					'ID'           => $page_id,
					'post_content' => wp_slash( $content ),
				)
			);
		}
	}

	/**
	 * Create the "Space Messages" page with the inbox shortcode, unless one exists.
	 *
	 * @return void
	 */
	private static function install_inbox_page() {
		$page_id = (int) get_option( self::OPTION_INBOX_PAGE, 0 );
		$status  = $page_id > 0 ? get_post_status( $page_id ) : false;
		if ( ! $status || 'trash' === $status ) {
			$page_id = self::find_inbox_page();
		}
		if ( ! $page_id ) {
			$page_id = wp_insert_post(
				array(
					'post_type'      => 'page',
					'post_status'    => 'publish',
					'post_title'     => __( 'Space Messages', 'space-inbox' ),
					'post_name'      => 'space-messages',
					'post_content'   => '<!-- wp:shortcode -->[' . self::SHORTCODE . ']<!-- /wp:shortcode -->',
					'comment_status' => 'closed',
					'ping_status'    => 'closed',
				)
			);
			if ( is_wp_error( $page_id ) ) {
				return;
			}
		}
		update_option( self::OPTION_INBOX_PAGE, (int) $page_id );
		update_option( self::OPTION_INBOX_URL, (string) get_permalink( $page_id ) );
	}

	/**
	 * Find a published page that already holds the inbox shortcode.
	 *
	 * @return int Page ID, or 0.
	 */
	private static function find_inbox_page() {
		$pages = get_posts(
			array(
				'post_type'              => 'page',
				'post_status'            => 'publish',
				's'                      => '[' . self::SHORTCODE . ']',
				'posts_per_page'         => 10,
				'orderby'                => 'ID',
				'order'                  => 'ASC',
				'no_found_rows'          => true,
				'update_post_meta_cache' => false,
				'update_post_term_cache' => false,
			)
		);
		foreach ( $pages as $page ) {
			if ( has_shortcode( $page->post_content, self::SHORTCODE ) ) {
				return (int) $page->ID;
			}
		}
		return 0;
	}
}
