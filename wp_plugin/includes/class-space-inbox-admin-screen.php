<?php
/**
 * The wp-admin "Space Inbox" screen: a Space team's inbox (team-inbox.js) with a Space
 * picker, for Space admins, and for site administrators, who read every Space's inbox and
 * answer none unless they are on its team.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Adds and renders the wp-admin screen.
 */
final class Space_Inbox_Admin_Screen {

	/** How many Spaces a site administrator's oversight picker lists at most. */
	const OVERSIGHT_LIMIT = 500;

	/**
	 * Whether the current user may open the screen: a Space admin, or a site administrator
	 * (read-only oversight unless also on a Space's team).
	 *
	 * @return bool
	 */
	private static function allowed() {
		return is_user_logged_in() && ( current_user_can( 'manage_options' ) || array() !== Space_Inbox_UI::my_spaces() );
	}

	/**
	 * Adds the "Space Inbox" screen for Space admins and site administrators, and loads the
	 * team's inbox on that screen only.
	 *
	 * @return void
	 */
	public static function add_menu() {
		if ( ! self::allowed() ) {
			return;
		}
		$hook = (string) add_menu_page(
			__( 'Space Inbox', 'space-inbox' ),
			__( 'Space Inbox', 'space-inbox' ),
			'read',
			Space_Inbox_Options::ADMIN_INBOX_PAGE,
			array( __CLASS__, 'render' ),
			'dashicons-email-alt',
			26
		);
		if ( $hook ) {
			add_action( 'load-' . $hook, array( __CLASS__, 'load' ) );
		}
	}

	/**
	 * The screen is loading: its assets go in the head.
	 *
	 * @return void
	 */
	public static function load() {
		add_action( 'admin_enqueue_scripts', array( 'Space_Inbox_Assets', 'enqueue_team_inbox' ) );
	}

	/**
	 * The Spaces the screen offers: the user's own (they may answer), plus for site
	 * administrators every published Space (read-only oversight). The bridge is the judge
	 * of who may answer; the module learns it from me/summary and from a 403
	 * oversight_read_only.
	 *
	 * @return array<int, array{id: int, name: string}>
	 */
	private static function spaces() {
		$ids = Space_Inbox_UI::my_spaces();
		if ( current_user_can( 'manage_options' ) ) {
			$ids = array_merge(
				$ids,
				get_posts(
					array(
						'post_type'        => Space_Inbox_Options::post_type(),
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
			if ( Space_Inbox_UI::is_space( $id ) ) {
				$spaces[] = array(
					'id'   => $id,
					'name' => Space_Inbox_UI::plain_title( $id ),
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
	 * Renders the screen: the team inbox's container.
	 *
	 * @return void
	 */
	public static function render() {
		if ( ! self::allowed() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'space-inbox' ), 403 );
		}
		?>
		<div class="wrap space-inbox-wrap">
			<h1><?php esc_html_e( 'Space Inbox', 'space-inbox' ); ?></h1>
			<p class="description"><?php esc_html_e( 'Answers go out as the Space. Members never see which admin wrote them; the team does.', 'space-inbox' ); ?></p>
			<?php
			echo Space_Inbox_Container::html( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
				'admin',
				array( 'space-inbox-spaces' => self::spaces() )
			);
			?>
		</div>
		<?php
	}
}
