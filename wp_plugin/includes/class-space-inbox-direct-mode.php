<?php
/**
 * Direct mode on Settings → Space Inbox: its check and the web server rules.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Direct mode: the check of the public bridge URL from the administrator's browser
 * (admin/direct-check.js), and web server rules (nginx, Apache, Caddy) that serve the
 * bridge on this site's origin, filled in with its path and the bridge URL.
 */
final class Space_Inbox_Direct_Mode {

	/** Handle of the direct-mode check's script. */
	const SCRIPT = 'space-inbox-direct-check';

	/** Where the rules serve the bridge when no public URL on this origin says otherwise. */
	const DEFAULT_PUBLIC_PATH = 'space-inbox-api/';

	/** The bridge's address in the rules when no bridge URL is set. */
	const DEFAULT_BRIDGE_URL = 'http://127.0.0.1:8765';

	/** Seconds the rules let a read from the bridge wait: more than a live stream lives. */
	const STREAM_TIMEOUT = 3700;

	/**
	 * Enqueue the direct-mode check: the administrator's browser asks the bridge for its
	 * summary at the public URL, as a member's browser will (admin/direct-check.js).
	 *
	 * @return void
	 */
	public static function enqueue() {
		$public = Space_Inbox_Options::public_url();
		wp_enqueue_script(
			self::SCRIPT,
			SPACE_INBOX_URL . 'admin/direct-check.js',
			array( 'wp-i18n' ),
			SPACE_INBOX_VERSION,
			true
		);
		wp_localize_script(
			self::SCRIPT,
			'spaceInboxDirect',
			array(
				'publicUrl'  => $public,
				'summaryUrl' => '' === $public ? '' : $public . '/api/v1/me/summary',
				'healthUrl'  => '' === $public ? '' : $public . '/health',
				'example'    => home_url( '/' . self::DEFAULT_PUBLIC_PATH ),
				'i18n'       => array(
					/* translators: %s: the URL being fetched. */
					'checking'    => __( 'Checking %s…', 'space-inbox' ),
					/* translators: %s: the URL that answered. */
					'verified'    => __( 'Reachable and verified: the bridge answered at %s and recognised your login. Direct mode works.', 'space-inbox' ),
					'liveOn'      => __( 'Live updates are on: open pages hear of new messages at once.', 'space-inbox' ),
					'liveOff'     => __( 'Live updates are off: pages ask for news every few seconds. Serve the bridge with Redis (SPACE_INBOX_REDIS_URL) and `serve --live` to turn them on.', 'space-inbox' ),
					/* translators: %s: the URL that answered. */
					'noLogin'     => __( 'Reachable, but the bridge does not see your login (HTTP 401 at %s): the web server does not forward the browser’s cookies, or the public URL is outside the domain or path of WordPress’ cookies.', 'space-inbox' ),
					/* translators: 1: what went wrong, e.g. "HTTP 404" or "network error", 2: the URL. */
					'unreachable' => __( 'Not reachable (%1$s at %2$s): the web server rule for this path is missing, or the bridge behind it is down. Add one of the rules below and reload the web server.', 'space-inbox' ),
					/* translators: 1: the public bridge URL, 2: this site's origin, 3: an example public URL on this site. */
					'wrongOrigin' => __( 'Wrong origin: %1$s is not on this site’s origin (%2$s), so browsers will not send it their WordPress cookies. Serve the bridge under a path of this site instead, e.g. %3$s.', 'space-inbox' ),
					'network'     => __( 'network error', 'space-inbox' ),
					/* translators: %d: an HTTP status code. */
					'status'      => __( 'HTTP %d', 'space-inbox' ),
					'notBridge'   => __( 'HTTP 200, but not the bridge’s answer', 'space-inbox' ),
				),
			)
		);
	}

