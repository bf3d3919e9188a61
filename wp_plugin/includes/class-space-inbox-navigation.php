<?php
/**
 * The ways to the inbox: the "Space inbox" toolbar node (under BuddyPress' notifications
 * node where there is one), its item in the BuddyBoss Theme's user menu, and the "Space
 * Messages" tab of the member's own BuddyPress / BuddyBoss profile. Counts are filled by
 * the badge module, never on render.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Adds the toolbar node, the BuddyBoss menu item and the profile tab.
 */
final class Space_Inbox_Navigation {

	/** Slug of the BuddyPress profile tab (members/<user>/space-messages/). */
	const PROFILE_SLUG = 'space-messages';

	/**
	 * The "Space inbox" toolbar node: under BuddyPress' notifications node where the
	 * toolbar has one (a second link beside the notifications), else on its own in
	 * 'top-secondary'. Its children: the user's own conversations, each Space they answer
	 * for, and for site staff the wp-admin screen.
	 *
	 * @param WP_Admin_Bar $wp_admin_bar The toolbar.
	 * @return void
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
					. '<span class="ab-label">' . esc_html__( 'Space inbox', 'space-inbox' ) . '</span>' . Space_Inbox_UI::count_badge( 'total' ),
				'href'   => Space_Inbox_Options::member_inbox_url(), // The toolbar escapes it.
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
				'title'  => esc_html__( 'My conversations', 'space-inbox' ) . Space_Inbox_UI::count_badge( 'member' ),
				'href'   => Space_Inbox_Options::member_inbox_url(),
			)
		);
		foreach ( Space_Inbox_UI::my_spaces() as $space_id ) {
			if ( Space_Inbox_UI::is_space( $space_id ) ) {
				$wp_admin_bar->add_node(
					array(
						'parent' => 'space-inbox',
						'id'     => 'space-inbox-team-' . $space_id,
						'title'  => esc_html( Space_Inbox_UI::plain_title( $space_id ) ) . Space_Inbox_UI::count_badge( 'space-' . $space_id ),
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
					'href'   => Space_Inbox_Options::admin_inbox_url(),
				)
			);
		}
	}

	/**
	 * The toolbar node at priority 6, beside "My Account", where no BuddyPress
	 * notifications node will come to hold it.
	 *
	 * @param WP_Admin_Bar $wp_admin_bar The toolbar.
	 * @return void
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
	 *
	 * @return void
	 */
	public static function buddyboss_user_menu_item() {
		if ( ! is_user_logged_in() ) {
			return;
		}
		printf(
			'<li id="wp-admin-bar-my-account-space-inbox" class="space-inbox-menu-item"><a class="ab-item" href="%1$s">%2$s%3$s</a></li>',
			esc_url( Space_Inbox_Options::member_inbox_url() ),
			esc_html__( 'Space inbox', 'space-inbox' ),
			Space_Inbox_UI::count_badge( 'total' ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in count_badge().
		);
	}

	// -- the BuddyPress profile tab --------------------------------------------------------

	/**
	 * Adds the "Space Messages" tab to the logged-in member's own profile.
	 *
	 * @return void
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
	 *
	 * @return void
	 */
	public static function profile_screen() {
		add_action( 'bp_template_title', array( __CLASS__, 'profile_title' ) );
		add_action( 'bp_template_content', array( __CLASS__, 'profile_content' ) );
		Space_Inbox_Assets::enqueue_member_inbox();

		/** This filter is documented in bp-core/bp-core-catchuri.php of BuddyPress. */
		bp_core_load_template( apply_filters( 'bp_core_template_plugin', 'members/single/plugins' ) );
	}

	/**
	 * Title of the profile tab's page.
	 *
	 * @return void
	 */
	public static function profile_title() {
		esc_html_e( 'Space Messages', 'space-inbox' );
	}

	/**
	 * Content of the profile tab: the member inbox, only on one's own profile.
	 *
	 * @return void
	 */
	public static function profile_content() {
		if ( function_exists( 'bp_is_my_profile' ) && ! bp_is_my_profile() ) {
			return;
		}
		echo Space_Inbox_Container::html( 'front' ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in html().
	}
}
