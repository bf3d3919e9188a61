<?php
/**
 * The site's notification settings: e-mail on or off, the e-mail delay, and the defaults
 * of those who have not chosen.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Settings → Space Inbox, "Notifications" (Settings API, manage_options).
 *
 * The bridge reads these options from the database when it makes e-mails: messages to a
 * Space that come within the delay go to each admin in one e-mail (the Space's answers to
 * a member likewise), listing only what is still unread when it is due. Each admin chooses
 * per Space in the team's inbox, each member for the answers in theirs; these are the
 * choices of those who have not.
 */
final class Space_Inbox_Notification_Settings {

	/** The e-mail delay, in seconds (what comes within it joins the same e-mail). */
	const OPTION_DELAY = 'space_inbox_email_delay';

	/** The defaults: `team` => email, push, outside_hours; `member` => email, push ('1'/'0'). */
	const OPTION_DEFAULTS = 'space_inbox_notify_defaults';

	/** The delay until the site sets one: a few minutes. */
	const DEFAULT_DELAY = 300;

	/** The longest delay: a day. */
	const MAX_DELAY = 86400;

	/** The settings section. */
	const SECTION = 'space_inbox_notifications';

	/**
	 * Register the settings, the section and its fields.
	 *
	 * @return void
	 */
	public static function register() {
		register_setting(
			Space_Inbox_Settings::GROUP,
			Space_Inbox_Options::OPTION_EMAIL,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( 'Space_Inbox_Settings_Fields', 'sanitize_checkbox' ),
				'default'           => '1',
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			self::OPTION_DELAY,
			array(
				'type'              => 'integer',
				'sanitize_callback' => array( __CLASS__, 'sanitize_delay' ),
				'default'           => self::DEFAULT_DELAY,
			)
		);
		register_setting(
			Space_Inbox_Settings::GROUP,
			self::OPTION_DEFAULTS,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize_defaults' ),
				'default'           => self::defaults(),
			)
		);

