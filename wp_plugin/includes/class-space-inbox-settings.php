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
 * The settings screen (Settings API, manage_options): where the bridge is, the shared
 * secret, the Space post type, e-mail on/off, "Resync all Spaces", and a status box.
 */
final class Space_Inbox_Settings {

	/** Settings group. */
	const GROUP = 'space_inbox';

	/** Form field asking for a new secret. */
	const REGENERATE_FIELD = 'space_inbox_regenerate_secret';

	/** admin-post.php action (and nonce action) of "Resync all Spaces" without JavaScript. */
	const RESYNC_ACTION = 'space_inbox_resync';

	/** Script handle. */
	const SCRIPT = 'space-inbox-settings';

	/** Handle of the direct-mode check's script. */
	const DIRECT_SCRIPT = 'space-inbox-direct-check';

	/** Where the rules serve the bridge when no public URL on this origin says otherwise. */
	const DEFAULT_PUBLIC_PATH = 'space-inbox-api/';

	/** The bridge's address in the rules when no bridge URL is set. */
	const DEFAULT_BRIDGE_URL = 'http://127.0.0.1:8765';

	/** Seconds the rules let a read from the bridge wait: more than a live stream lives. */
	const STREAM_TIMEOUT = 3700;

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
		if ( Space_Inbox_Events::queue_length() > 0 ) {
			Space_Inbox_Events::schedule();
		}
	}

	/**
	 * Enqueue the "Resync all Spaces" progress script and the direct-mode check.
	 *
	 * @return void
	 */
	public static function enqueue() {
		self::enqueue_direct_check();
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
	 * Enqueue the direct-mode check: the administrator's browser asks the bridge for its
	 * summary at the public URL, as a member's browser will (admin/direct-check.js).
	 *
	 * @return void
	 */
	private static function enqueue_direct_check() {
		$public = Space_Inbox_Options::public_url();
		wp_enqueue_script(
			self::DIRECT_SCRIPT,
			SPACE_INBOX_URL . 'admin/direct-check.js',
			array( 'wp-i18n' ),
			SPACE_INBOX_VERSION,
			true
		);
		wp_localize_script(
			self::DIRECT_SCRIPT,
			'spaceInboxDirect',
			array(
				'publicUrl'  => $public,
				'summaryUrl' => '' === $public ? '' : $public . '/api/v1/me/summary',
				'healthUrl'  => '' === $public ? '' : $public . '/health',
				'example'    => home_url( '/' . self::DEFAULT_PUBLIC_PATH ),
				'i18n'       => array(
					/* translators: %s: the URL being fetched. */
					'checking'    => __( 'Checking %s…', 'space-inbox' ),
					/* translators: %s: the URL that answered. */
					'verified'    => __( 'Reachable and verified: the bridge answered at %s and recognised your login. Direct mode works.', 'space-inbox' ),
					'liveOn'      => __( 'Live updates are on: open pages hear of new messages at once.', 'space-inbox' ),
					'liveOff'     => __( 'Live updates are off: pages ask for news every few seconds. Serve the bridge with Redis (SPACE_INBOX_REDIS_URL) and `serve --live` to turn them on.', 'space-inbox' ),
					/* translators: %s: the URL that answered. */
					'noLogin'     => __( 'Reachable, but the bridge does not see your login (HTTP 401 at %s): the web server does not forward the browser’s cookies, or the public URL is outside the domain or path of WordPress’ cookies.', 'space-inbox' ),
					/* translators: 1: what went wrong, e.g. "HTTP 404" or "network error", 2: the URL. */
					'unreachable' => __( 'Not reachable (%1$s at %2$s): the web server rule for this path is missing, or the bridge behind it is down. Add one of the rules below and reload the web server.', 'space-inbox' ),
					/* translators: 1: the public bridge URL, 2: this site's origin, 3: an example public URL on this site. */
					'wrongOrigin' => __( 'Wrong origin: %1$s is not on this site’s origin (%2$s), so browsers will not send it their WordPress cookies. Serve the bridge under a path of this site instead, e.g. %3$s.', 'space-inbox' ),
					'network'     => __( 'network error', 'space-inbox' ),
					/* translators: %d: an HTTP status code. */
					'status'      => __( 'HTTP %d', 'space-inbox' ),
					'notBridge'   => __( 'HTTP 200, but not the bridge’s answer', 'space-inbox' ),
				),
			)
		);
	}

	/**
	 * Register the settings, sections and fields.
	 *
	 * @return void
	 */
	public static function register() {
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_BRIDGE_URL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_bridge_url' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_PUBLIC_URL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_public_url' ),
				'default'           => '',
			)
		);
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_SECRET,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_secret' ),
			)
		);
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_POST_TYPE,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_post_type' ),
				'default'           => Space_Inbox_Options::DEFAULT_POST_TYPE,
			)
		);
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_INBOX_PAGE,
			array(
				'type'              => 'integer',
				'sanitize_callback' => 'absint',
				'default'           => 0,
			)
		);
		register_setting(
			self::GROUP,
			Space_Inbox_Options::OPTION_EMAIL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_checkbox' ),
				'default'           => '1',
			)
		);

		$page = Space_Inbox_Options::SETTINGS_PAGE;
		add_settings_section( 'space_inbox_bridge', __( 'Bridge', 'space-inbox' ), array( __CLASS__, 'render_bridge_section' ), $page );
		add_settings_section( 'space_inbox_spaces', __( 'Spaces and notifications', 'space-inbox' ), '__return_false', $page );

		add_settings_field(
			Space_Inbox_Options::OPTION_BRIDGE_URL,
			__( 'Bridge URL', 'space-inbox' ),
			array( __CLASS__, 'render_url_field' ),
			$page,
			'space_inbox_bridge',
			array(
				'label_for'   => Space_Inbox_Options::OPTION_BRIDGE_URL,
				'description' => __( 'Where WordPress reaches the bridge, server to server, e.g. http://127.0.0.1:8765.', 'space-inbox' ),
			)
		);
		add_settings_field(
			Space_Inbox_Options::OPTION_PUBLIC_URL,
			__( 'Public bridge URL', 'space-inbox' ),
			array( __CLASS__, 'render_url_field' ),
			$page,
			'space_inbox_bridge',
			array(
				'label_for'   => Space_Inbox_Options::OPTION_PUBLIC_URL,
				'description' => __( 'Where browsers reach the bridge on this site’s own origin, e.g. https://example.org/space-inbox-api (direct mode). Leave empty for proxy mode: browsers’ calls go through the plugin’s fast proxy (proxy.php), which works on any host but without live updates.', 'space-inbox' ),
			)
		);
		add_settings_field(
			Space_Inbox_Options::OPTION_SECRET,
			__( 'Shared secret', 'space-inbox' ),
			array( __CLASS__, 'render_secret_field' ),
			$page,
			'space_inbox_bridge'
		);
		add_settings_field(
			Space_Inbox_Options::OPTION_POST_TYPE,
			__( 'Space post type', 'space-inbox' ),
			array( __CLASS__, 'render_post_type_field' ),
			$page,
			'space_inbox_spaces',
			array( 'label_for' => Space_Inbox_Options::OPTION_POST_TYPE )
		);
		add_settings_field(
			Space_Inbox_Options::OPTION_INBOX_PAGE,
			__( 'Member inbox page', 'space-inbox' ),
			array( __CLASS__, 'render_inbox_page_field' ),
			$page,
			'space_inbox_spaces',
			array( 'label_for' => Space_Inbox_Options::OPTION_INBOX_PAGE )
		);
		add_settings_field(
			Space_Inbox_Options::OPTION_EMAIL,
			__( 'E-mail notifications', 'space-inbox' ),
			array( __CLASS__, 'render_email_field' ),
			$page,
			'space_inbox_spaces'
		);
	}

	/* -- Sanitizing -------------------------------------------------------------------- */

	/**
	 * Sanitize an http(s) URL; an invalid one keeps the stored value.
	 *
	 * @param mixed  $value  Submitted value.
	 * @param string $option Option name.
	 * @param bool   $empty_ok Whether '' is allowed.
	 * @return string
	 */
	private static function sanitize_url( $value, $option, $empty_ok ) {
		$value = trim( (string) $value );
		if ( '' === $value && $empty_ok ) {
			return '';
		}
		$parts = wp_parse_url( $value );
		$valid = is_array( $parts )
			&& isset( $parts['scheme'], $parts['host'] )
			&& in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true )
			&& preg_match( '/^[A-Za-z0-9.\-\[\]:]+$/', $parts['host'] );
		$clean = $valid ? esc_url_raw( $value, array( 'http', 'https' ) ) : '';
		if ( '' === $clean ) {
			add_settings_error(
				$option,
				$option . '_invalid',
				sprintf(
					/* translators: %s: the URL as typed. */
					__( '“%s” is not an http or https URL; the previous value was kept.', 'space-inbox' ),
					$value
				)
			);
			return (string) get_option( $option, '' );
		}
		return untrailingslashit( $clean );
	}

	/**
	 * Sanitize the bridge URL.
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_bridge_url( $value ) {
		return self::sanitize_url( $value, Space_Inbox_Options::OPTION_BRIDGE_URL, false );
	}

	/**
	 * Sanitize the public bridge URL ('' = proxy mode).
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_public_url( $value ) {
		return self::sanitize_url( $value, Space_Inbox_Options::OPTION_PUBLIC_URL, true );
	}

	/**
	 * Keep the secret, or make a new one when the form asks for it.
	 *
	 * The form never sends the secret itself (it is not shown); a value set in code is
	 * kept as given.
	 *
	 * @param mixed $value Value being saved.
	 * @return string
	 */
	public static function sanitize_secret( $value ) {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- options.php checked the settings nonce.
		if ( ! empty( $_POST[ self::REGENERATE_FIELD ] ) && current_user_can( 'manage_options' ) ) {
			static $fresh = null; // The Settings API may sanitize twice in one save.
			if ( null === $fresh ) {
				$fresh = Space_Inbox_Options::generate_secret();
			}
			return $fresh;
		}
		if ( is_string( $value ) && '' !== $value ) {
			return $value;
		}
		$current = (string) get_option( Space_Inbox_Options::OPTION_SECRET, '' );
		return '' !== $current ? $current : Space_Inbox_Options::generate_secret();
	}

	/**
	 * Sanitize the post type: a registered public type or the default.
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_post_type( $value ) {
		$value = sanitize_key( (string) $value );
		if ( array_key_exists( $value, self::post_type_choices() ) ) {
			return $value;
		}
		return Space_Inbox_Options::post_type();
	}

	/**
	 * Sanitize a checkbox to '1' or '0'.
	 *
	 * @param mixed $value Submitted value.
	 * @return string
	 */
	public static function sanitize_checkbox( $value ) {
		return ( ! empty( $value ) && '0' !== $value ) ? '1' : '0';
	}

	/**
	 * Post types a site owner may pick: the public ones, the default and the current one.
	 *
	 * @return array<string, string> Name => label.
	 */
	private static function post_type_choices() {
		$choices = array();
		foreach ( get_post_types( array( 'public' => true ), 'objects' ) as $type ) {
			if ( 'attachment' === $type->name ) {
				continue;
			}
			$choices[ $type->name ] = sprintf( '%s (%s)', $type->labels->singular_name, $type->name );
		}
		foreach ( array( Space_Inbox_Options::DEFAULT_POST_TYPE, Space_Inbox_Options::post_type() ) as $name ) {
			if ( ! isset( $choices[ $name ] ) ) {
				$choices[ $name ] = $name;
			}
		}
		return $choices;
	}

	/**
	 * After the post type changed: the new type's rewrite rules, now.
	 *
	 * @return void
	 */
	public static function post_type_changed() {
		Space_Inbox_Spaces::unregister_post_type(); // The old type, if it was ours.
		Space_Inbox_Spaces::register_post_type(); // The new type, if no plugin has it.
		Space_Inbox_Plugin::rebuild_rewrite_rules();
	}

	/* -- Rendering --------------------------------------------------------------------- */

	/**
	 * Introduce the bridge section.
	 *
	 * @return void
	 */
	public static function render_bridge_section() {
		echo '<p>' . esc_html__( 'The bridge is the service that keeps the inboxes. Run it with `space-inbox serve --wp-config /path/to/wp-config.php` (see the plugin’s readme).', 'space-inbox' ) . '</p>';
	}

	/**
	 * A URL field.
	 *
	 * @param array $args `label_for` (the option), `description`.
	 * @return void
	 */
	public static function render_url_field( $args ) {
		$option = $args['label_for'];
		printf(
			'<input type="url" class="regular-text code" id="%1$s" name="%1$s" value="%2$s" aria-describedby="%1$s-description" /><p class="description" id="%1$s-description">%3$s</p>',
			esc_attr( $option ),
			esc_attr( (string) get_option( $option, '' ) ),
			esc_html( $args['description'] )
		);
	}

	/**
	 * The secret: masked, with "regenerate"; or a note that wp-config.php sets it.
	 *
	 * @return void
	 */
	public static function render_secret_field() {
		if ( Space_Inbox_Options::secret_from_constant() ) {
			echo '<p>' . esc_html__( 'Set by the SPACE_INBOX_SECRET constant in wp-config.php, which overrides this setting. Give the bridge the same value.', 'space-inbox' ) . '</p>';
			return;
		}
		$secret = Space_Inbox_Options::secret();
		$masked = '' === $secret ? __( '(none yet)', 'space-inbox' ) : substr( $secret, 0, 4 ) . str_repeat( '•', 12 );
		printf( '<p><code>%s</code></p>', esc_html( $masked ) );
		printf(
			'<p><input type="checkbox" id="%1$s" name="%1$s" value="1" /> <label for="%1$s">%2$s</label></p><p class="description">%3$s</p>',
			esc_attr( self::REGENERATE_FIELD ),
			esc_html__( 'Generate a new secret when saving', 'space-inbox' ),
			esc_html__( 'The bridge reads this secret from the database, unless it is given SPACE_INBOX_SECRET; then give it the new value too.', 'space-inbox' )
		);
	}

	/**
	 * The post type select.
	 *
	 * @return void
	 */
	public static function render_post_type_field() {
		$current = Space_Inbox_Options::post_type();
		printf( '<select id="%1$s" name="%1$s" aria-describedby="%1$s-description">', esc_attr( Space_Inbox_Options::OPTION_POST_TYPE ) );
		foreach ( self::post_type_choices() as $name => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $name ), selected( $current, $name, false ), esc_html( $label ) );
		}
		echo '</select>';
		printf(
			'<p class="description" id="%1$s-description">%2$s</p>',
			esc_attr( Space_Inbox_Options::OPTION_POST_TYPE ),
			esc_html__( 'Posts of this type are Spaces. Spaces Engine’s type is wpe_wpspace; when no plugin registers the chosen type, Space Inbox registers a simple one. After changing it, resync all Spaces.', 'space-inbox' )
		);
	}

	/**
	 * The inbox page select.
	 *
	 * @return void
	 */
	public static function render_inbox_page_field() {
		wp_dropdown_pages(
			array(
				'name'              => esc_attr( Space_Inbox_Options::OPTION_INBOX_PAGE ),
				'id'                => esc_attr( Space_Inbox_Options::OPTION_INBOX_PAGE ),
				'selected'          => (int) get_option( Space_Inbox_Options::OPTION_INBOX_PAGE, 0 ),
				'show_option_none'  => esc_html__( '— Select —', 'space-inbox' ),
				'option_none_value' => '0',
			)
		);
		printf(
			'<p class="description">%s</p>',
			esc_html(
				sprintf(
					/* translators: %s: the inbox shortcode. */
					__( 'The page that shows a member’s inbox; it holds the %s shortcode.', 'space-inbox' ),
					'[' . Space_Inbox_Options::SHORTCODE . ']'
				)
			)
		);
	}

	/**
	 * The e-mail checkbox.
	 *
	 * @return void
	 */
	public static function render_email_field() {
		printf(
			'<input type="hidden" name="%1$s" value="0" /><input type="checkbox" id="%1$s" name="%1$s" value="1"%2$s /> <label for="%1$s">%3$s</label>',
			esc_attr( Space_Inbox_Options::OPTION_EMAIL ),
			checked( Space_Inbox_Options::email_enabled(), true, false ),
			esc_html__( 'E-mail Space admins about new messages, and members about answers', 'space-inbox' )
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
		self::render_status();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::GROUP );
		do_settings_sections( Space_Inbox_Options::SETTINGS_PAGE );
		submit_button();
		echo '</form>';
		self::render_direct_mode();
		self::render_resync();
		echo '</div>';
	}

	/**
	 * The status box: does the bridge answer, is its schema current, what waits.
	 *
	 * @return void
	 */
	private static function render_status() {
		$client = new Space_Inbox_Bridge_Client();
		$health = $client->health();
		$lines  = array();
		if ( ! is_wp_error( $health ) ) {
			$lines[] = array(
				'success',
				sprintf(
					/* translators: %s: schema revision. */
					__( 'The bridge answers; its database schema is current (%s).', 'space-inbox' ),
					isset( $health['schema']['current'] ) ? (string) $health['schema']['current'] : '?'
				),
			);
		} else {
			$data = $health->get_error_data();
			$body = is_array( $data ) && isset( $data['body'] ) && is_array( $data['body'] ) ? $data['body'] : null;
			if ( $body && isset( $body['status'] ) && 'schema_behind' === $body['status'] ) {
				$lines[] = array(
					'warning',
					sprintf(
						/* translators: 1: current schema revision, 2: the newest one. */
						__( 'The bridge answers, but its database schema is behind (%1$s, newest %2$s): run `space-inbox migrate`.', 'space-inbox' ),
						isset( $body['schema']['current'] ) ? (string) $body['schema']['current'] : __( 'none', 'space-inbox' ),
						isset( $body['schema']['head'] ) ? (string) $body['schema']['head'] : '?'
					),
				);
			} else {
				$lines[] = array(
					'error',
					sprintf(
						/* translators: %s: error message. */
						__( 'The bridge does not answer: %s', 'space-inbox' ),
						$health->get_error_message()
					),
				);
			}
		}
		$lines[] = array(
			'info',
			Space_Inbox_Options::proxy_mode()
				? __( 'Browsers reach the bridge through WordPress (proxy mode).', 'space-inbox' )
				: __( 'Browsers reach the bridge directly at the public bridge URL (direct mode).', 'space-inbox' ),
		);
		$waiting = Space_Inbox_Events::queue_length();
		if ( 0 === $waiting ) {
			$lines[] = array( 'success', __( 'No events are waiting for the bridge.', 'space-inbox' ) );
		} else {
			$oldest = Space_Inbox_Events::oldest();
			$text   = sprintf(
				/* translators: %d: number of events. */
				_n( '%d event is waiting for the bridge.', '%d events are waiting for the bridge.', $waiting, 'space-inbox' ),
				$waiting
			);
			if ( $oldest && '' !== $oldest->last_error ) {
				$text .= ' ' . sprintf(
					/* translators: 1: date and time, 2: number of attempts, 3: error. */
					__( 'Oldest since %1$s UTC, %2$d attempts; last error: %3$s', 'space-inbox' ),
					$oldest->created,
					(int) $oldest->attempts,
					$oldest->last_error
				);
			}
			$lines[] = array( 'warning', $text );
		}

		echo '<div class="card" id="space-inbox-status" style="max-width:none"><h2>' . esc_html__( 'Status', 'space-inbox' ) . '</h2><ul>';
		$icons = array(
			'success' => 'yes-alt',
			'warning' => 'warning',
			'error'   => 'dismiss',
			'info'    => 'info-outline',
		);
		foreach ( $lines as $line ) {
			printf(
				'<li><span class="dashicons dashicons-%1$s" aria-hidden="true"></span> %2$s</li>',
				esc_attr( $icons[ $line[0] ] ),
				esc_html( $line[1] )
			);
		}
		echo '</ul></div>';
	}

	/**
	 * Direct mode: the check of the public URL from this browser, and web server rules that
	 * serve the bridge on this site's origin, filled in with its path and the bridge URL.
	 *
	 * @return void
	 */
	private static function render_direct_mode() {
		$public = Space_Inbox_Options::public_url();
		echo '<div class="card" id="space-inbox-direct" style="max-width:none"><h2>' . esc_html__( 'Direct mode', 'space-inbox' ) . '</h2>';
		echo '<p>' . esc_html__( 'In direct mode browsers call the bridge themselves, under a path of this site’s own origin, and send it their WordPress cookies; live updates need it. Your web server forwards that path to the bridge.', 'space-inbox' ) . '</p>';
		if ( '' === $public ) {
			echo '<p>' . esc_html__( 'The public bridge URL is empty: browsers go through WordPress (proxy mode). To switch, add a rule below, then set the public bridge URL to the path it serves and test it here.', 'space-inbox' ) . '</p>';
		} else {
			printf(
				'<p><button type="button" class="button" id="space-inbox-direct-test">%s</button></p>',
				esc_html__( 'Test direct mode', 'space-inbox' )
			);
		}
		echo '<p id="space-inbox-direct-result" role="status" aria-live="polite"></p>';
		if ( '' !== $public ) {
			printf(
				'<noscript><p>%s</p></noscript>',
				esc_html(
					sprintf(
						/* translators: %s: the bridge's summary URL. */
						__( 'Without JavaScript, open %s in this browser: the bridge’s JSON means direct mode works, a 401 that the cookies do not reach it, anything else that the rule is missing.', 'space-inbox' ),
						$public . '/api/v1/me/summary'
					)
				)
			);
		}

		$rules = self::server_rules();
		echo '<h3>' . esc_html__( 'Web server rules', 'space-inbox' ) . '</h3>';
		printf(
			'<p>%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: a path on this site, 2: the bridge's address. */
					__( 'Paste one of these into the web server’s configuration of this site: they serve the bridge at %2$s under %1$s, pass the cookies and the host on, and let the live stream through unbuffered and open for up to an hour.', 'space-inbox' ),
					$rules['path'],
					$rules['bridge']
				)
			)
		);
		$labels = array(
			'nginx'  => __( 'nginx (inside the site’s server block)', 'space-inbox' ),
			'apache' => __( 'Apache with mod_proxy, mod_proxy_http and mod_headers (inside the site’s VirtualHost; not in .htaccess)', 'space-inbox' ),
			'caddy'  => __( 'Caddy (inside the site’s block, before WordPress’ own handling)', 'space-inbox' ),
		);
		foreach ( $labels as $server => $label ) {
			printf(
				'<h4>%1$s</h4><pre class="space-inbox-rules" id="space-inbox-rules-%2$s"><code>%3$s</code></pre>',
				esc_html( $label ),
				esc_attr( $server ),
				esc_html( $rules[ $server ] )
			);
		}
		echo '<p>' . esc_html__( 'After reloading the web server, set the public bridge URL to this site’s address followed by the path above (without its last slash), save, and test it here.', 'space-inbox' ) . '</p>';
		echo '</div>';
	}

	/**
	 * The path the rules serve the bridge at, on this site: the public URL's own when it is on
	 * this site's origin, else space-inbox-api/ under the site's path. With both slashes.
	 *
	 * @return string E.g. /space-inbox-api/ or /blog/space-inbox-api/.
	 */
	private static function public_path() {
		$home   = wp_parse_url( home_url( '/' ) );
		$public = wp_parse_url( Space_Inbox_Options::public_url() );
		$home   = is_array( $home ) ? $home : array();
		if ( is_array( $public ) && isset( $public['host'], $home['host'] ) ) {
			$same = strtolower( $public['host'] ) === strtolower( $home['host'] )
				&& ( isset( $public['scheme'] ) ? $public['scheme'] : '' ) === ( isset( $home['scheme'] ) ? $home['scheme'] : '' )
				&& ( isset( $public['port'] ) ? $public['port'] : '' ) === ( isset( $home['port'] ) ? $home['port'] : '' );
			if ( $same && isset( $public['path'] ) && '' !== trim( $public['path'], '/' ) ) {
				return '/' . trim( $public['path'], '/' ) . '/';
			}
		}
		$base = isset( $home['path'] ) ? trim( $home['path'], '/' ) : '';
		return '/' . ( '' === $base ? '' : $base . '/' ) . self::DEFAULT_PUBLIC_PATH;
	}

	/**
	 * The rules for nginx, Apache and Caddy, filled in with this site's path and the bridge.
	 *
	 * @return array<string, string> `path`, `bridge`, and one rule set per server.
	 */
	private static function server_rules() {
		$path   = self::public_path();
		$bridge = Space_Inbox_Options::bridge_url();
		$bridge = '' === $bridge ? self::DEFAULT_BRIDGE_URL : $bridge;
		$parts  = wp_parse_url( $bridge );
		// Caddy's upstream is scheme://host:port, without a path.
		$upstream = ( isset( $parts['scheme'] ) ? $parts['scheme'] : 'http' ) . '://'
			. ( isset( $parts['host'] ) ? $parts['host'] : '127.0.0.1' )
			. ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		$target   = trailingslashit( $bridge );
		$timeout  = self::STREAM_TIMEOUT;
		// Caddy's site address: the site's own scheme, host and port.
		$home     = wp_parse_url( home_url( '/' ) );
		$site     = isset( $home['host'] )
			? ( isset( $home['scheme'] ) ? $home['scheme'] . '://' : '' ) . $home['host'] . ( isset( $home['port'] ) ? ':' . $home['port'] : '' )
			: 'https://example.org';

		$nginx = implode(
			"\n",
			array(
				// ^~: no regular-expression location (static files: \.(css|js|json)$) takes
				// these paths from the bridge.
				"location ^~ {$path} {",
				"    proxy_pass {$target};",
				'    proxy_http_version 1.1;',
				'    proxy_set_header Connection "";',
				'    proxy_set_header Host $host;',
				'    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
				'    proxy_set_header X-Forwarded-Proto $scheme;',
				'    proxy_buffering off;',
				"    proxy_read_timeout {$timeout}s;",
				'}',
			)
		);
		$apache = implode(
			"\n",
			array(
				"<Location \"{$path}\">",
				"    ProxyPass \"{$target}\" flushpackets=on timeout={$timeout}",
				"    ProxyPassReverse \"{$target}\"",
				'    ProxyPreserveHost On',
				'    RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}',
				'    SetEnv no-gzip 1',
				'</Location>',
			)
		);
		// A bridge URL with a path of its own: handle_path has stripped this site's prefix.
		$rewrite = isset( $parts['path'] ) && '' !== trim( $parts['path'], '/' )
			? array( '        rewrite * /' . trim( $parts['path'], '/' ) . '{uri}' )
			: array();
		$caddy   = implode(
			"\n",
			array_merge(
				array(
					$site . ' {',
					"    handle_path {$path}* {",
				),
				$rewrite,
				array(
					"        reverse_proxy {$upstream} {",
					'            flush_interval -1',
					'        }',
					'    }',
					"    # ... then this site's WordPress: php_fastcgi, file_server ...",
					'}',
				)
			)
		);
		return array(
			'path'   => $path,
			'bridge' => $bridge,
			'nginx'  => $nginx,
			'apache' => $apache,
			'caddy'  => $caddy,
		);
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
