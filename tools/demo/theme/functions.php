<?php
/**
 * Space Inbox demo theme: setup and the stylesheet.
 *
 * @package Space_Inbox_Demo
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'after_setup_theme',
	static function () {
		add_theme_support( 'title-tag' );
		add_theme_support( 'post-thumbnails' );
	}
);

add_action(
	'wp_enqueue_scripts',
	static function () {
		wp_enqueue_style( 'space-inbox-demo', get_stylesheet_uri(), array(), '1.0' );
	}
);

/**
 * The post type of Spaces (the plugin's setting, when the plugin is active).
 *
 * @return string
 */
function space_inbox_demo_post_type() {
	return class_exists( 'Space_Inbox_Options' ) ? Space_Inbox_Options::post_type() : 'wpe_wpspace';
}

/**
 * URL of the member inbox page (the plugin's, when the plugin is active).
 *
 * @return string
 */
function space_inbox_demo_inbox_url() {
	return class_exists( 'Space_Inbox_Options' ) ? Space_Inbox_Options::member_inbox_url() : home_url( '/space-messages/' );
}

/**
 * Turn off WordPress' emoji script. The demo runs without network: the script would swap
 * emoji for images from s.w.org, which do not load here; the browser's own font shows them.
 * Hooked late enough for wp-admin, whose hooks are added after the theme loads.
 */
function space_inbox_demo_no_emoji_images() {
	remove_action( 'wp_head', 'print_emoji_detection_script', 7 );
	remove_action( 'admin_print_scripts', 'print_emoji_detection_script' );
	remove_action( 'wp_print_styles', 'print_emoji_styles' );
	remove_action( 'admin_print_styles', 'print_emoji_styles' );
}
add_action( 'init', 'space_inbox_demo_no_emoji_images' );
add_action( 'admin_init', 'space_inbox_demo_no_emoji_images' );