		$page = Space_Inbox_Options::SETTINGS_PAGE;
		add_settings_section( self::SECTION, __( 'Notifications', 'space-inbox' ), array( __CLASS__, 'render_section' ), $page );
		add_settings_field( Space_Inbox_Options::OPTION_EMAIL, __( 'E-mail', 'space-inbox' ), array( __CLASS__, 'render_email_field' ), $page, self::SECTION );
		add_settings_field( self::OPTION_DELAY, __( 'E-mail delay', 'space-inbox' ), array( __CLASS__, 'render_delay_field' ), $page, self::SECTION, array( 'label_for' => self::OPTION_DELAY ) );
		add_settings_field( self::OPTION_DEFAULTS . '_team', __( 'Space admins, until they choose', 'space-inbox' ), array( __CLASS__, 'render_defaults_field' ), $page, self::SECTION, array( 'audience' => 'team' ) );
		add_settings_field( self::OPTION_DEFAULTS . '_member', __( 'Members, until they choose', 'space-inbox' ), array( __CLASS__, 'render_defaults_field' ), $page, self::SECTION, array( 'audience' => 'member' ) );
	}

	/**
	 * The choices each side has, each on by default.
	 *
	 * @return array<string, string[]> `team` and `member` => their choices.
	 */
	private static function choices() {
		return array(
			'team'   => array( 'email', 'push', 'outside_hours' ),
			'member' => array( 'email', 'push' ),
		);
	}

	/**
	 * The site's defaults as stored, every choice present.
	 *
	 * @return array<string, array<string, string>> `team` and `member` => choice => '1'/'0'.
	 */
	public static function defaults() {
		$stored = get_option( self::OPTION_DEFAULTS, array() );
		return self::sanitize_defaults( is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Sanitize the defaults: each side's choices, '1' or '0'.
	 *
	 * @param mixed $value The form's array (`sent` says its boxes were on the form, and a
	 *                     box left unticked is absent: off), a stored one (absent: on), or
	 *                     null when the form had none of them (nothing changes).
	 * @return array<string, array<string, string>>
	 */
	public static function sanitize_defaults( $value ) {
		if ( ! is_array( $value ) ) {
			return self::defaults();
		}
		$absent = empty( $value['sent'] ) ? '1' : '0';
		$clean  = array();
		foreach ( self::choices() as $audience => $names ) {
			$given = isset( $value[ $audience ] ) && is_array( $value[ $audience ] ) ? $value[ $audience ] : array();
			foreach ( $names as $name ) {
				$clean[ $audience ][ $name ] = isset( $given[ $name ] ) ? Space_Inbox_Settings_Fields::sanitize_checkbox( $given[ $name ] ) : $absent;
			}
		}
		return $clean;
	}

	/**
	 * The delay, in seconds.
	 *
	 * @return int
	 */
	public static function delay() {
		$stored = get_option( self::OPTION_DELAY, self::DEFAULT_DELAY );
		return is_numeric( $stored ) ? max( 0, min( self::MAX_DELAY, (int) $stored ) ) : self::DEFAULT_DELAY;
	}

	/**
	 * Sanitize the delay: whole seconds, 0 (at once) to a day; anything else keeps the
	 * current one.
	 *
	 * @param mixed $value Seconds.
	 * @return int
	 */
	public static function sanitize_delay( $value ) {
		return is_numeric( $value ) ? max( 0, min( self::MAX_DELAY, (int) $value ) ) : self::delay();
	}

	/**
	 * What the section is about.
	 *
	 * @return void
	 */
	public static function render_section() {
		printf(
			'<p>%s</p>',
			esc_html__( 'Messages that come within the delay go out as one e-mail per Space, listing only what nobody on the team (or, for answers, the member) has read by then. Each Space admin chooses for each of their Spaces in the team inbox, and each member for answers in their inbox; these settings are for those who have not chosen.', 'space-inbox' )
		);
	}

	/**
	 * The e-mail switch.
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
	 * The delay, as a choice of minutes (a delay set otherwise is kept as a choice).
	 *
	 * @return void
	 */
	public static function render_delay_field() {
		$current = self::delay();
		$options = array( 0, 60, 120, 300, 600, 900, 1800, 3600 );
		if ( ! in_array( $current, $options, true ) ) {
			$options[] = $current;
			sort( $options );
		}
		printf( '<select id="%1$s" name="%1$s">', esc_attr( self::OPTION_DELAY ) );
		foreach ( $options as $seconds ) {
			if ( 0 === $seconds ) {
				$label = __( 'At once (no batching)', 'space-inbox' );
			} elseif ( 0 === $seconds % 60 ) {
				/* translators: %d: a number of minutes. */
				$label = sprintf( _n( '%d minute', '%d minutes', $seconds / 60, 'space-inbox' ), $seconds / 60 );
			} else {
				/* translators: %d: a number of seconds. */
				$label = sprintf( _n( '%d second', '%d seconds', $seconds, 'space-inbox' ), $seconds );
			}
			printf( '<option value="%1$d"%2$s>%3$s</option>', (int) $seconds, selected( $current, $seconds, false ), esc_html( $label ) );
		}
		echo '</select>';
		printf( '<p class="description">%s</p>', esc_html__( 'How long an e-mail waits for more messages, and for someone to read them first.', 'space-inbox' ) );
	}

	/**
	 * One side's defaults, as boxes.
	 *
	 * @param array $args `audience`: team or member.
	 * @return void
	 */
	public static function render_defaults_field( array $args ) {
		$audience = 'team' === $args['audience'] ? 'team' : 'member';
		$defaults = self::defaults();
		$labels   = array(
			'email'         => __( 'E-mail', 'space-inbox' ),
			'push'          => __( 'Push notifications on the devices where they turned them on', 'space-inbox' ),
			'outside_hours' => __( 'Also outside the Space’s opening hours (else when it opens)', 'space-inbox' ),
		);
		printf( '<fieldset><input type="hidden" name="%s[sent]" value="1" />', esc_attr( self::OPTION_DEFAULTS ) );
		foreach ( self::choices()[ $audience ] as $name ) {
			$field = sprintf( '%s[%s][%s]', self::OPTION_DEFAULTS, $audience, $name );
			$id    = sprintf( '%s_%s_%s', self::OPTION_DEFAULTS, $audience, $name );
			printf(
				'<label for="%1$s"><input type="checkbox" id="%1$s" name="%2$s" value="1"%3$s /> %4$s</label><br />',
				esc_attr( $id ),
				esc_attr( $field ),
				checked( '1', $defaults[ $audience ][ $name ], false ),
				esc_html( $labels[ $name ] )
			);
		}
		echo '</fieldset>';
	}
}
