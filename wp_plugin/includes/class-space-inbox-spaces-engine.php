<?php
/**
 * Spaces Engine: the Space inbox where Spaces Engine draws a Space.
 *
 * Spaces Engine (its post type `wpe_wpspace` is the plugin's default) draws each Space's page
 * with a header (cover, logo, title, one "action button") and the Spaces archive with cards.
 * Its own "Message" action (`buddypress_message`) opens a personal BuddyPress message to the
 * Space's owner. While Space Inbox is active:
 *
 * - the header's buttons hold the Space's Message button (for its admins "Open this Space’s
 *   inbox" with the unread count; for visitors "Log in to message"), drawn with Spaces
 *   Engine's own `button primary` classes, and its reply time sits under the title;
 * - the "Message" action and the new "Space inbox" action (the default of new Spaces) are
 *   drawn as that button, never as a link to BuddyPress' compose screen; deactivating the
 *   plugin gives them back to Spaces Engine (see restore_actions());
 * - the archive's cards get the same button (assets/space-cards.js: the cards are fetched by
 *   Spaces Engine's script, so they are completed in the browser);
 * - Spaces Engine's logo of a Space is its picture in notifications and in the inbox, and a
 *   new or removed logo reaches the bridge at once.
 *
 * Only Spaces of the configured post type are served: on a site that set another type,
 * nothing here runs.
 *
 * Hooks used (all Spaces Engine's or BuddyPress', added in init()):
 * - `spaces_engine_primary_buttons_start`, `spaces_engine_primary_buttons_end`: the header's
 *   buttons; `spaces_engine_header_content_end`: the reply time under the title;
 * - `spaces_engine_action_labels`, `spaces_engine_after_action_button_settings`: the "Space
 *   inbox" action and its choice in the Space's settings;
 * - `save_post_wpe_wpspace`: the default action of a new Space;
 * - `bp_core_pre_avatar_handle_crop`, `bp_core_delete_existing_avatar`: a Space's logo;
 * - `space_inbox_space_picture_url`: the logo as the Space's picture;
 * - `wp_enqueue_scripts`: the cards module on the archive;
 * - `space_inbox_show_message_button`: no second button in a page whose header has one.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Puts the Space inbox where Spaces Engine draws a Space's action and cards.
 */
final class Space_Inbox_Spaces_Engine {

	/** Spaces Engine's post type. */
	const POST_TYPE = 'wpe_wpspace';

	/** Spaces Engine's post meta holding a Space's action (not the plugin's own: kept on uninstall). */
	const ACTION_KEY = 'space_action_button';

	/** Spaces Engine's "Message" action: a personal message to the owner, without this plugin. */
	const ACTION_MESSAGE = 'buddypress_message';

	/** The action this plugin adds: the Space's inbox. */
	const ACTION_INBOX = 'space_inbox';

	/** Spaces Engine's avatar object of a Space (BuddyPress' `object`). */
	const AVATAR_OBJECT = 'space';

	/** Placeholder of the login URL's redirect, replaced in the browser per Space. */
	const REDIRECT_PLACEHOLDER = 'SPACEINBOXREDIRECT';

	/**
	 * Whether this request drew a Space's header with the Message button.
	 *
	 * @var bool
	 */
	private static $drawn = false;

	/**
	 * Adds the hooks. Nothing else runs at load time.
	 *
	 * @return void
	 */
	public static function init() {
		add_action( 'spaces_engine_primary_buttons_start', array( __CLASS__, 'header_buttons' ) );
		add_action( 'spaces_engine_primary_buttons_end', array( __CLASS__, 'header_buttons_end' ) );
		add_action( 'spaces_engine_header_content_end', array( __CLASS__, 'header_reply_time' ) );
		add_filter( 'spaces_engine_action_labels', array( __CLASS__, 'action_labels' ) );
		add_action( 'spaces_engine_after_action_button_settings', array( __CLASS__, 'action_choice' ) );
		add_action( 'save_post_' . self::POST_TYPE, array( __CLASS__, 'default_action' ), 10, 3 );
		add_filter( 'bp_core_pre_avatar_handle_crop', array( __CLASS__, 'on_logo_crop' ), 10, 2 );
		add_action( 'bp_core_delete_existing_avatar', array( __CLASS__, 'on_logo_deleted' ) );
		add_filter( 'space_inbox_space_picture_url', array( __CLASS__, 'picture' ), 10, 2 );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue_cards' ) );
		add_filter( 'space_inbox_show_message_button', array( __CLASS__, 'no_second_button' ) );
	}

	/**
	 * Whether Spaces Engine is loaded and its Spaces are the ones this plugin serves.
	 *
	 * @return bool
	 */
	public static function serves() {
		return defined( 'SPACES_ENGINE_PLUGIN_VERSION' ) && self::POST_TYPE === Space_Inbox_Options::post_type();
	}

