<?php
/**
 * Spaces and their admins.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * A Space is a post of the configured type. Its admins are the post author, the team
 * stored in post meta (one `_space_inbox_team` row per user, so it can be queried), and
 * whatever the `space_inbox_space_admins` filter adds.
 */
final class Space_Inbox_Spaces {

	/** Post meta: one row per team member (a user ID). */
	const TEAM_META = '_space_inbox_team';

	/** Rewrite slug of the post type the plugin registers when no other plugin does. */
	const REWRITE_SLUG = 'spaces';

	/**
	 * The post type this plugin registered in this request ('' when another plugin did).
	 *
	 * @var string
	 */
	private static $registered = '';

	/**
	 * The post type this plugin registered ('' when another plugin registers Spaces).
	 *
	 * @return string
	 */
	public static function registered_here() {
		return self::$registered;
	}

	/**
	 * Unregister the post type if this plugin registered it (on deactivation).
	 *
	 * @return void
	 */
	public static function unregister_post_type() {
		if ( '' !== self::$registered && post_type_exists( self::$registered ) ) {
			unregister_post_type( self::$registered );
		}
		self::$registered = '';
	}

	/**
	 * Register a minimal Space post type, unless a plugin (Spaces Engine...) did.
	 *
	 * Runs late on `init` so that other plugins register theirs first.
	 *
	 * @return void
	 */
	public static function register_post_type() {
		$type = Space_Inbox_Options::post_type();
		if ( post_type_exists( $type ) ) {
			return;
		}
		self::$registered = $type;
		register_post_type(
			$type,
			array(
				'labels'        => array(
					'name'          => __( 'Spaces', 'space-inbox' ),
					'singular_name' => __( 'Space', 'space-inbox' ),
					'add_new_item'  => __( 'Add New Space', 'space-inbox' ),
					'edit_item'     => __( 'Edit Space', 'space-inbox' ),
					'new_item'      => __( 'New Space', 'space-inbox' ),
					'view_item'     => __( 'View Space', 'space-inbox' ),
					'search_items'  => __( 'Search Spaces', 'space-inbox' ),
					'not_found'     => __( 'No Spaces found.', 'space-inbox' ),
					'all_items'     => __( 'All Spaces', 'space-inbox' ),
				),
				'public'        => true,
				'has_archive'   => true,
				'show_in_rest'  => true,
				'menu_icon'     => 'dashicons-store',
				'menu_position' => 25,
				'supports'      => array( 'title', 'editor', 'thumbnail', 'author' ),
				'rewrite'       => array( 'slug' => self::REWRITE_SLUG ),
			)
		);
	}

	/**
	 * Whether a post is a Space (of the configured type).
	 *
	 * @param int|WP_Post|null $post Post or ID.
	 * @return bool
	 */
	public static function is_space( $post ) {
		$post = get_post( $post );
		return $post instanceof WP_Post && Space_Inbox_Options::post_type() === $post->post_type;
	}

	/**
	 * The team stored by the plugin (without the author and the filter).
	 *
	 * @param int $space_id Space post ID.
	 * @return int[] User IDs.
	 */
	public static function team( $space_id ) {
		$ids = array_map( 'intval', (array) get_post_meta( (int) $space_id, self::TEAM_META, false ) );
		return array_values( array_unique( array_filter( $ids, array( __CLASS__, 'is_positive' ) ) ) );
	}

	/**
	 * The admins of a Space: the post author, the team and what the filter adds.
	 *
	 * @param int $space_id Space post ID.
	 * @return int[] Unique positive user IDs, ascending.
	 */
	public static function admins( $space_id ) {
		$space_id = (int) $space_id;
		$ids      = self::team( $space_id );
		$author   = (int) get_post_field( 'post_author', $space_id );
		if ( $author > 0 ) {
			array_unshift( $ids, $author );
		}

		/**
		 * Filters the admins of a Space: who is notified of its messages and may answer
		 * them as the Space.
		 *
		 * Another plugin can supply admins here (Spaces Engine Pro editors, a BuddyPress
		 * group's admins...). The bridge learns the result only when the plugin sends the
		 * Space again (on save, on a team change, or with "Resync all Spaces"), so call
		 * `Space_Inbox_Events::touch_space( $space_id )` when your source changes.
		 * Note that `Space_Inbox_Spaces::spaces_of_user()` cannot invert this filter: add
		 * the same Spaces there with the `space_inbox_user_spaces` filter.
		 *
		 * @param int[] $ids      User IDs: the post author and the stored team.
		 * @param int   $space_id Space post ID.
		 */
		$ids = (array) apply_filters( 'space_inbox_space_admins', $ids, $space_id );

		$ids = array_values( array_unique( array_filter( array_map( 'intval', $ids ), array( __CLASS__, 'is_positive' ) ) ) );
		if ( count( $ids ) > Space_Inbox_Limits::TEAM_MAX ) {
			// The bridge refuses a bigger team, and the Space would then never sync: keep the
			// author and the first admins, in the order given.
			$ids = array_slice( array_values( array_unique( array_merge( $author > 0 ? array( $author ) : array(), $ids ) ) ), 0, Space_Inbox_Limits::TEAM_MAX );
		}
		sort( $ids );
		return $ids;
	}

