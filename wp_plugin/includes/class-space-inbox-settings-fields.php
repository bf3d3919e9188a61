<?php
/**
 * The settings of Settings → Space Inbox: registered, sanitized and drawn.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The settings (Settings API, manage_options): where the bridge is, the shared secret, the
 * Space post type, the member inbox page; each sanitized, each field drawn (the
 * notifications' are Space_Inbox_Notification_Settings').
 */
final class Space_Inbox_Settings_Fields {

	/** Form field asking for a new secret. */
	const REGENERATE_FIELD = 'space_inbox_regenerate_secret';

	/**
	 * Register the settings, sections and fields.
	 *
	 * @return void
	 */
	public static function register() {
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_BRIDGE_URL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_bridge_url' ),
				'default'           => '',
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_PUBLIC_URL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_public_url' ),
				'default'           => '',
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_SECRET,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_secret' ),
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_POST_TYPE,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( __CLASS__, 'sanitize_post_type' ),
				'default'           => Space_Inbox_Options::DEFAULT_POST_TYPE,
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_INBOX_PAGE,
			array(
				'type'              => 'integer',
				'sanitize_callback' => 'absint',
				'default'           => 0,
			)
		);

		$page = Space_Inbox_Options::SETTINGS_PAGE;
		add_settings_section( 'space_inbox_bridge', __( 'Bridge', 'space-inbox' ), array( __CLASS__, 'render_bridge_section' ), $page );
		add_settings_section( 'space_inbox_spaces', __( 'Spaces', 'space-inbox' ), '__return_false', $page );

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
	}

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
}
