<?php
/**
 * The user interface: the Message button, the header link, the profile tab, the member
 * inbox shortcode and the wp-admin "Space Inbox" screen.
 *
 * Everything here is thin: PHP renders containers, links and a small configuration, and
 * plain ES modules talk to the bridge from the browser: assets/badge.js on every page a
 * logged-in user sees (the counts, the header links), assets/inbox.js and assets/team.js
 * (the team's tools: typing, saved replies, the dashboard) only where an inbox is shown.
 * One render asks the bridge: the Space page's "Typically replies within …" line, public,
 * kept in a transient for 5 minutes per Space, with a short timeout, and left out when the
 * bridge does not answer; every other page renders without it. Strings are translated in
 * the modules with `wp.i18n`.
 *
 * Hooks used (all added in init()):
 * - `wp_enqueue_scripts`, `admin_enqueue_scripts`, `script_loader_tag`: the assets;
 * - `the_content`: the Message button on a single Space;
 * - `admin_bar_menu`: the "Space inbox" toolbar node, under BuddyPress' notifications
 *   node where there is one;
 * - `bp_setup_nav`: the "Space Messages" profile tab (BuddyPress / BuddyBoss Platform);
 * - `admin_menu`, `load-{$hook_suffix}`: the wp-admin screen and its assets.
 *
 * @package SpaceInbox
 */

defined( 'ABSPATH' ) || exit;

/**
 * Renders the plugin's screens and hands the browser what the inbox module needs.
 */
class Space_Inbox_UI {

	/** Handle of the stylesheet and of the inbox module (assets/inbox.js). */
	const HANDLE = 'space-inbox';

	/** Handle of the badge module (assets/badge.js), on every logged-in page. */
	const BADGE_HANDLE = 'space-inbox-badge';

	/** Handle of the team module (assets/team.js), which the inbox module imports. */
	const TEAM_HANDLE = 'space-inbox-team';

	/** Handle of the cards module (assets/space-cards.js), on Spaces Engine's archive. */
	const CARDS_HANDLE = 'space-inbox-cards';

	/** Every module's handle. */
	const MODULES = array( self::BADGE_HANDLE, self::TEAM_HANDLE, self::HANDLE, self::CARDS_HANDLE );

	/** Transient of a Space's reply time, as the public endpoint gives it (plus the Space id). */
	const REPLY_TIME_TRANSIENT = 'space_inbox_reply_time_';

	/** Seconds a Space's reply time is kept: the bridge's own Cache-Control (5 minutes). */
	const REPLY_TIME_TTL = 300;

	/** Seconds a failed ask for it is remembered, so a bridge that is down slows no page. */
	const REPLY_TIME_RETRY = 60;

	/** Slug of the BuddyPress profile tab (members/<user>/space-messages/). */
	const PROFILE_SLUG = 'space-messages';

	/** How many Spaces a site administrator's oversight picker lists at most. */
	const OVERSIGHT_LIMIT = 500;

	/**
	 * Hook suffix of the wp-admin screen, once it is registered.
	 *
	 * @var string
	 */
	private static $admin_hook = '';