	/**
	 * Direct mode: the check of the public URL from this browser, and web server rules that
	 * serve the bridge on this site's origin, filled in with its path and the bridge URL.
	 *
	 * @return void
	 */
	public static function render() {
		$public = Space_Inbox_Options::public_url();
		echo '<div class="card" id="space-inbox-direct" style="max-width:none"><h2>' . esc_html__( 'Direct mode', 'space-inbox' ) . '</h2>';
		echo '<p>' . esc_html__( 'In direct mode browsers call the bridge themselves, under a path of this site’s own origin, and send it their WordPress cookies; live updates need it. Your web server forwards that path to the bridge.', 'space-inbox' ) . '</p>';
		if ( '' === $public ) {
			echo '<p>' . esc_html__( 'The public bridge URL is empty: browsers go through WordPress (proxy mode). To switch, add a rule below, then set the public bridge URL to the path it serves and test it here.', 'space-inbox' ) . '</p>';
		} else {
			printf(
				'<p><button type="button" class="button" id="space-inbox-direct-test">%s</button></p>',
				esc_html__( 'Test direct mode', 'space-inbox' )
			);
		}
		echo '<p id="space-inbox-direct-result" role="status" aria-live="polite"></p>';
		if ( '' !== $public ) {
			printf(
				'<noscript><p>%s</p></noscript>',
				esc_html(
					sprintf(
						/* translators: %s: the bridge's summary URL. */
						__( 'Without JavaScript, open %s in this browser: the bridge’s JSON means direct mode works, a 401 that the cookies do not reach it, anything else that the rule is missing.', 'space-inbox' ),
						$public . '/api/v1/me/summary'
					)
				)
			);
		}

		$rules = self::server_rules();
		echo '<h3>' . esc_html__( 'Web server rules', 'space-inbox' ) . '</h3>';
		printf(
			'<p>%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: a path on this site, 2: the bridge's address. */
					__( 'Paste one of these into the web server’s configuration of this site: they serve the bridge at %2$s under %1$s, pass the cookies and the host on, and let the live stream through unbuffered and open for up to an hour.', 'space-inbox' ),
					$rules['path'],
					$rules['bridge']
				)
			)
		);
		$labels = array(
			'nginx'  => __( 'nginx (inside the site’s server block)', 'space-inbox' ),
			'apache' => __( 'Apache with mod_proxy, mod_proxy_http and mod_headers (inside the site’s VirtualHost; not in .htaccess)', 'space-inbox' ),
			'caddy'  => __( 'Caddy (inside the site’s block, before WordPress’ own handling)', 'space-inbox' ),
		);
		foreach ( $labels as $server => $label ) {
			printf(
				'<h4>%1$s</h4><pre class="space-inbox-rules" id="space-inbox-rules-%2$s"><code>%3$s</code></pre>',
				esc_html( $label ),
				esc_attr( $server ),
				esc_html( $rules[ $server ] )
			);
		}
		echo '<p>' . esc_html__( 'After reloading the web server, set the public bridge URL to this site’s address followed by the path above (without its last slash), save, and test it here.', 'space-inbox' ) . '</p>';
		echo '</div>';
	}

	/**
	 * The path the rules serve the bridge at, on this site: the public URL's own when it is on
	 * this site's origin, else space-inbox-api/ under the site's path. With both slashes.
	 *
	 * @return string E.g. /space-inbox-api/ or /blog/space-inbox-api/.
	 */
	private static function public_path() {
		$home   = wp_parse_url( home_url( '/' ) );
		$public = wp_parse_url( Space_Inbox_Options::public_url() );
		$home   = is_array( $home ) ? $home : array();
		if ( is_array( $public ) && isset( $public['host'], $home['host'] ) ) {
			$same = strtolower( $public['host'] ) === strtolower( $home['host'] )
				&& ( isset( $public['scheme'] ) ? $public['scheme'] : '' ) === ( isset( $home['scheme'] ) ? $home['scheme'] : '' )
				&& ( isset( $public['port'] ) ? $public['port'] : '' ) === ( isset( $home['port'] ) ? $home['port'] : '' );
			if ( $same && isset( $public['path'] ) && '' !== trim( $public['path'], '/' ) ) {
				return '/' . trim( $public['path'], '/' ) . '/';
			}
		}
		$base = isset( $home['path'] ) ? trim( $home['path'], '/' ) : '';
		return '/' . ( '' === $base ? '' : $base . '/' ) . self::DEFAULT_PUBLIC_PATH;
	}

	/**
	 * The rules for nginx, Apache and Caddy, filled in with this site's path and the bridge.
	 *
	 * @return array<string, string> `path`, `bridge`, and one rule set per server.
	 */
	private static function server_rules() {
		$path   = self::public_path();
		$bridge = Space_Inbox_Options::bridge_url();
		$bridge = '' === $bridge ? self::DEFAULT_BRIDGE_URL : $bridge;
		$parts  = wp_parse_url( $bridge );
		// Caddy's upstream is scheme://host:port, without a path.
		$upstream = ( isset( $parts['scheme'] ) ? $parts['scheme'] : 'http' ) . '://'
			. ( isset( $parts['host'] ) ? $parts['host'] : '127.0.0.1' )
			. ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		$target   = trailingslashit( $bridge );
		$timeout  = self::STREAM_TIMEOUT;
		// Caddy's site address: the site's own scheme, host and port.
		$home     = wp_parse_url( home_url( '/' ) );
		$site     = isset( $home['host'] )
			? ( isset( $home['scheme'] ) ? $home['scheme'] . '://' : '' ) . $home['host'] . ( isset( $home['port'] ) ? ':' . $home['port'] : '' )
			: 'https://example.org';

		$nginx = implode(
			"\n",
			array(
				// ^~: no regular-expression location (static files: \.(css|js|json)$) takes
				// these paths from the bridge.
				"location ^~ {$path} {",
				"    proxy_pass {$target};",
				'    proxy_http_version 1.1;',
				'    proxy_set_header Connection "";',
				'    proxy_set_header Host $host;',
				'    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
				'    proxy_set_header X-Forwarded-Proto $scheme;',
				'    proxy_buffering off;',
				"    proxy_read_timeout {$timeout}s;",
				'}',
			)
		);
		$apache = implode(
			"\n",
			array(
				"<Location \"{$path}\">",
				"    ProxyPass \"{$target}\" flushpackets=on timeout={$timeout}",
				"    ProxyPassReverse \"{$target}\"",
				'    ProxyPreserveHost On',
				'    RequestHeader set X-Forwarded-Proto expr=%{REQUEST_SCHEME}',
				'    SetEnv no-gzip 1',
				'</Location>',
			)
		);
		// A bridge URL with a path of its own: handle_path has stripped this site's prefix.
		$rewrite = isset( $parts['path'] ) && '' !== trim( $parts['path'], '/' )
			? array( '        rewrite * /' . trim( $parts['path'], '/' ) . '{uri}' )
			: array();
		$caddy   = implode(
			"\n",
			array_merge(
				array(
					$site . ' {',
					"    handle_path {$path}* {",
				),
				$rewrite,
				array(
					"        reverse_proxy {$upstream} {",
					'            flush_interval -1',
					'        }',
					'    }',
					"    # ... then this site's WordPress: php_fastcgi, file_server ...",
					'}',
				)
			)
		);
		return array(
			'path'   => $path,
			'bridge' => $bridge,
			'nginx'  => $nginx,
			'apache' => $apache,
			'caddy'  => $caddy,
		);
	}
}
