<?php
/**
 * The modules and stylesheets of the UI, by audience.
 *
 * - Every page a logged-in user sees: badge.js (the counts, the header links) and
 *   badge.css (with a Space's page, for visitors too: the Message button);
 * - the member's inbox (the inbox page, the profile tab): member-inbox.js and inbox.css;
 * - a Space team's inbox (the wp-admin screen): team-inbox.js, inbox.css and team.css.
 * On the front end, the team's inbox of a user on a Space's team is loaded by the modules
 * when it is shown (switcher.js, team-inbox.js, team.css), and the Dashboard when it is
 * opened (dashboard.js and dashboard.css), with their translations (from a REST route,
 * Space_Inbox_REST::translations()): a member's page loads none of them, nor the team's
 * configuration, which only the team's pages are handed.
 *
 * The modules are plain scripts whose tags are marked type="module" (WordPress 6.1 has no
 * script modules); they import each other by URL, from their own folder with their own
 * version query, so a page holds one instance of each. A page prints the tags of the
 * module it enqueues and of those it imports, which the browser then fetches at once.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Registers, enqueues and configures the UI's assets.
 */
final class Space_Inbox_Assets {

	/** Handle of the badge module and of its stylesheet (assets/badge.js, badge.css). */
	const BADGE = 'space-inbox-badge';

	/** Handle of the inbox stylesheet (assets/inbox.css). */
	const INBOX_STYLE = 'space-inbox-inbox';

	/** Handle of the team's stylesheet (assets/team.css); modules load it as its `-css` id. */
	const TEAM_STYLE = 'space-inbox-team';

	/** Handle of the cards module (assets/space-cards.js), on Spaces Engine's archive. */
	const CARDS = 'space-inbox-cards';

	/** Prefix of a module's handle: the handle of assets/<name>.js is this plus <name>. */
	const PREFIX = 'space-inbox-';

	/**
	 * Every module of the inboxes (assets/<name>.js) with the modules it imports.
	 */
	const MODULES = array(
		'api'                 => array(),
		'badge'               => array( 'api' ),
		'inbox-page'          => array( 'badge' ),
		'message-log'         => array( 'badge' ),
		'composer'            => array( 'badge' ),
		'drafts'              => array( 'badge' ),
		'sending'             => array( 'badge', 'drafts' ),
		'session-notice'      => array( 'badge' ),
		'conversation-list'   => array( 'badge', 'message-log' ),
		'conversation-layout' => array( 'badge', 'message-log', 'composer', 'sending', 'session-notice' ),
		'conversation-hooks'  => array(),
		'conversation'        => array( 'badge', 'inbox-page', 'conversation-list', 'conversation-layout', 'conversation-hooks' ),
		'typing-watch'        => array( 'badge' ),
		'reply-time'          => array( 'badge' ),
		'report'              => array( 'badge' ),
		'push-device'         => array( 'badge' ),
		'notify-choices'      => array( 'badge', 'push-device' ),
		'member-inbox'        => array( 'badge', 'conversation', 'inbox-page', 'message-log', 'reply-time', 'typing-watch', 'report', 'notify-choices' ),
		'switcher'            => array( 'badge', 'inbox-page' ),
		'team-common'         => array( 'badge' ),
		'typing'              => array( 'badge', 'team-common' ),
		'reply-picker'        => array( 'badge', 'team-common' ),
		'meanwhile'           => array( 'badge', 'sending' ),
		'notes'               => array( 'badge', 'team-common' ),
		'assignment'          => array( 'badge', 'team-common' ),
		'label-editor'        => array( 'badge', 'team-common' ),
		'labels'              => array( 'badge', 'label-editor' ),
		'team-presence'       => array( 'badge', 'typing', 'typing-watch' ),
		'team-search'         => array( 'badge' ),
		'team-list'           => array( 'badge', 'team-common', 'team-presence', 'team-search' ),
		'team-spaces'         => array( 'badge' ),
		'team-parts'          => array( 'badge', 'message-log', 'team-presence', 'reply-picker', 'meanwhile', 'notes', 'assignment', 'labels', 'team-list' ),
		'team-actions'        => array( 'badge', 'inbox-page' ),
		'team-inbox'          => array( 'badge', 'conversation', 'inbox-page', 'team-parts', 'team-actions', 'team-spaces' ),
		'dashboard-saving'    => array( 'badge', 'team-common' ),
		'dashboard-hours'     => array( 'badge', 'team-common', 'dashboard-saving' ),
		'dashboard-chart'     => array( 'badge', 'team-common' ),
		'dashboard-record'    => array( 'badge', 'team-common' ),
		'away-settings'       => array( 'badge', 'team-common', 'reply-time', 'dashboard-saving', 'dashboard-hours' ),
		'saved-replies'       => array( 'badge', 'team-common' ),
		'dashboard'           => array( 'badge', 'team-common', 'reply-time', 'away-settings', 'saved-replies', 'dashboard-saving', 'dashboard-chart', 'dashboard-record', 'notify-choices' ),
	);