	/**
	 * Adds the hooks. Nothing else runs at load time.
	 */
	public static function init() {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue_front' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_admin_badge' ) );
		add_filter( 'script_loader_tag', array( __CLASS__, 'module_tag' ), 10, 2 );

		add_filter( 'the_content', array( __CLASS__, 'append_message_button' ), 20 );
		add_shortcode( 'space_inbox_button', array( __CLASS__, 'button_shortcode' ) );
		add_shortcode( 'space_inbox', array( __CLASS__, 'inbox_shortcode' ) );

		// Beside "My Account" (7) on its own; under BuddyPress' notifications node, which
		// BuddyPress adds at 6 (WordPress 6.6+) or 90, once that node exists.
		add_action( 'admin_bar_menu', array( __CLASS__, 'admin_bar_node_early' ), 6 );
		add_action( 'admin_bar_menu', array( __CLASS__, 'admin_bar_node' ), 91 );

		// BuddyBoss Theme: the header's user menu, after its Messages item.
		add_action( 'buddyboss_theme_after_bb_messages_menu', array( __CLASS__, 'buddyboss_user_menu_item' ) );

		add_action( 'bp_setup_nav', array( __CLASS__, 'profile_nav' ), 100 );

		add_action( 'admin_menu', array( __CLASS__, 'admin_menu' ) );
	}

	// -- helpers ---------------------------------------------------------------------------

	/**
	 * The post type of Spaces.
	 *
	 * @return string
	 */
	private static function post_type() {
		return Space_Inbox_Options::post_type();
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
			&& self::post_type() === $post->post_type
			&& 'publish' === $post->post_status;
	}

	/**
	 * The Space ids the current user administers.
	 *
	 * @return int[]
	 */
	private static function my_spaces() {
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return array();
		}
		return array_values( array_filter( array_map( 'intval', (array) Space_Inbox_Spaces::spaces_of_user( $user_id ) ) ) );
	}

	/**
	 * Whether the current user may open the wp-admin Space Inbox: a Space admin, or a
	 * site administrator (read-only oversight unless also on a Space's team).
	 *
	 * @return bool
	 */
	private static function can_use_admin_inbox() {
		return is_user_logged_in() && ( current_user_can( 'manage_options' ) || array() !== self::my_spaces() );
	}

	/**
	 * URL of the wp-admin Space Inbox screen, optionally with a Space selected.
	 *
	 * @param int $space_id Space to select, or 0.
	 * @return string
	 */
	private static function admin_inbox_url( $space_id = 0 ) {
		return Space_Inbox_Options::admin_inbox_url( (int) $space_id );
	}

	/**
	 * URL of the member's inbox (the [space_inbox] page), optionally with a Space selected.
	 *
	 * @param int $space_id Space to select, or 0.
	 * @return string
	 */
	private static function inbox_url( $space_id = 0 ) {
		return Space_Inbox_Options::member_inbox_url( (int) $space_id );
	}

	/**
	 * A language tag for Intl in the browser, from the user's WordPress locale.
	 *
	 * @return string
	 */
	private static function locale_tag() {
		return str_replace( '_', '-', (string) get_user_locale() );
	}

	/**
	 * A post title as plain text (the module writes it with textContent).
	 *
	 * @param int $post_id Post id.
	 * @return string
	 */
	private static function plain_title( $post_id ) {
		return html_entity_decode( wp_strip_all_tags( get_the_title( $post_id ) ), ENT_QUOTES, 'UTF-8' );
	}

	// -- assets ----------------------------------------------------------------------------

	/**
	 * Registers the modules and the stylesheet (once).
	 *
	 * Every module carries the same version: inbox.js imports badge.js and team.js with its
	 * own query string, so that the page holds one badge module (one poll), not two.
	 */
	private static function register_assets() {
		if ( wp_script_is( self::HANDLE, 'registered' ) ) {
			return;
		}
		$dir   = SPACE_INBOX_DIR . 'assets/';
		$files = array( 'space-inbox.css', 'badge.js', 'team.js', 'inbox.js', 'space-cards.js' );
		$ver   = SPACE_INBOX_VERSION . '.' . max( array_map( static function ( $file ) use ( $dir ) {
			return (int) @filemtime( $dir . $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		}, $files ) );
		wp_register_style( self::HANDLE, SPACE_INBOX_URL . 'assets/space-inbox.css', array(), $ver );
		wp_register_script( self::BADGE_HANDLE, SPACE_INBOX_URL . 'assets/badge.js', array( 'wp-i18n' ), $ver, true );
		wp_register_script( self::TEAM_HANDLE, SPACE_INBOX_URL . 'assets/team.js', array( 'wp-i18n', self::BADGE_HANDLE ), $ver, true );
		wp_register_script( self::HANDLE, SPACE_INBOX_URL . 'assets/inbox.js', array( 'wp-i18n', self::BADGE_HANDLE, self::TEAM_HANDLE ), $ver, true );
		wp_register_script( self::CARDS_HANDLE, SPACE_INBOX_URL . 'assets/space-cards.js', array( 'wp-i18n' ), $ver, true );
		foreach ( self::MODULES as $handle ) {
			wp_set_script_translations( $handle, 'space-inbox', SPACE_INBOX_DIR . 'languages' );
		}
		wp_add_inline_script(
			self::BADGE_HANDLE,
			'window.spaceInboxConfig = ' . wp_json_encode( self::config() ) . ';',
			'before'
		);
	}

	/**
	 * The configuration the modules read from window.spaceInboxConfig.
	 *
	 * @return array
	 */
	private static function config() {
		$config = array(
			'apiBase'            => Space_Inbox_Options::browser_api_base(),
			'mode'               => Space_Inbox_Options::proxy_mode() ? 'proxy' : 'direct',
			'nonce'              => wp_create_nonce( 'wp_rest' ),
			'inboxUrl'           => self::inbox_url(),
			'locale'             => self::locale_tag(),
			'maxLength'          => Space_Inbox_Limits::BODY_MAX,
			// Every admin sees a new message within 5 s: a poll every 4 s leaves room for
			// the round trips of the poll under way when the message arrives.
			'pollMs'             => 4000,
			// Live updates come over a stream only in direct mode: through WordPress, each
			// open page would hold a PHP worker.
			'streamUrl'          => Space_Inbox_Options::proxy_mode() ? '' : Space_Inbox_Options::public_url() . '/api/v1/me/stream',
			// The team's tools.
			'typingSeconds'      => Space_Inbox_Limits::TYPING_SECONDS,
			'savedRepliesMax'    => Space_Inbox_Limits::SAVED_REPLIES_MAX,
			'savedReplyTitleMax' => Space_Inbox_Limits::SAVED_REPLY_TITLE_MAX,
			'replyTimes'         => Space_Inbox_Limits::REPLY_TIMES,
			'weekdays'           => Space_Inbox_Limits::WEEKDAYS,
			'intervalsPerDay'    => Space_Inbox_Limits::INTERVALS_PER_DAY,
		);

		/**
		 * Filters the configuration handed to the modules (window.spaceInboxConfig).
		 *
		 * @since 0.1.0
		 *
		 * @param array $config apiBase, mode ('direct'|'proxy'), nonce, inboxUrl,
		 *                      locale, maxLength (the bridge's longest message,
		 *                      Space_Inbox_Limits::BODY_MAX), pollMs (the fallback poll),
		 *                      streamUrl (the live stream, '' for none), and the team tools'
		 *                      limits: typingSeconds, savedRepliesMax, savedReplyTitleMax,
		 *                      replyTimes, weekdays, intervalsPerDay.
		 */
		return apply_filters( 'space_inbox_ui_config', $config );
	}

	/**
	 * Enqueues the stylesheet and, for logged-in users, the badge module.
	 */
	public static function enqueue_badge() {
		self::register_assets();
		wp_enqueue_style( self::HANDLE );
		if ( is_user_logged_in() ) {
			wp_enqueue_script( self::BADGE_HANDLE );
		}
	}

	/**
	 * Enqueues the inbox module too: for pages that show an inbox.
	 */
	public static function enqueue_assets() {
		self::enqueue_badge();
		if ( is_user_logged_in() ) {
			wp_enqueue_script( self::HANDLE );
		}
	}

	/**
	 * Front end: the badge module for logged-in users (the toolbar badge and header links
	 * are on every page); the stylesheet also on single Spaces, for the Message button.
	 */
	public static function enqueue_front() {
		if ( is_user_logged_in() || is_singular( self::post_type() ) ) {
			self::enqueue_badge();
		}
	}

	/**
	 * wp-admin: the badge module where the toolbar shows. The inbox screen itself loads
	 * the inbox module from its load-{$hook_suffix} hook.
	 */
	public static function enqueue_admin_badge() {
		if ( is_admin_bar_showing() ) {
			self::enqueue_badge();
		}
	}

	/**
	 * Marks the modules' script tags type="module" (WordPress 6.1 has no script modules).
	 *
	 * @param string $tag    The script tag(s) of a handle, with any inline scripts.
	 * @param string $handle Script handle.
	 * @return string
	 */
	public static function module_tag( $tag, $handle ) {
		if ( ! in_array( $handle, self::MODULES, true ) ) {
			return $tag;
		}
		// Only the tag that loads the file: the inline configuration and translations stay
		// classic scripts, so they run first.
		return (string) preg_replace_callback(
			'/<script\b([^>]*?\bid=([\'"])' . preg_quote( $handle, '/' ) . '-js\2[^>]*)>/',
			static function ( $m ) {
				$attrs = preg_replace( '/\stype=([\'"])[^\'"]*\1/', '', $m[1] );
				return '<script type="module"' . $attrs . '>';
			},
			$tag
		);
	}

	// -- the Message button ----------------------------------------------------------------

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
	private static function reply_time( $space_id ) {
		$key   = self::REPLY_TIME_TRANSIENT . (int) $space_id;
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
		set_transient( $key, $found, is_wp_error( $answer ) ? self::REPLY_TIME_RETRY : self::REPLY_TIME_TTL );
		return $found;
	}

	/**
	 * Forget a Space's kept reply time (the next Space page asks the bridge again).
	 *
	 * @param int $space_id Space post id.
	 */
	public static function forget_reply_time( $space_id ) {
		delete_transient( self::REPLY_TIME_TRANSIENT . (int) $space_id );
	}

	/**
	 * The Space's "Typically replies within …" line, and "Very responsive" when it is
	 * (escaped HTML); '' when the Space has no reply time or the bridge does not answer.
	 *
	 * @param int $space_id Space post id.
	 * @return string
	 */
	public static function reply_time_html( $space_id ) {
		$found = self::reply_time( $space_id );
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
	public static function message_link_html( $space_id, $classes = 'space-inbox-button' ) {
		$space_id = (int) $space_id;
		self::enqueue_badge(); // Printed in the footer if the head is past.
		if ( ! is_user_logged_in() ) {
			return sprintf(
				'<a class="%1$s space-inbox-button--login" href="%2$s">%3$s</a>',
				esc_attr( $classes ),
				esc_url( wp_login_url( self::inbox_url( $space_id ) ) ),
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
				self::badge( 'space-' . $space_id )
			);
		}
		return sprintf(
			'<a class="%1$s" href="%2$s" data-space-inbox-open="%3$d" aria-label="%4$s">%5$s</a>',
			esc_attr( $classes ),
			esc_url( self::inbox_url( $space_id ) ),
			$space_id,
			/* translators: %s: Space name. */
			esc_attr( sprintf( __( 'Message %s', 'space-inbox' ), self::plain_title( $space_id ) ) ),
			esc_html__( 'Message', 'space-inbox' )
		);
	}

	/**
	 * The Message button of a Space (escaped HTML), with how fast the Space typically
	 * replies beside it: see message_link_html() for who sees which link.
	 *
	 * @param int $space_id Space post id; 0 for the current post.
	 * @return string HTML, or '' when the id is not a published Space.
	 */
	public static function message_button_html( $space_id = 0 ) {
		$space_id = $space_id ? (int) $space_id : (int) get_the_ID();
		if ( ! self::is_space( $space_id ) ) {
			return '';
		}
		$html = '<p class="space-inbox-button-wrap">' . self::message_link_html( $space_id ) . self::reply_time_html( $space_id ) . '</p>';

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
	public static function append_message_button( $content ) {
		if ( is_admin() || is_feed() || ! is_singular( self::post_type() ) || ! in_the_loop() || ! is_main_query() ) {
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
		return $content . self::message_button_html( $space_id );
	}

	/**
	 * [space_inbox_button id="123"]: the Message button of a Space (default: this post).
	 *
	 * @param array|string $atts Shortcode attributes.
	 * @return string
	 */
	public static function button_shortcode( $atts ) {
		$atts = shortcode_atts( array( 'id' => 0 ), $atts, 'space_inbox_button' );
		return self::message_button_html( absint( $atts['id'] ) );
	}

	// -- the front-end inbox ---------------------------------------------------------------

	/**
	 * The container the inbox module fills (escaped HTML).
	 *
	 * @param string $mode 'front' (the member's inbox, with the switcher to the team
	 *                     inboxes of their Spaces) or 'admin' (the wp-admin screen).
	 * @param array  $data Extra data-* values for the module (e.g. 'spaces' in admin mode).
	 * @return string
	 */
	private static function container( $mode, array $data = array() ) {
		self::enqueue_assets();
		self::mark_linked_notifications_read();
		$attrs = sprintf( ' data-space-inbox="%s"', esc_attr( $mode ) );
		foreach ( $data as $key => $value ) {
			$attrs .= sprintf( ' data-%s="%s"', esc_attr( $key ), esc_attr( is_string( $value ) ? $value : wp_json_encode( $value ) ) );
		}
		return sprintf(
			'<div class="space-inbox space-inbox--%1$s"%2$s><p class="space-inbox-loading">%3$s</p><noscript><p>%4$s</p></noscript></div>',
			esc_attr( $mode ),
			$attrs,
			esc_html__( 'Loading…', 'space-inbox' ),
			esc_html__( 'The inbox needs JavaScript.', 'space-inbox' )
		);
	}

	/**
	 * [space_inbox]: the member's inbox (the page the plugin creates on activation).
	 *
	 * @return string
	 */
	public static function inbox_shortcode() {
		if ( ! is_user_logged_in() ) {
			self::register_assets();
			wp_enqueue_style( self::HANDLE );
			$back = get_permalink();
			$space = isset( $_GET['space'] ) ? absint( $_GET['space'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a link target, not an action.
			if ( $back && $space ) {
				$back = add_query_arg( 'space', $space, $back );
			}
			return sprintf(
				'<p class="space-inbox-login"><a class="space-inbox-button" href="%1$s">%2$s</a></p>',
				esc_url( wp_login_url( $back ? $back : '' ) ),
				esc_html__( 'Log in to see your Space messages', 'space-inbox' )
			);
		}
		return self::container( 'front' );
	}

	/**
	 * An inbox opened on a conversation (from a notification, an e-mail, a link) marks the
	 * user's own BuddyPress notifications of it read, as BuddyPress does for its messages.
	 * Reading in the inbox marks them too, through the bridge, for the whole team.
	 *
	 * Query: `team` (or `space` in wp-admin) and `conversation` for a team inbox; `space`
	 * alone for the member's conversation with a Space.
	 *
	 * @return void
	 */
	private static function mark_linked_notifications_read() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- link targets, not actions: only the user's own notifications change.
		$team         = isset( $_GET['team'] ) ? absint( $_GET['team'] ) : 0;
		$space        = isset( $_GET['space'] ) ? absint( $_GET['space'] ) : 0;
		$conversation = isset( $_GET['conversation'] ) ? absint( $_GET['conversation'] ) : 0;
		// phpcs:enable
		$user_id = get_current_user_id();
		if ( ! $user_id ) {
			return;
		}
		if ( is_admin() ) {
			$team  = $space;
			$space = 0;
		}
		if ( $team && $conversation ) {
			Space_Inbox_Notifications::mark_read( $user_id, $team, $conversation, array( Space_Inbox_Notifications::ACTION_MEMBER_MESSAGE ) );
		} elseif ( $space ) {
			Space_Inbox_Notifications::mark_read( $user_id, $space, 0, array( Space_Inbox_Notifications::ACTION_SPACE_REPLY ) );
		}
	}

	// -- header links ----------------------------------------------------------------------

	/**
	 * A count badge that the module fills (hidden until it knows the count).
	 *
	 * @param string $which 'total', 'member', 'spaces', or 'space-<id>' for one Space.
	 * @return string
	 */
	private static function badge( $which ) {
		return sprintf(
			'<span class="space-inbox-badge" data-space-inbox-count="%s" hidden></span>',
			esc_attr( $which )
		);
	}

	/**
	 * The "Space inbox" toolbar node: under BuddyPress' notifications node where the
	 * toolbar has one (a second link beside the notifications), else on its own in
	 * 'top-secondary'. Its children: the user's own conversations, each Space they answer
	 * for, and for site staff the wp-admin screen. Counts are filled by the badge module,
	 * never on render.
	 *
	 * @param WP_Admin_Bar $wp_admin_bar The toolbar.
	 */
	public static function admin_bar_node( $wp_admin_bar ) {
		if ( ! is_user_logged_in() || $wp_admin_bar->get_node( 'space-inbox' ) ) {
			return;
		}
		$under_bp = (bool) $wp_admin_bar->get_node( 'bp-notifications' );
		$wp_admin_bar->add_node(
			array(
				'parent' => $under_bp ? 'bp-notifications' : 'top-secondary',
				'id'     => 'space-inbox',
				'title'  => ( $under_bp ? '' : '<span class="ab-icon" aria-hidden="true"></span>' )
					. '<span class="ab-label">' . esc_html__( 'Space inbox', 'space-inbox' ) . '</span>' . self::badge( 'total' ),
				'href'   => self::inbox_url(), // The toolbar escapes it.
				'meta'   => array(
					'class' => 'space-inbox-toolbar' . ( $under_bp ? ' space-inbox-toolbar--bp' : '' ),
					'title' => __( 'Messages to and from Spaces', 'space-inbox' ),
				),
			)
		);
		$wp_admin_bar->add_node(
			array(
				'parent' => 'space-inbox',
				'id'     => 'space-inbox-member',
				'title'  => esc_html__( 'My conversations', 'space-inbox' ) . self::badge( 'member' ),
				'href'   => self::inbox_url(),
			)
		);
		foreach ( self::my_spaces() as $space_id ) {
			if ( self::is_space( $space_id ) ) {
				$wp_admin_bar->add_node(
					array(
						'parent' => 'space-inbox',
						'id'     => 'space-inbox-team-' . $space_id,
						'title'  => esc_html( self::plain_title( $space_id ) ) . self::badge( 'space-' . $space_id ),
						'href'   => Space_Inbox_Options::team_inbox_url( $space_id ),
					)
				);
			}
		}
		if ( current_user_can( 'manage_options' ) ) {
			$wp_admin_bar->add_node(
				array(
					'parent' => 'space-inbox',
					'id'     => 'space-inbox-admin',
					'title'  => esc_html__( 'Every Space (wp-admin)', 'space-inbox' ),
					'href'   => self::admin_inbox_url(),
				)
			);
		}
	}

	/**
	 * The toolbar node at priority 6, beside "My Account", where no BuddyPress
	 * notifications node will come to hold it.
	 *
	 * @param WP_Admin_Bar $wp_admin_bar The toolbar.
	 */
	public static function admin_bar_node_early( $wp_admin_bar ) {
		if ( ! Space_Inbox_Notifications::buddypress_active() ) {
			self::admin_bar_node( $wp_admin_bar );
		}
	}

	/**
	 * BuddyBoss Theme: "Space inbox" in the header's user menu, right after "Messages"
	 * (`buddyboss_theme_after_bb_messages_menu`, in template-parts/header-profile-menu.php),
	 * so it comes before "Logout".
	 */
	public static function buddyboss_user_menu_item() {
		if ( ! is_user_logged_in() ) {
			return;
		}
		printf(
			'<li id="wp-admin-bar-my-account-space-inbox" class="space-inbox-menu-item"><a class="ab-item" href="%1$s">%2$s%3$s</a></li>',
			esc_url( self::inbox_url() ),
			esc_html__( 'Space inbox', 'space-inbox' ),
			self::badge( 'total' ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in badge().
		);
	}

	// -- the BuddyPress profile tab --------------------------------------------------------

	/**
	 * Adds the "Space Messages" tab to the logged-in member's own profile.
	 */
	public static function profile_nav() {
		if ( ! function_exists( 'bp_core_new_nav_item' ) || ! function_exists( 'bp_is_active' ) || ! bp_is_active( 'members' ) ) {
			return;
		}
		if ( ! is_user_logged_in() ) {
			return;
		}
		// Only on one's own profile (or outside profiles, so the URL resolves).
		if ( function_exists( 'bp_displayed_user_id' ) && bp_displayed_user_id() && ! bp_is_my_profile() ) {
			return;
		}
		bp_core_new_nav_item(
			array(
				'name'                    => __( 'Space Messages', 'space-inbox' ),
				'slug'                    => self::PROFILE_SLUG,
				'item_css_id'             => 'space-inbox-messages',
				'position'                => 55, // After BuddyPress' Messages (50).
				'show_for_displayed_user' => false,
				'screen_function'         => array( __CLASS__, 'profile_screen' ),
			)
		);
	}

	/**
	 * Screen function of the profile tab: BuddyPress' plugins template with the inbox.
	 */
	public static function profile_screen() {
		add_action( 'bp_template_title', array( __CLASS__, 'profile_title' ) );
		add_action( 'bp_template_content', array( __CLASS__, 'profile_content' ) );
		self::enqueue_assets();

		/** This filter is documented in bp-core/bp-core-catchuri.php of BuddyPress. */
		bp_core_load_template( apply_filters( 'bp_core_template_plugin', 'members/single/plugins' ) );
	}

	/**
	 * Title of the profile tab's page.
	 */
	public static function profile_title() {
		esc_html_e( 'Space Messages', 'space-inbox' );
	}

	/**
	 * Content of the profile tab: the member inbox, only on one's own profile.
	 */
	public static function profile_content() {
		if ( function_exists( 'bp_is_my_profile' ) && ! bp_is_my_profile() ) {
			return;
		}
		echo self::container( 'front' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in container().
	}

	// -- the wp-admin screen ---------------------------------------------------------------

	/**
	 * Adds the "Space Inbox" screen for Space admins and site administrators.
	 */
	public static function admin_menu() {
		if ( ! self::can_use_admin_inbox() ) {
			return;
		}
		self::$admin_hook = (string) add_menu_page(
			__( 'Space Inbox', 'space-inbox' ),
			__( 'Space Inbox', 'space-inbox' ),
			'read',
			Space_Inbox_Options::ADMIN_INBOX_PAGE,
			array( __CLASS__, 'admin_screen' ),
			'dashicons-email-alt',
			26
		);
		if ( self::$admin_hook ) {
			add_action( 'load-' . self::$admin_hook, array( __CLASS__, 'admin_load' ) );
		}
	}

	/**
	 * Loads the inbox assets on the Space Inbox screen only.
	 */
	public static function admin_load() {
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_assets' ) );
	}

	/**
	 * The Spaces an admin-mode inbox offers: the user's own (they may answer), plus for
	 * site administrators every published Space (read-only oversight). The bridge is the
	 * judge of who may answer; the module learns it from me/summary and from a 403
	 * oversight_read_only.
	 *
	 * @return array<int, array{id: int, name: string}>
	 */
	private static function admin_spaces() {
		$ids = self::my_spaces();
		if ( current_user_can( 'manage_options' ) ) {
			$ids = array_merge(
				$ids,
				get_posts(
					array(
						'post_type'        => self::post_type(),
						'post_status'      => 'publish',
						'fields'           => 'ids',
						'orderby'          => 'title',
						'order'            => 'ASC',
						'numberposts'      => self::OVERSIGHT_LIMIT,
						'suppress_filters' => false,
						'no_found_rows'    => true,
					)
				)
			);
		}
		$spaces = array();
		foreach ( array_unique( array_map( 'intval', $ids ) ) as $id ) {
			if ( self::is_space( $id ) ) {
				$spaces[] = array(
					'id'   => $id,
					'name' => self::plain_title( $id ),
				);
			}
		}
		usort(
			$spaces,
			static function ( $a, $b ) {
				return strcasecmp( $a['name'], $b['name'] );
			}
		);
		return $spaces;
	}

	/**
	 * Renders the Space Inbox screen: the admin-mode container.
	 */
	public static function admin_screen() {
		if ( ! self::can_use_admin_inbox() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'space-inbox' ), 403 );
		}
		?>
		<div class="wrap space-inbox-wrap">
			<h1><?php esc_html_e( 'Space Inbox', 'space-inbox' ); ?></h1>
			<p class="description"><?php esc_html_e( 'Answers go out as the Space. Members never see which admin wrote them; the team does.', 'space-inbox' ); ?></p>
			<?php
			echo self::container( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in container().
				'admin',
				array( 'space-inbox-spaces' => self::admin_spaces() )
			);
			?>
		</div>
		<?php
	}
}

if ( ! function_exists( 'space_inbox_message_button' ) ) {
	/**
	 * Template tag: prints the Message button of a Space.
	 *
	 * @param int $space_id Space post id; 0 for the current post.
	 */
	function space_inbox_message_button( $space_id = 0 ) {
		echo Space_Inbox_UI::message_button_html( (int) $space_id ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in message_button_html().
	}
}
