<?php
/**
 * Uninstall: remove everything the plugin stored in WordPress.
 *
 * Walks the constants of the plugin's classes (every class named Space_Inbox_*, with every
 * file of includes/ loaded), so that a new option, meta key, transient, cron hook or table
 * is removed as soon as it is declared there. Names say what a constant is:
 *
 * - `OPTION_*`: an option;
 * - `*_USER_META`: a user meta key;
 * - `*_META` (any other): a post meta key;
 * - `*_TRANSIENT`: a transient;
 * - `*_HOOK`: a wp-cron hook, unscheduled;
 * - `COMPONENT`, `*_COMPONENT`: a BuddyPress component, whose notifications are deleted;
 * - a public static `table()` method: a table of the plugin's own, dropped.
 *
 * Then every other option and transient whose name starts with the plugin's (those named
 * at run time). The member inbox page the plugin created goes to the trash (recoverable),
 * not away. The bridge's own tables ({prefix}spaceinbox_*) are left alone: the bridge owns
 * them; `space-inbox uninstall` drops them, after the service is stopped.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

foreach ( (array) glob( __DIR__ . '/includes/class-space-inbox-*.php' ) as $space_inbox_file ) {
	require_once $space_inbox_file;
}

/**
 * What each naming convention of the plugin's constants stands for, first match wins.
 *
 * @return array<string, string> Pattern of a constant's name => kind of stored data.
 */
function space_inbox_uninstall_conventions() {
	return array(
		'/^OPTION_/'        => 'option',
		'/_USER_META$/'     => 'user_meta',
		'/_META$/'          => 'post_meta',
		'/_TRANSIENT$/'     => 'transient',
		'/_HOOK$/'          => 'hook',
		'/(^|_)COMPONENT$/' => 'component',
	);
}

/**
 * The names of everything the plugin stores, from the constants of its classes.
 *
 * @return array<string, string[]> Kind (option, user_meta, post_meta, transient, hook,
 *                                 component) => names; 'table' => classes with a table().
 */
function space_inbox_uninstall_names() {
	$conventions = space_inbox_uninstall_conventions();
	$names       = array_fill_keys( array_merge( array_values( $conventions ), array( 'table' ) ), array() );
	foreach ( get_declared_classes() as $class ) {
		if ( 0 !== strpos( $class, 'Space_Inbox_' ) ) {
			continue;
		}
		$reflection = new ReflectionClass( $class );
		foreach ( $reflection->getConstants() as $constant => $value ) {
			foreach ( $conventions as $pattern => $kind ) {
				if ( is_string( $value ) && preg_match( $pattern, $constant ) ) {
					$names[ $kind ][] = (string) $value;
					break;
				}
			}
		}
		if ( $reflection->hasMethod( 'table' ) ) {
			$method = $reflection->getMethod( 'table' );
			if ( $method->isPublic() && $method->isStatic() && 0 === $method->getNumberOfRequiredParameters() ) {
				$names['table'][] = $class;
			}
		}
	}
	return array_map( 'array_unique', $names );
}

/**
 * Delete a BuddyPress component's notifications, with BuddyPress' own API when it is
 * loaded, else from its table if that is there.
 *
 * @param string $component Component name.
 * @return void
 */
function space_inbox_uninstall_notifications( $component ) {
	global $wpdb;
	if ( function_exists( 'bp_is_active' ) && bp_is_active( 'notifications' ) && class_exists( 'BP_Notifications_Notification' ) ) {
		BP_Notifications_Notification::delete( array( 'component_name' => $component ) );
		return;
	}
	$table = $wpdb->base_prefix . 'bp_notifications';
	if ( $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) ) { // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->delete( $table, array( 'component_name' => $component ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}
}

/**
 * Remove the plugin's data from the current site.
 *
 * @param array<string, string[]> $names What space_inbox_uninstall_names() found.
 * @return void
 */
function space_inbox_uninstall_site( array $names ) {
	global $wpdb;

	$page_id = (int) get_option( Space_Inbox_Options::OPTION_INBOX_PAGE, 0 );
	if ( $page_id > 0 && 'page' === get_post_type( $page_id ) ) {
		wp_trash_post( $page_id );
	}

	foreach ( $names['option'] as $option ) {
		delete_option( $option );
	}
	foreach ( $names['post_meta'] as $key ) {
		delete_post_meta_by_key( $key );
	}
	foreach ( $names['user_meta'] as $key ) {
		delete_metadata( 'user', 0, $key, '', true );
	}
	foreach ( $names['transient'] as $transient ) {
		delete_transient( $transient );
	}
	foreach ( $names['hook'] as $hook ) {
		wp_clear_scheduled_hook( $hook );
	}
	foreach ( $names['component'] as $component ) {
		space_inbox_uninstall_notifications( $component );
	}
	foreach ( $names['table'] as $class ) {
		$table = call_user_func( array( $class, 'table' ) );
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	// What is named at run time (a transient per Space or per signed request): every
	// option and transient whose name starts with the plugin's.
	foreach ( array( 'space_inbox_', '_transient_space_inbox_', '_transient_timeout_space_inbox_' ) as $start ) {
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( $start ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}
	wp_cache_delete( 'alloptions', 'options' );
}

$space_inbox_names = space_inbox_uninstall_names();
if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $space_inbox_site_id ) {
		switch_to_blog( $space_inbox_site_id );
		space_inbox_uninstall_site( $space_inbox_names );
		restore_current_blog();
	}
} else {
	space_inbox_uninstall_site( $space_inbox_names );
}
