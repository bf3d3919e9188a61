<?php
/**
 * The events WordPress changes make for the bridge.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * WordPress' hooks note what the bridge must learn; the events go into the queue
 * (Space_Inbox_Queue), which delivers them.
 *
 * Space events are state-based: hooks only note which Spaces changed, and at shutdown
 * each noted Space is sent as it then is (`space.upserted` when published, else
 * `space.deleted`). A save that also changes the team sends one event, with the team
 * as saved.
 */
final class Space_Inbox_Events {

	/** Spaces per page of "Resync all Spaces". */
	const RESYNC_PAGE_SIZE = 100;

	/**
	 * Space IDs changed in this request, sent at shutdown.
	 *
	 * @var array<int, true>
	 */
	private static $touched = array();

	/**
	 * Spam/ham events already queued in this request (BuddyPress fires two hooks).
	 *
	 * @var array<string, true>
	 */
	private static $spam_seen = array();

	/**
	 * Users whose logins changed in this request (one event each).
	 *
	 * @var array<int, true>
	 */
	private static $logins_seen = array();

	/* -- Hooks that cause events ------------------------------------------------------- */

	/**
	 * A post was saved, its terms and meta included (`wp_after_insert_post`).
	 *
	 * @param int          $post_id     Post ID.
	 * @param WP_Post      $post        The post as saved.
	 * @param bool         $update      Whether it existed before.
	 * @param WP_Post|null $post_before The post before the save.
	 * @return void
	 */
	public static function on_after_insert_post( $post_id, $post, $update, $post_before ) {
		if ( ! Space_Inbox_Spaces::is_space( $post ) ) {
			return;
		}
		$was_published = $post_before instanceof WP_Post && 'publish' === $post_before->post_status;
		if ( 'publish' === $post->post_status || $was_published ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * A post is about to be trashed or deleted: a published Space becomes `space.deleted`.
	 *
	 * @param int $post_id Post ID.
	 * @return void
	 */
	public static function on_post_going( $post_id ) {
		$post = get_post( $post_id );
		if ( Space_Inbox_Spaces::is_space( $post ) && 'publish' === $post->post_status ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * A post left the trash. WordPress 5.6+ restores it as a draft unless a filter says
	 * otherwise, so it is sent only if it came back published.
	 *
	 * @param int $post_id Post ID.
	 * @return void
	 */
	public static function on_untrashed( $post_id ) {
		if ( Space_Inbox_Spaces::is_space( $post_id ) ) {
			self::touch_space( $post_id );
		}
	}

	/**
	 * Team meta was added, changed or removed.
	 *
	 * @param int|int[] $meta_ids  Meta ID(s).
	 * @param int       $object_id Post ID.
	 * @param string    $meta_key  Meta key.
	 * @return void
	 */
	public static function on_team_meta( $meta_ids, $object_id, $meta_key ) {
		if ( Space_Inbox_Spaces::TEAM_META === $meta_key && $object_id > 0 && 'publish' === get_post_status( $object_id ) && Space_Inbox_Spaces::is_space( $object_id ) ) {
			self::touch_space( $object_id );
		}
	}

	/**
	 * A user is about to be deleted: leave every team; Spaces they authored and that are
	 * reassigned get sent again with their new author.
	 *
	 * @param int      $user_id  User ID.
	 * @param int|null $reassign User who gets their posts, or null.
	 * @return void
	 */
	public static function on_delete_user( $user_id, $reassign = null ) {
		if ( $reassign ) {
			foreach ( Space_Inbox_Spaces::spaces_of_user( $user_id ) as $space_id ) {
				self::touch_space( $space_id );
			}
		}
		Space_Inbox_Spaces::forget_user( $user_id );
	}

	/**
	 * A user was deleted.
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_deleted_user( $user_id ) {
		Space_Inbox_Queue::enqueue( 'user.deleted', array( 'user_id' => (int) $user_id ) );
	}

	/**
	 * A user was marked as a spammer (`make_spam_user`, BuddyPress' `bp_make_spam_user`).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_spam( $user_id ) {
		self::spammed( $user_id, true );
	}

	/**
	 * A user was marked as not a spammer (`make_ham_user`, `bp_make_ham_user`).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_ham( $user_id ) {
		self::spammed( $user_id, false );
	}

	/**
	 * Queue one `user.spammed` event per user and state per request.
	 *
	 * @param int  $user_id User ID.
	 * @param bool $spam    Spammer or not.
	 * @return void
	 */
	private static function spammed( $user_id, $spam ) {
		$key = (int) $user_id . ( $spam ? ':spam' : ':ham' );
		if ( (int) $user_id <= 0 || isset( self::$spam_seen[ $key ] ) ) {
			return;
		}
		self::$spam_seen[ $key ] = true;
		Space_Inbox_Queue::enqueue(
			'user.spammed',
			array(
				'user_id' => (int) $user_id,
				'spam'    => (bool) $spam,
			)
		);
	}

	/**
	 * A user's sessions are about to be saved (`update_user_meta`): a session that goes
	 * (a logout, "log out everywhere else") must close what the user holds open in the
	 * bridge. A new session alone (a login) changes nothing there.
	 *
	 * @param int    $meta_id   Meta ID.
	 * @param int    $user_id   User ID.
	 * @param string $meta_key  Meta key.
	 * @param mixed  $new_value The sessions about to be saved.
	 * @return void
	 */
	public static function on_sessions_update( $meta_id, $user_id, $meta_key, $new_value ) {
		if ( 'session_tokens' !== $meta_key ) {
			return;
		}
		$old = get_user_meta( $user_id, 'session_tokens', true );
		$new = is_array( $new_value ) ? $new_value : array();
		if ( is_array( $old ) && array_diff_key( $old, $new ) ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A user's last sessions were removed (`deleted_user_meta`).
	 *
	 * @param array  $meta_ids Meta IDs.
	 * @param int    $user_id  User ID.
	 * @param string $meta_key Meta key.
	 * @return void
	 */
	public static function on_sessions_deleted( $meta_ids, $user_id, $meta_key ) {
		if ( 'session_tokens' === $meta_key ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A profile was saved (`profile_update`): a new password ends the user's logins.
	 *
	 * @param int     $user_id  User ID.
	 * @param WP_User $old_user The user before the update.
	 * @return void
	 */
	public static function on_profile_update( $user_id, $old_user ) {
		$user = get_userdata( $user_id );
		if ( $user && $old_user instanceof WP_User && $user->user_pass !== $old_user->user_pass ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * A password was set (`after_password_reset`, and `wp_set_password` from WordPress 6.2).
	 *
	 * @param WP_User|string $user_or_password The user (`after_password_reset`) or the new
	 *                                         password (`wp_set_password`).
	 * @param mixed          $user_id          The user ID (`wp_set_password`).
	 * @return void
	 */
	public static function on_password_set( $user_or_password, $user_id = null ) {
		self::logins_changed( $user_or_password instanceof WP_User ? $user_or_password->ID : $user_id );
	}

	/**
	 * A user's row changed (`clean_user_cache`): every change WordPress makes to a user
	 * through its API ends in it, a password set with `wp_set_password()` before WordPress
	 * 6.2 (which fires no action of its own) and a changed role included. The bridge checks
	 * the user's logins again; one event per user and request, and none for a user with no
	 * login to end (a new user).
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	public static function on_user_cache_cleaned( $user_id ) {
		if ( get_user_meta( (int) $user_id, 'session_tokens', true ) ) {
			self::logins_changed( $user_id );
		}
	}

	/**
	 * Queue one `user.logins_changed` event per user per request.
	 *
	 * @param int $user_id User ID.
	 * @return void
	 */
	private static function logins_changed( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 || isset( self::$logins_seen[ $user_id ] ) ) {
			return;
		}
		self::$logins_seen[ $user_id ] = true;
		Space_Inbox_Queue::enqueue( 'user.logins_changed', array( 'user_id' => $user_id ) );
	}

	/* -- Spaces, sent as they are at the end of the request ---------------------------- */

	/**
	 * Note that a Space changed; it is sent as it is at the end of the request.
	 *
	 * @param int $space_id Space post ID.
	 * @return void
	 */
	public static function touch_space( $space_id ) {
		$space_id = (int) $space_id;
		if ( $space_id > 0 ) {
			self::$touched[ $space_id ] = true;
		}
	}

	/**
	 * The event describing a Space as it is now.
	 *
	 * @param int $space_id Space post ID.
	 * @return array `array( type, data )`: `space.upserted` for a published Space of the
	 *               configured type, else `space.deleted`.
	 */
	public static function space_event( $space_id ) {
		$post = get_post( $space_id );
		if ( $post && 'publish' === $post->post_status && Space_Inbox_Spaces::is_space( $post ) ) {
			return array( 'space.upserted', Space_Inbox_Spaces::space_payload( $post ) );
		}
		return array( 'space.deleted', array( 'space_id' => (int) $space_id ) );
	}

	/**
	 * End of request: queue the noted Spaces, then try to send what this request queued.
	 *
	 * @return void
	 */
	public static function on_shutdown() {
		$touched       = array_keys( self::$touched );
		self::$touched = array();
		sort( $touched );
		foreach ( $touched as $space_id ) {
			list( $type, $data ) = self::space_event( $space_id );
			Space_Inbox_Queue::enqueue( $type, $data );
		}
		Space_Inbox_Queue::send_queued();
	}

	/* -- Resync ------------------------------------------------------------------------ */

	/**
	 * Queue a `space.upserted` for one page of published Spaces (oldest first).
	 *
	 * @param int $page     Page, from 1.
	 * @param int $per_page Spaces per page.
	 * @return array `done` (Spaces queued so far, this page included), `total`, `page`,
	 *               `next_page` (null after the last page).
	 */
	public static function resync_page( $page, $per_page = self::RESYNC_PAGE_SIZE ) {
		$page  = max( 1, (int) $page );
		$query = new WP_Query(
			array(
				'post_type'              => Space_Inbox_Options::post_type(),
				'post_status'            => 'publish',
				'posts_per_page'         => max( 1, (int) $per_page ),
				'paged'                  => $page,
				'orderby'                => 'ID',
				'order'                  => 'ASC',
				'suppress_filters'       => true,
				'update_post_term_cache' => false,
			)
		);
		foreach ( $query->posts as $post ) {
			Space_Inbox_Queue::enqueue( 'space.upserted', Space_Inbox_Spaces::space_payload( $post ) );
		}
		$total = (int) $query->found_posts;
		$done  = min( $total, ( $page - 1 ) * (int) $per_page + count( $query->posts ) );
		return array(
			'done'      => $done,
			'total'     => $total,
			'page'      => $page,
			'next_page' => ( $done < $total && $query->posts ) ? $page + 1 : null,
		);
	}

	/**
	 * Queue a `space.upserted` for every published Space and send them.
	 *
	 * @param callable|null $progress Called with each page's result.
	 * @return int Spaces queued.
	 */
	public static function resync_all( $progress = null ) {
		$page = 1;
		$done = 0;
		while ( $page ) {
			$result = self::resync_page( $page );
			$done   = $result['done'];
			if ( $progress ) {
				call_user_func( $progress, $result );
			}
			$page = $result['next_page'];
			Space_Inbox_Queue::flush();
		}
		return $done;
	}
}