	/** Every asset file but the modules, for the version they all share. */
	const FILES = array( 'badge.css', 'inbox.css', 'team.css', 'dashboard.css', 'space-cards.js' );

	/**
	 * The modules whose team's needs a page was handed already.
	 *
	 * @var string[]
	 */
	private static $handed = array();

	/**
	 * Registers the modules and the stylesheets (once).
	 *
	 * Every asset carries the same version: the modules import each other, and load the
	 * team's and the Dashboard's stylesheets, with their own query string.
	 *
	 * @return void
	 */
	private static function register() {
		if ( wp_script_is( self::BADGE, 'registered' ) ) {
			return;
		}
		$dir   = SPACE_INBOX_DIR . 'assets/';
		$files = array_merge( self::FILES, array_map( static function ( $name ) {
			return $name . '.js';
		}, array_keys( self::MODULES ) ) );
		$ver   = SPACE_INBOX_VERSION . '.' . max( array_map( static function ( $file ) use ( $dir ) {
			return (int) @filemtime( $dir . $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors
		}, $files ) );
		$url   = SPACE_INBOX_URL . 'assets/';
		wp_register_style( self::BADGE, $url . 'badge.css', array(), $ver );
		wp_register_style( self::INBOX_STYLE, $url . 'inbox.css', array( self::BADGE ), $ver );
		wp_register_style( self::TEAM_STYLE, $url . 'team.css', array( self::INBOX_STYLE ), $ver );
		foreach ( self::MODULES as $name => $imports ) {
			$deps = array_merge( array( 'wp-i18n' ), array_map( array( __CLASS__, 'handle' ), $imports ) );
			wp_register_script( self::handle( $name ), $url . $name . '.js', $deps, $ver, true );
			wp_set_script_translations( self::handle( $name ), 'space-inbox', SPACE_INBOX_DIR . 'languages' );
		}
		wp_register_script( self::CARDS, $url . 'space-cards.js', array( 'wp-i18n' ), $ver, true );
		wp_set_script_translations( self::CARDS, 'space-inbox', SPACE_INBOX_DIR . 'languages' );
		wp_add_inline_script( self::BADGE, 'window.spaceInboxConfig = ' . wp_json_encode( self::config() ) . ';', 'before' );
	}

	/**
	 * The handle of a module.
	 *
	 * @param string $name Its file name, without ".js".
	 * @return string
	 */
	public static function handle( $name ) {
		return self::PREFIX . $name;
	}

	/**
	 * The configuration every module reads from window.spaceInboxConfig.
	 *
	 * @return array
	 */
	private static function config() {
		$config = array(
			'apiBase'       => Space_Inbox_Options::browser_api_base(),
			'mode'          => Space_Inbox_Options::proxy_mode() ? 'proxy' : 'direct',
			'nonce'         => wp_create_nonce( 'wp_rest' ),
			'inboxUrl'      => Space_Inbox_Options::member_inbox_url(),
			'locale'        => str_replace( '_', '-', (string) get_user_locale() ),
			'maxLength'     => Space_Inbox_Limits::BODY_MAX,
			// How long a typing mark lasts: both sides' typing notices ask again after it.
			'typingSeconds' => Space_Inbox_Limits::TYPING_SECONDS,
			// Drafts and unsent messages are kept in the browser per user; a logged-out page
			// offers to log in again and come back to the same conversation.
			'userId'        => get_current_user_id(),
			'loginUrl'      => wp_login_url(),
			// Every admin sees a new message within 5 s: a poll every 4 s leaves room for
			// the round trips of the poll under way when the message arrives.
			'pollMs'        => 4000,
			// Live updates come over a stream only in direct mode: through WordPress, each
			// open page would hold a PHP worker.
			'streamUrl'     => Space_Inbox_Options::proxy_mode() ? '' : Space_Inbox_Options::public_url() . '/api/v1/me/stream',
			// Web Push: the site's public key, its service worker and scope (null: none).
			'push'          => Space_Inbox_Push::config(),
		);

		/**
		 * Filters the configuration handed to the modules (window.spaceInboxConfig).
		 *
		 * @since 0.1.0
		 *
		 * @param array $config apiBase, mode ('direct'|'proxy'), nonce, inboxUrl,
		 *                      locale, maxLength (the bridge's longest message,
		 *                      Space_Inbox_Limits::BODY_MAX), typingSeconds, userId, loginUrl (where
		 *                      "Log in again" goes, back to the page), pollMs (the fallback poll),
		 *                      streamUrl (the live stream, '' for none), push (key, worker,
		 *                      scope of Web Push, or null).
		 */
		return apply_filters( 'space_inbox_ui_config', $config );
	}

	/**
	 * The configuration of the team's modules (window.spaceInboxTeamConfig), handed only to
	 * the pages of a Space's team.
	 *
	 * @return array
	 */
	private static function team_config() {
		$config = array(
			'savedRepliesMax'    => Space_Inbox_Limits::SAVED_REPLIES_MAX,
			'savedReplyTitleMax' => Space_Inbox_Limits::SAVED_REPLY_TITLE_MAX,
			'replyTimes'         => Space_Inbox_Limits::REPLY_TIMES,
			'weekdays'           => Space_Inbox_Limits::WEEKDAYS,
			'intervalsPerDay'    => Space_Inbox_Limits::INTERVALS_PER_DAY,
			'viewingSeconds'     => Space_Inbox_Limits::VIEWING_SECONDS,
			'hereSeconds'        => Space_Inbox_Limits::HERE_SECONDS,
			'labelNameMax'       => Space_Inbox_Limits::LABEL_NAME_MAX,
		);

		/**
		 * Filters the configuration handed to the team's modules (window.spaceInboxTeamConfig),
		 * on the pages of a Space's team only.
		 *
		 * @since 0.1.0
		 *
		 * @param array $config The team tools' limits: savedRepliesMax,
		 *                      savedReplyTitleMax, replyTimes, weekdays, intervalsPerDay,
		 *                      viewingSeconds, hereSeconds (how long a viewing and a
		 *                      presence mark last).
		 */
		return apply_filters( 'space_inbox_team_ui_config', $config );
	}

	/**
	 * The modules a module imports, itself included, to the end.
	 *
	 * @param string $name A module's name.
	 * @return string[]
	 */
	private static function closure( $name ) {
		$found = array( $name );
		foreach ( self::MODULES[ $name ] as $import ) {
			$found = array_merge( $found, self::closure( $import ) );
		}
		return array_values( array_unique( $found ) );
	}

	/**
	 * Hands a team's page what the team's modules need beside the module it prints: the
	 * team's configuration, and where the translations are of the modules it imports only
	 * when they are shown (window.spaceInboxTranslations: a REST URL per module, for those
	 * that have any), fetched with them. WordPress prints the printed modules' own.
	 *
	 * @param string   $entry The module the page prints.
	 * @param string[] $later The modules it imports when they are shown.
	 * @return void
	 */
	private static function hand_team( $entry, array $later ) {
		if ( in_array( $entry, self::$handed, true ) ) {
			return;
		}
		self::$handed[] = $entry;
		$handle         = self::handle( $entry );
		wp_add_inline_script( $handle, 'window.spaceInboxTeamConfig = ' . wp_json_encode( self::team_config() ) . ';', 'before' );
		$urls = array();
		foreach ( $later as $name ) {
			if ( array() !== self::translations( $name, self::closure( $entry ) ) ) {
				$urls[ $name ] = Space_Inbox_REST::translations_url( $name );
			}
		}
		if ( array() !== $urls ) {
			wp_add_inline_script( $handle, 'window.spaceInboxTranslations = ' . wp_json_encode( $urls ) . ';', 'before' );
		}
	}

	/**
	 * The translations of a module and of the modules it imports, in the user's language,
	 * as WordPress hands them to wp.i18n (`wp i18n make-json`'s files).
	 *
	 * @param string   $name    A module's name.
	 * @param string[] $without Modules whose translations are left out (the page has them).
	 * @return array[] One Jed locale object per module that has translations.
	 */
	public static function translations( $name, array $without = array() ) {
		self::register();
		$found = array();
		foreach ( array_diff( self::closure( $name ), $without ) as $module ) {
			$json = load_script_textdomain( self::handle( $module ), 'space-inbox', SPACE_INBOX_DIR . 'languages' );
			$data = $json ? json_decode( $json, true ) : null;
			if ( is_array( $data ) && isset( $data['locale_data'] ) ) {
				$found[] = $data;
			}
		}
		return $found;
	}

	/**
	 * Every page: the badge's stylesheet and, for logged-in users, the badge module.
	 *
	 * @return void
	 */
	public static function enqueue_badge() {
		self::register();
		wp_enqueue_style( self::BADGE );
		Space_Inbox_Theme_Colours::add( self::BADGE );
		if ( is_user_logged_in() ) {
			wp_enqueue_script( self::BADGE );
		}
	}

	/**
	 * The member's inbox: its module and stylesheet. A user on a Space's team is also
	 * handed what the team's inbox needs, which the page loads when it shows it.
	 *
	 * @return void
	 */
	public static function enqueue_member_inbox() {
		self::enqueue_badge();
		wp_enqueue_style( self::INBOX_STYLE );
		if ( ! is_user_logged_in() ) {
			return;
		}
		wp_enqueue_script( self::handle( 'member-inbox' ) );
		if ( array() !== Space_Inbox_UI::my_spaces() ) {
			self::hand_team( 'member-inbox', array( 'switcher', 'team-inbox', 'dashboard' ) );
		}
	}

	/**
	 * A Space team's inbox (the wp-admin screen): its module and stylesheets, and what the
	 * team's modules need.
	 *
	 * @return void
	 */
	public static function enqueue_team_inbox() {
		self::enqueue_badge();
		wp_enqueue_style( self::TEAM_STYLE );
		if ( ! is_user_logged_in() ) {
			return;
		}
		wp_enqueue_script( self::handle( 'team-inbox' ) );
		self::hand_team( 'team-inbox', array( 'dashboard' ) );
	}

	/**
	 * The cards module of Spaces Engine's archive, with what it reads before it runs.
	 *
	 * @param array $data window.spaceInboxCards.
	 * @return void
	 */
	public static function enqueue_cards( array $data ) {
		self::enqueue_badge();
		wp_enqueue_script( self::CARDS );
		wp_add_inline_script( self::CARDS, 'window.spaceInboxCards = ' . wp_json_encode( $data ) . ';', 'before' );
	}

	/**
	 * Front end: the badge for logged-in users (the toolbar badge and header links are on
	 * every page); its stylesheet also on single Spaces, for the Message button.
	 *
	 * @return void
	 */
	public static function enqueue_front() {
		if ( is_user_logged_in() || is_singular( Space_Inbox_Options::post_type() ) ) {
			self::enqueue_badge();
		}
	}

	/**
	 * wp-admin: the badge where the toolbar shows. The inbox screen itself loads the team's
	 * inbox from its load-{$hook_suffix} hook.
	 *
	 * @return void
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
		if ( self::CARDS !== $handle && ! in_array( $handle, array_map( array( __CLASS__, 'handle' ), array_keys( self::MODULES ) ), true ) ) {
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
}