	/**
	 * Whether an action stands for messaging the Space: Spaces Engine's "Message" or ours.
	 *
	 * @param mixed $action A value of the action meta.
	 * @return bool
	 */
	private static function is_message_action( $action ) {
		return in_array( $action, array( self::ACTION_MESSAGE, self::ACTION_INBOX ), true );
	}

	// -- the Space's header ----------------------------------------------------------------

	/**
	 * The Message button, first among the header's buttons; when the Space's action is a
	 * message, Spaces Engine's own button is left out (it would message the owner).
	 *
	 * @return void
	 */
	public static function header_buttons() {
		$space_id = (int) get_the_ID();
		if ( ! self::serves() || ! Space_Inbox_UI::is_space( $space_id ) ) {
			return;
		}
		if ( self::is_message_action( get_post_meta( $space_id, self::ACTION_KEY, true ) ) ) {
			add_filter( 'get_post_metadata', array( __CLASS__, 'no_action' ), 10, 4 );
		}
		self::$drawn = true;
		echo Space_Inbox_Message_Button::link_html( $space_id, 'button primary space-inbox-action' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in link_html().
	}

	/**
	 * After the header's buttons: the action reads as stored again.
	 *
	 * @return void
	 */
	public static function header_buttons_end() {
		remove_filter( 'get_post_metadata', array( __CLASS__, 'no_action' ), 10 );
	}

	/**
	 * While the header's buttons are drawn, a Space's message action reads as "none", so
	 * that Spaces Engine draws no button for it.
	 *
	 * @param mixed  $value    Null, or a value another filter found.
	 * @param int    $post_id  Post id.
	 * @param string $meta_key Meta key asked for.
	 * @param bool   $single   Whether one value was asked for.
	 * @return mixed
	 */
	public static function no_action( $value, $post_id, $meta_key, $single ) {
		if ( self::ACTION_KEY !== $meta_key ) {
			return $value;
		}
		return $single ? 'none' : array( 'none' );
	}

	/**
	 * "Typically replies within …" under the Space's title.
	 *
	 * @return void
	 */
	public static function header_reply_time() {
		$space_id = (int) get_the_ID();
		if ( ! self::serves() || ! Space_Inbox_UI::is_space( $space_id ) ) {
			return;
		}
		$html = Space_Inbox_Reply_Time::html( $space_id );
		if ( '' !== $html ) {
			echo '<p class="space-inbox-header-reply-time">' . $html . '</p>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in Space_Inbox_Reply_Time::html().
		}
	}

	/**
	 * No Message button appended to the content of a page whose header has one.
	 *
	 * @param bool $show Whether to append it.
	 * @return bool
	 */
	public static function no_second_button( $show ) {
		return $show && ! self::$drawn;
	}

	// -- the action ------------------------------------------------------------------------

	/**
	 * The "Space inbox" action's label, for whatever else lists Spaces Engine's actions.
	 *
	 * @param array $labels Action => label.
	 * @return array
	 */
	public static function action_labels( $labels ) {
		$labels                       = (array) $labels;
		$labels[ self::ACTION_INBOX ] = __( 'Message', 'space-inbox' );
		return $labels;
	}

	/**
	 * The "Space inbox" choice in the Space's action settings (Spaces Engine saves the form's
	 * `space_info[action_button]` itself). Spaces Engine's "Message" shows as this choice: both
	 * open the Space's inbox.
	 *
	 * @return void
	 */
	public static function action_choice() {
		if ( ! self::serves() ) {
			return;
		}
		$checked = self::is_message_action( get_post_meta( (int) get_the_ID(), self::ACTION_KEY, true ) );
		?>
		<fieldset class="space-action-button space-inbox-action-choice">
			<strong><?php esc_html_e( 'Get messages in the Space’s inbox', 'space-inbox' ); ?></strong>
			<ul>
				<li>
					<div class="space-action-wrap">
						<div class="space-action-label">
							<label for="bp-action-space_inbox"><?php esc_html_e( 'Message the Space', 'space-inbox' ); ?></label>
							<span id="bp-action-space_inbox-help"><?php esc_html_e( 'Members write to the Space; every admin of the Space can answer, as the Space.', 'space-inbox' ); ?></span>
						</div>
						<div class="space-action-value">
							<input type="radio" name="space_info[action_button]" value="<?php echo esc_attr( self::ACTION_INBOX ); ?>" id="bp-action-space_inbox" aria-describedby="bp-action-space_inbox-help" <?php checked( $checked ); ?> class="space-action-radio"/>
						</div>
					</div>
				</li>
			</ul>
		</fieldset>
		<?php
	}

	/**
	 * A new Space's action is its inbox, unless it was given one.
	 *
	 * @param int     $post_id Post id.
	 * @param WP_Post $post    The Space.
	 * @param bool    $update  Whether an existing post was updated.
	 * @return void
	 */
	public static function default_action( $post_id, $post, $update ) {
		if ( $update || ! self::serves() || wp_is_post_revision( $post_id ) ) {
			return;
		}
		add_post_meta( (int) $post_id, self::ACTION_KEY, self::ACTION_INBOX, true );
	}

	/**
	 * Give every Space whose action is its inbox Spaces Engine's own "Message" action (on
	 * deactivation): Spaces Engine knows no other way to message a Space.
	 *
	 * @return int How many Spaces were changed.
	 */
	public static function restore_actions() {
		$ids = get_posts(
			array(
				'post_type'        => self::POST_TYPE,
				// Every status, trash included ('any' leaves it out): an untrashed Space
				// must not come back with an action Spaces Engine does not know.
				'post_status'      => array_keys( get_post_stati() ),
				'fields'           => 'ids',
				'posts_per_page'   => -1,
				'no_found_rows'    => true,
				'suppress_filters' => true,
				'meta_key'         => self::ACTION_KEY, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
				'meta_value'       => self::ACTION_INBOX, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value
			)
		);
		foreach ( $ids as $id ) {
			update_post_meta( (int) $id, self::ACTION_KEY, self::ACTION_MESSAGE, self::ACTION_INBOX );
		}
		return count( $ids );
	}

	// -- the Space's logo ------------------------------------------------------------------

	/**
	 * A Space's logo is being cropped (set): the Space is sent again at the end of the
	 * request, with the new logo. BuddyPress fires no action after a Space's crop.
	 *
	 * @param mixed $value Whether BuddyPress crops (passed on unchanged).
	 * @param array $args  The crop's arguments (`object`, `item_id`, ...).
	 * @return mixed
	 */
	public static function on_logo_crop( $value, $args ) {
		self::touch_logo_owner( $args );
		return $value;
	}

	/**
	 * A Space's logo was removed: the Space is sent again.
	 *
	 * @param array $args The removal's arguments (`object`, `item_id`, ...).
	 * @return void
	 */
	public static function on_logo_deleted( $args ) {
		self::touch_logo_owner( $args );
	}

	/**
	 * Note the Space whose logo the avatar arguments name.
	 *
	 * @param mixed $args BuddyPress' avatar arguments.
	 * @return void
	 */
	private static function touch_logo_owner( $args ) {
		$args = is_array( $args ) ? $args : array();
		if ( self::serves() && isset( $args['object'], $args['item_id'] ) && self::AVATAR_OBJECT === $args['object'] && Space_Inbox_Spaces::is_space( (int) $args['item_id'] ) ) {
			Space_Inbox_Events::touch_space( (int) $args['item_id'] );
		}
	}

	/**
	 * The URL of a Space's own logo (the thumbnail size), or '' when it has none.
	 *
	 * @param int $space_id Space post id.
	 * @return string
	 */
	public static function logo_url( $space_id ) {
		if ( ! function_exists( 'bp_core_fetch_avatar' ) || ! function_exists( 'bp_core_avatar_url' ) ) {
			return '';
		}
		$url = (string) bp_core_fetch_avatar(
			array(
				'item_id' => (int) $space_id,
				'object'  => self::AVATAR_OBJECT,
				'type'    => 'thumb',
				'html'    => false,
				'no_grav' => true,
			)
		);
		// Without a logo of its own, BuddyPress hands its default picture (BuddyBoss: a
		// Gravatar URL): only an uploaded file is the Space's logo.
		$uploads = trailingslashit( bp_core_avatar_url() );
		return 0 === strpos( $url, $uploads ) ? $url : '';
	}

	/**
	 * A Space's logo is its picture, where it has one.
	 *
	 * @param string $url      The picture so far (a featured image, or '').
	 * @param int    $space_id Space post ID.
	 * @return string
	 */
	public static function picture( $url, $space_id ) {
		if ( ! self::serves() ) {
			return $url;
		}
		$logo = self::logo_url( $space_id );
		return '' !== $logo ? $logo : $url;
	}

	// -- the archive's cards ---------------------------------------------------------------

	/**
	 * The cards module on Spaces Engine's archive, with what it needs to draw each card's
	 * link: the inbox page, the login page, and the Spaces the reader answers for.
	 *
	 * @return void
	 */
	public static function enqueue_cards() {
		if ( ! self::serves() || ! is_post_type_archive( self::POST_TYPE ) ) {
			return;
		}
		$user_id = get_current_user_id();
		Space_Inbox_Assets::enqueue_cards(
			array(
				'loggedIn' => $user_id > 0,
				'inboxUrl' => Space_Inbox_Options::member_inbox_url(),
				'loginUrl' => wp_login_url( self::REDIRECT_PLACEHOLDER ),
				'redirect' => self::REDIRECT_PLACEHOLDER,
				'mine'     => $user_id > 0 ? Space_Inbox_Spaces::spaces_of_user( $user_id ) : array(),
			)
		);
	}
}
