<?php
/**
 * Plugin Name:       Space Inbox
 * Plugin URI:        https://github.com/space-inbox/space-inbox
 * Description:       Shared inboxes for Spaces (business, shop and charity pages): members message a Space, any of its admins answers as the Space. Needs the Space Inbox bridge service.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Space Inbox contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       space-inbox
 * Domain Path:       /languages
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'SPACE_INBOX_VERSION', '0.1.0' );
define( 'SPACE_INBOX_FILE', __FILE__ );
define( 'SPACE_INBOX_DIR', plugin_dir_path( __FILE__ ) );
define( 'SPACE_INBOX_URL', plugin_dir_url( __FILE__ ) );

require_once SPACE_INBOX_DIR . 'includes/class-space-inbox-plugin.php';

register_activation_hook( __FILE__, array( 'Space_Inbox_Plugin', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Space_Inbox_Plugin', 'deactivate' ) );

Space_Inbox_Plugin::init();