	/**
	 * The Spaces a user administers: as post author or on the team.
	 *
	 * @param int          $user_id User ID.
	 * @param string|array $status  Post status(es), or 'any'.
	 * @return int[] Space post IDs, ascending.
	 */
	public static function spaces_of_user( $user_id, $status = 'publish' ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return array();
		}
		$common = array(
			'post_type'              => Space_Inbox_Options::post_type(),
			'post_status'            => $status,
			'fields'                 => 'ids',
			'posts_per_page'         => -1,
			'no_found_rows'          => true,
			'suppress_filters'       => true,
			'update_post_meta_cache' => false,
			'update_post_term_cache' => false,
			'orderby'                => 'ID',
			'order'                  => 'ASC',
		);
		// Two indexed queries: WP_Query cannot OR the author with a meta clause.
		$authored = get_posts( array_merge( $common, array( 'author' => $user_id ) ) );
		$on_team  = get_posts(
			array_merge(
				$common,
				array(
					'meta_key'   => self::TEAM_META, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key
					'meta_value' => (string) $user_id, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value
				)
			)
		);
		$ids = array_merge( array_map( 'intval', $authored ), array_map( 'intval', $on_team ) );

		/**
		 * Filters the Spaces a user administers.
		 *
		 * The counterpart of `space_inbox_space_admins`: a plugin that adds admins there
		 * adds their Spaces here, since a filter cannot be run backwards.
		 *
		 * @param int[]  $ids     Space post IDs where the user is author or on the team.
		 * @param int    $user_id User ID.
		 * @param string|array $status Post status(es) asked for.
		 */
		$ids = (array) apply_filters( 'space_inbox_user_spaces', $ids, $user_id, $status );

		$ids = array_values( array_unique( array_filter( array_map( 'intval', $ids ), array( __CLASS__, 'is_positive' ) ) ) );
		sort( $ids );
		return $ids;
	}

	/**
	 * A Space's own picture: its featured image, or what the filter gives ('' for none).
	 *
	 * @param int $space_id Space post ID.
	 * @return string Image URL, or ''.
	 */
	public static function picture_url( $space_id ) {
		$url = has_post_thumbnail( $space_id ) ? (string) get_the_post_thumbnail_url( $space_id, 'thumbnail' ) : '';

		/**
		 * Filters a Space's own picture, shown in the inbox and in notifications (Spaces
		 * Engine's logo, for its Spaces). The bridge learns a new picture when the Space is
		 * sent again: call `Space_Inbox_Events::touch_space( $space_id )` when it changes.
		 *
		 * @param string $url      Image URL: the featured image's thumbnail, or '' for none.
		 * @param int    $space_id Space post ID.
		 */
		return (string) apply_filters( 'space_inbox_space_picture_url', $url, (int) $space_id );
	}

	/**
	 * The data of a `space.upserted` event.
	 *
	 * @param int|WP_Post $post Space.
	 * @return array|null `space_id`, `name`, `slug`, `url`, `avatar_url`, `admin_ids`; null
	 *                    when there is no such post.
	 */
	public static function space_payload( $post ) {
		$post = get_post( $post );
		if ( ! $post instanceof WP_Post ) {
			return null;
		}
		$name = trim( wp_strip_all_tags( html_entity_decode( $post->post_title, ENT_QUOTES, 'UTF-8' ) ) );
		if ( '' === $name ) {
			/* translators: %d: the Space's post ID. */
			$name = sprintf( __( 'Space #%d', 'space-inbox' ), $post->ID );
		}
		$url    = get_permalink( $post );
		$avatar = self::picture_url( $post->ID );
		$max    = Space_Inbox_Limits::SPACE_FIELD_MAX;
		$data   = array(
			'space_id'   => (int) $post->ID,
			'name'       => self::cut( $name, $max['name'] ),
			'slug'       => self::cut( urldecode( (string) $post->post_name ), $max['slug'] ),
			'url'        => $url ? self::cut( $url, $max['url'] ) : '',
			'avatar_url' => $avatar ? self::cut( $avatar, $max['avatar_url'] ) : '',
			'admin_ids'  => self::admins( $post->ID ),
		);

		/**
		 * Filters what the bridge is told about a Space.
		 *
		 * @param array   $data `space_id`, `name` (plain text), `slug`, `url`, `avatar_url`,
		 *                      `admin_ids` (the whole team: admins not listed are removed).
		 * @param WP_Post $post The Space.
		 */
		return (array) apply_filters( 'space_inbox_space_payload', $data, $post );
	}

	/**
	 * Remove a user from every Space team before WordPress deletes the user.
	 *
	 * @param int $user_id User being deleted.
	 * @return void
	 */
	public static function forget_user( $user_id ) {
		// Every status, trash included: an untrashed Space must not bring a deleted user back.
		foreach ( self::spaces_of_user( $user_id, array_keys( get_post_stati() ) ) as $space_id ) {
			delete_post_meta( $space_id, self::TEAM_META, (string) (int) $user_id );
		}
	}

	/**
	 * Cut a string to a number of characters.
	 *
	 * @param string $text  Text.
	 * @param int    $limit Most characters.
	 * @return string
	 */
	private static function cut( $text, $limit ) {
		return function_exists( 'mb_substr' ) ? mb_substr( $text, 0, $limit, 'UTF-8' ) : substr( $text, 0, $limit );
	}

	/**
	 * Whether a number is above zero (an array_filter callback; public so PHP may call it).
	 *
	 * @param int $n Number.
	 * @return bool
	 */
	public static function is_positive( $n ) {
		return $n > 0;
	}
}
