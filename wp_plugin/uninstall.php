<?php
/**
 * Uninstall: remove everything the plugin stored in WordPress.
 *
 * Walks the class constants, so a new option, meta key, cron hook or table is removed
 * as soon as it is declared there. The bridge's own tables ({prefix}spaceinbox_*) are
 * left alone: the bridge owns them (drop them with the bridge's tools if you want the
 * conversations gone too).
 *
 * @package Space_Inbox
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/class-space-inbox-options.php';
require_once __DIR__ . '/includes/class-space-inbox-bridge-client.php';
require_once __DIR__ . '/includes/class-space-inbox-spaces.php';
require_once __DIR__ . '/includes/class-space-inbox-events.php';
require_once __DIR__ . '/includes/class-space-inbox-notifications.php';

/**
 * Remove the plugin's data from the current site.
 *
 * @return void
 */
function space_inbox_uninstall_site() {
	global $wpdb;

	// The member inbox page the plugin created goes to the trash (recoverable), not away.
	$page_id = (int) get_option( Space_Inbox_Options::INBOX_PAGE, 0 );
	if ( $page_id > 0 && 'page' === get_post_type( $page_id ) ) {
		wp_trash_post( $page_id );
	}

	foreach ( Space_Inbox_Options::keys() as $option ) {
		delete_option( $option );
	}

	delete_post_meta_by_key( Space_Inbox_Spaces::TEAM_META );

	foreach ( array( Space_Inbox_Events::CRON_HOOK, Space_Inbox_Notifications::PRUNE_HOOK ) as $hook ) {
		wp_clear_scheduled_hook( $hook );
	}

	foreach ( array( Space_Inbox_Events::table(), Space_Inbox_Notifications::table() ) as $table ) {
		$wpdb->query( "DROP TABLE IF EXISTS {$table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids' ) ) as $space_inbox_site_id ) {
		switch_to_blog( $space_inbox_site_id );
		space_inbox_uninstall_site();
		restore_current_blog();
	}
} else {
	space_inbox_uninstall_site();
}
