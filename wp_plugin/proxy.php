<?php
/**
 * The fast proxy: the browser's calls to the bridge in proxy mode, without WordPress.
 *
 * In proxy mode (no public bridge URL) the browser calls this file as
 * `proxy.php?path=<path under /api/v1/>[&query]`. It forwards the call to the bridge
 * configured in the `space_inbox_bridge_url` option and relays the answer, and it never
 * boots WordPress: the bridge verifies every caller itself (the logged-in cookie, the
 * REST nonce on writes), so the proxy only has to find the bridge and carry bytes.
 *
 * - The bridge's address comes from one option row, read with mysqli with the database
 *   settings of wp-config.php, which is found as wp-load.php finds it (beside wp-load.php,
 *   or in the folder above it) and read as text: only literal `define()`s and
 *   `$table_prefix`. A wp-config.php whose values are computed is loaded instead with
 *   `SHORTINIT` (WordPress' database layer only). The parsed file is kept in APCu when
 *   APCu is there, keyed by the file's modification time and size; the option is read on
 *   every request, so a changed bridge URL applies at once.
 * - Only the browser's routes of the API are forwarded (`me/...` and `spaces/<id>/...`,
 *   by PATH_PATTERN), with the API's methods (METHODS), to the configured bridge only. The live stream
 *   (`me/stream`) is refused with 503 `live_unavailable`: it would hold a PHP worker for as
 *   long as the page is open.
 * - Forwarded: the method, the `wordpress_logged_in_*` cookies (no other cookie: not the
 *   wp-admin auth cookies), X-WP-Nonce, If-None-Match, Content-Type and a body of at most
 *   MAX_BODY bytes. Relayed: the status, Content-Type, ETag, Retry-After, Cache-Control,
 *   Vary and the body, byte for byte.
 * - Its own refusals have the bridge's error shape, `{"code", "message"}`.
 *
 * It is the only way from a browser to the bridge through the site: the plugin has no
 * REST route that proxies.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) && ! defined( 'SPACE_INBOX_PROXY' ) ) {
	define( 'SPACE_INBOX_PROXY', true ); // Run by the web server: the limits are read outside WordPress.
}
require_once __DIR__ . '/includes/class-space-inbox-limits.php';

/**
 * Forwards one browser request to the bridge. Loaded by WordPress only for its constants
 * (Space_Inbox_Options::browser_api_base()); it runs when it is the requested script.
 */
final class Space_Inbox_Proxy {

	/** Query parameter carrying the path under /api/v1/. */
	const PATH_PARAM = 'path';

	/** The option holding the bridge's server-to-server URL (Space_Inbox_Options::OPTION_BRIDGE_URL). */
	const BRIDGE_URL_OPTION = 'space_inbox_bridge_url';

	/** Where the browser's API lives on the bridge. */
	const API_PREFIX = '/api/v1/';

	/**
	 * The paths forwarded: the member's (`me/...`) and a Space team's
	 * (`spaces/<id>/...`) routes, each segment a lower-case word or an id. No dot, no
	 * percent sign, no colon: nothing that could leave /api/v1/ or the bridge.
	 */
	const PATH_PATTERN = '#^(?:me|spaces/[0-9]{1,20})(?:/(?:[a-z][a-z_-]{0,31}|[0-9]{1,20})){1,5}$#D';

	/** A query parameter other than the path, forwarded as sent (still percent-encoded). */
	const QUERY_PAIR_PATTERN = '#^[A-Za-z_]{1,32}=[A-Za-z0-9*._~%+-]{0,512}$#D';

	/**
	 * Longest query string forwarded, in bytes: room for a few parameters of the longest
	 * kind, well under what the bridge's server takes on a request line.
	 */
	const MAX_QUERY = 2048;

	/** The live stream: never proxied. */
	const STREAM_PATH = 'me/stream';

	/** Methods forwarded. */
	const METHODS = array( 'GET', 'POST', 'PUT', 'PATCH', 'DELETE' );

	/** Largest request body, in bytes: the bridge's own default (its MAX_CONTENT_LENGTH). */
	const MAX_BODY = Space_Inbox_Limits::REQUEST_BODY_MAX;

	/** Largest answer of the bridge relayed, in bytes. */
	const MAX_ANSWER = 4194304;

	/** Seconds to wait for the database and the bridge. */
	const TIMEOUT = Space_Inbox_Limits::CALL_TIMEOUT;

	/** Seconds the browser is asked to wait when the bridge does not answer. */
	const RETRY_AFTER = 30;

	/** Cookies forwarded: WordPress' logged-in cookie (`wordpress_logged_in_<hash>`). */
	const COOKIE_PREFIX = 'wordpress_logged_in_';

	/** Longest Cookie header forwarded, in bytes. */
	const COOKIE_MAX = 8192;

	/** Longest value of another forwarded header, in bytes. */
	const HEADER_MAX = 1024;

	/** Request headers forwarded besides Cookie: $_SERVER key => name. */
	const REQUEST_HEADERS = array(
		'HTTP_X_WP_NONCE'    => 'X-WP-Nonce',
		'HTTP_IF_NONE_MATCH' => 'If-None-Match',
		'CONTENT_TYPE'       => 'Content-Type',
	);

	/** Answer headers relayed: lower-case name => name. */
	const RESPONSE_HEADERS = array(
		'content-type'  => 'Content-Type',
		'etag'          => 'ETag',
		'retry-after'   => 'Retry-After',
		'cache-control' => 'Cache-Control',
		'vary'          => 'Vary',
	);

	/** The wp-config.php values the proxy reads. */
	const CONFIG_NAMES = array( 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST', 'MYSQL_CLIENT_FLAGS' );

	/** The wp-config.php values it cannot do without. */
	const CONFIG_REQUIRED = array( 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_HOST' );

	/** How many folders above this one wp-load.php or wp-config.php is looked for. */
	const CONFIG_LEVELS = 8;

	/** APCu key prefix of a parsed wp-config.php. */
	const APCU_PREFIX = 'space_inbox_proxy_config:';

	/**
	 * The request being forwarded: method, path, query, headers, body.
	 *
	 * @var array
	 */
	private static $request = array();

	/**
	 * Validate the request and forward it, or say which file to load with SHORTINIT first.
	 *
	 * @return string|null A wp-load.php or wp-config.php to require (from the global
	 *                     scope, with SHORTINIT) before finish_after_boot(); null when the
	 *                     request is answered.
	 */
	public static function run() {
		ini_set( 'default_mimetype', '' ); // phpcs:ignore WordPress.PHP.IniSet.Risky -- no text/html on a 304.
		header_remove( 'X-Powered-By' );
		header( 'X-Content-Type-Options: nosniff' );

		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? (string) $_SERVER['REQUEST_METHOD'] : '';
		if ( ! in_array( $method, self::METHODS, true ) ) {
			self::refuse( 405, 'method_not_allowed', 'The method is not allowed for the requested URL.', array( 'Allow' => implode( ', ', self::METHODS ) ) );
			return null;
		}
		$query = self::split_query( isset( $_SERVER['QUERY_STRING'] ) ? (string) $_SERVER['QUERY_STRING'] : '' );
		if ( null === $query ) {
			self::refuse( 400, 'invalid_query', 'The query string is not one this proxy forwards.' );
			return null;
		}
		list( $path, $rest ) = $query;
		if ( self::STREAM_PATH === $path ) {
			self::refuse( 503, 'live_unavailable', 'Live updates are not available through this proxy: poll instead.' );
			return null;
		}
		if ( ! preg_match( self::PATH_PATTERN, $path ) ) {
			self::refuse( 404, 'not_found', 'The requested URL was not found on the server.' );
			return null;
		}
		$body = '';
		if ( 'GET' !== $method ) {
			$body = self::read_body();
			if ( null === $body ) {
				self::refuse( 413, 'request_entity_too_large', 'The data value transmitted exceeds the capacity limit.' );
				return null;
			}
		}
		self::$request = array(
			'method'  => $method,
			'target'  => self::API_PREFIX . $path . ( '' === $rest ? '' : '?' . $rest ),
			'headers' => self::forwarded_headers(),
			'body'    => $body,
		);

		$found = self::find_config();
		if ( null === $found ) {
			self::unavailable( 'wp-config.php was not found.' );
			return null;
		}
		$config = self::literal_config( $found['config'] );
		if ( null === $config ) {
			return $found['load'];
		}
		self::finish( self::read_bridge_url( $config ) );
		return null;
	}

	/**
	 * Forward the request once WordPress' database layer is loaded (SHORTINIT).
	 *
	 * @return void
	 */
	public static function finish_after_boot() {
		global $wpdb;
		$url = null;
		if ( isset( $wpdb ) && is_object( $wpdb ) && method_exists( $wpdb, 'get_var' ) ) {
			$wpdb->suppress_errors( true );
			$value = $wpdb->get_var( "SELECT option_value FROM {$wpdb->options} WHERE option_name = '" . self::BRIDGE_URL_OPTION . "' LIMIT 1" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- a constant name; no cache is loaded.
			if ( '' === (string) $wpdb->last_error ) {
				$url = null === $value ? '' : (string) $value;
			}
		}
		self::finish( $url );
	}

	/**
	 * Send the validated request to the bridge at $url and relay its answer.
	 *
	 * @param string|null $url The option's value; '' when unset, null when unreadable.
	 * @return void
	 */
	private static function finish( $url ) {
		if ( null === $url ) {
			self::unavailable( 'The site\'s database did not answer.' );
			return;
		}
		$bridge = self::parse_bridge_url( $url );
		if ( null === $bridge ) {
			self::unavailable( 'The bridge URL is not set (Settings → Space Inbox).' );
			return;
		}
		$answer = self::forward( $bridge, self::$request );
		if ( null === $answer ) {
			self::unavailable( 'The bridge did not answer.' );
			return;
		}
		if ( $answer['status'] >= 400 && ! self::is_json( $answer['headers'] ) ) {
			// Not the bridge's own refusal (its server's HTML page for a request it could not
			// read, say): the API's shape, a client's error staying a client's error.
			if ( $answer['status'] >= 500 ) {
				self::unavailable( 'The bridge answered with an error.' );
			} else {
				self::refuse( $answer['status'], 'invalid_request', 'The request was refused.' );
			}
			return;
		}
		http_response_code( $answer['status'] );
		foreach ( $answer['headers'] as $name => $value ) {
			header( $name . ': ' . $value );
		}
		if ( 204 !== $answer['status'] && 304 !== $answer['status'] ) {
			echo $answer['body']; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the bridge's JSON, relayed unchanged with its Content-Type.
		}
	}

	/* -- The request ------------------------------------------------------------------- */

	/**
	 * Split the raw query string into the path and the rest.
	 *
	 * The path is taken as sent, not decoded: a valid one has nothing to decode, so `%2e`,
	 * `%2f` and the like are refused rather than interpreted.
	 *
	 * @param string $raw QUERY_STRING.
	 * @return array|null `array( path, rest of the query )`, or null when the query is
	 *                    longer than MAX_QUERY, the path is missing or repeated, or another
	 *                    parameter is malformed.
	 */
	private static function split_query( $raw ) {
		if ( strlen( $raw ) > self::MAX_QUERY ) {
			return null;
		}
		$path = null;
		$rest = array();
		foreach ( explode( '&', $raw ) as $pair ) {
			if ( '' === $pair ) {
				continue;
			}
			if ( 0 === strpos( $pair, self::PATH_PARAM . '=' ) ) {
				if ( null !== $path ) {
					return null;
				}
				$path = substr( $pair, strlen( self::PATH_PARAM ) + 1 );
				continue;
			}
			if ( ! preg_match( self::QUERY_PAIR_PATTERN, $pair ) ) {
				return null;
			}
			$rest[] = $pair;
		}
		if ( null === $path ) {
			return null;
		}
		return array( $path, implode( '&', $rest ) );
	}

	/**
	 * Read the request body, at most MAX_BODY bytes.
	 *
	 * @return string|null The body; null when it is longer.
	 */
	private static function read_body() {
		$declared = isset( $_SERVER['CONTENT_LENGTH'] ) ? (string) $_SERVER['CONTENT_LENGTH'] : '';
		if ( '' !== $declared && ( ! ctype_digit( $declared ) || strlen( $declared ) > 12 || (int) $declared > self::MAX_BODY ) ) {
			return null;
		}
		$body = file_get_contents( 'php://input', false, null, 0, self::MAX_BODY + 1 ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- WordPress is not loaded.
		if ( false === $body ) {
			return '';
		}
		return strlen( $body ) > self::MAX_BODY ? null : $body;
	}

	/**
	 * The headers to forward: the logged-in cookies and REQUEST_HEADERS, each only when it
	 * is one line of printable ASCII.
	 *
	 * @return array<string, string> Name => value.
	 */
	private static function forwarded_headers() {
		$headers = array();
		$cookie  = self::logged_in_cookies( isset( $_SERVER['HTTP_COOKIE'] ) ? (string) $_SERVER['HTTP_COOKIE'] : '' );
		if ( '' !== $cookie ) {
			$headers['Cookie'] = $cookie;
		}
		foreach ( self::REQUEST_HEADERS as $key => $name ) {
			$value = isset( $_SERVER[ $key ] ) ? (string) $_SERVER[ $key ] : '';
			if ( '' !== $value && strlen( $value ) <= self::HEADER_MAX && ! preg_match( '/[^\x20-\x7e]/', $value ) ) {
				$headers[ $name ] = $value;
			}
		}
		return $headers;
	}

	/**
	 * The logged-in cookies of a Cookie header, as sent and in their order.
	 *
	 * A cookie is kept when PHP would file it under a name starting with COOKIE_PREFIX
	 * (leading spaces dropped, `.` and spaces turned into `_`), so the bridge, which reads
	 * the header as PHP does, sees the same logged-in cookie as WordPress would. Every
	 * other cookie (the wp-admin auth cookies, the test cookie, other sites' cookies) stays
	 * here.
	 *
	 * @param string $header The browser's Cookie header.
	 * @return string The Cookie header to forward; '' for none.
	 */
	private static function logged_in_cookies( $header ) {
		$kept   = array();
		$length = 0;
		foreach ( explode( ';', $header ) as $piece ) {
			$piece = ltrim( $piece, " \t" );
			$equal = strpos( $piece, '=' );
			$name  = strtr( false === $equal ? $piece : substr( $piece, 0, $equal ), ' .', '__' );
			if ( 0 !== strpos( $name, self::COOKIE_PREFIX ) || preg_match( '/[^\x20-\x7e]/', $piece ) ) {
				continue;
			}
			$length += strlen( $piece ) + 2;
			if ( $length > self::COOKIE_MAX ) {
				break;
			}
			$kept[] = $piece;
		}
		return implode( '; ', $kept );
	}

	/* -- The site's configuration ------------------------------------------------------ */

	/**
	 * Find wp-config.php as wp-load.php does: beside wp-load.php (ABSPATH), else in the
	 * folder above unless that folder holds another WordPress (wp-settings.php).
	 *
	 * wp-load.php is looked for in the folders above this plugin's, as the web server
	 * reached it (a symlinked plugin folder) and as it is on disk; a folder with
	 * wp-config.php and no wp-load.php (WordPress' files in a subfolder of it, the content
	 * folder beside them) also ends the search.
	 *
	 * @return array|null `array( 'config' => wp-config.php, 'load' => the file to require
	 *                    with SHORTINIT )`, or null.
	 */
	private static function find_config() {
		$starts = array();
		if ( ! empty( $_SERVER['SCRIPT_FILENAME'] ) ) {
			$starts[] = dirname( (string) $_SERVER['SCRIPT_FILENAME'] );
		}
		$starts[] = __DIR__;
		foreach ( array_unique( $starts ) as $folder ) {
			for ( $level = 0; $level < self::CONFIG_LEVELS; $level++ ) {
				$parent = dirname( $folder );
				if ( $parent === $folder ) {
					break;
				}
				$folder = $parent;
				if ( is_file( $folder . '/wp-load.php' ) ) {
					if ( is_file( $folder . '/wp-config.php' ) ) {
						$config = $folder . '/wp-config.php';
					} elseif ( is_file( dirname( $folder ) . '/wp-config.php' ) && ! is_file( dirname( $folder ) . '/wp-settings.php' ) ) {
						$config = dirname( $folder ) . '/wp-config.php';
					} else {
						break;
					}
					return array(
						'config' => $config,
						'load'   => $folder . '/wp-load.php',
					);
				}
				if ( is_file( $folder . '/wp-config.php' ) ) {
					return array(
						'config' => $folder . '/wp-config.php',
						'load'   => $folder . '/wp-config.php',
					);
				}
			}
		}
		return null;
	}

	/**
	 * The database settings of wp-config.php when each is a literal, from APCu when it is
	 * there and the file has not changed.
	 *
	 * @param string $file Path of wp-config.php.
	 * @return array|null CONFIG_NAMES found and 'table_prefix'; null when a value is
	 *                    computed, missing or given twice, or another file is included
	 *                    (then SHORTINIT reads it).
	 */
	private static function literal_config( $file ) {
		$stat = @stat( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		if ( false === $stat ) {
			return null;
		}
		$apcu = function_exists( 'apcu_fetch' ) && function_exists( 'apcu_enabled' ) && apcu_enabled();
		$key  = self::APCU_PREFIX . md5( $file );
		$mark = $stat['mtime'] . ':' . $stat['size'] . ':' . $stat['ino'];
		if ( $apcu ) {
			$kept = apcu_fetch( $key );
			if ( is_array( $kept ) && isset( $kept['mark'] ) && $kept['mark'] === $mark ) {
				return $kept['config'];
			}
		}
		$code = file_get_contents( $file ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- WordPress is not loaded.
		if ( false === $code ) {
			return null;
		}
		$config = self::parse_config( $code );
		if ( $apcu ) {
			apcu_store(
				$key,
				array(
					'mark'   => $mark,
					'config' => $config,
				)
			);
		}
		return $config;
	}

	/**
	 * Read `define( 'NAME', literal )` for CONFIG_NAMES and `$table_prefix = 'literal';`.
	 *
	 * A file that includes any file but `ABSPATH . 'wp-settings.php'` is left to WordPress:
	 * the included file could define the settings first.
	 *
	 * @param string $code The PHP source of wp-config.php.
	 * @return array|null See literal_config().
	 */
	private static function parse_config( $code ) {
		$tokens = array();
		foreach ( token_get_all( $code ) as $token ) {
			if ( is_array( $token ) && in_array( $token[0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true ) ) {
				continue;
			}
			$tokens[] = $token;
		}
		$found = array();
		$count = count( $tokens );
		for ( $i = 0; $i < $count; $i++ ) {
			$token = $tokens[ $i ];
			if ( ! is_array( $token ) ) {
				continue;
			}
			if ( in_array( $token[0], array( T_INCLUDE, T_INCLUDE_ONCE, T_REQUIRE, T_REQUIRE_ONCE ), true ) ) {
				if ( 'ABSPATH' !== self::text_at( $tokens, $i + 1 ) || '.' !== self::text_at( $tokens, $i + 2 ) || 'wp-settings.php' !== self::php_string( self::text_at( $tokens, $i + 3 ) ) ) {
					return null; // Another file may define the settings: WordPress decides.
				}
				continue;
			}
			if ( T_VARIABLE === $token[0] && '$table_prefix' === $token[1] ) {
				$name  = 'table_prefix';
				$value = self::literal_at( $tokens, $i, '=', ';' );
			} elseif ( T_STRING === $token[0] && 'define' === strtolower( $token[1] ) && '(' === self::text_at( $tokens, $i + 1 ) ) {
				$name = self::php_string( self::text_at( $tokens, $i + 2 ) );
				if ( null === $name || ! in_array( $name, self::CONFIG_NAMES, true ) ) {
					continue;
				}
				$value = self::literal_at( $tokens, $i + 2, ',', ')' );
			} else {
				continue;
			}
			if ( null === $value || array_key_exists( $name, $found ) ) {
				return null; // Computed, or set twice (in branches): WordPress decides.
			}
			$found[ $name ] = $value;
		}
		foreach ( array_merge( self::CONFIG_REQUIRED, array( 'table_prefix' ) ) as $name ) {
			if ( ! isset( $found[ $name ] ) || ! is_string( $found[ $name ] ) ) {
				return null;
			}
		}
		if ( ! preg_match( '/^[A-Za-z0-9_]+$/D', $found['table_prefix'] ) ) {
			return null;
		}
		return $found;
	}

	/**
	 * The literal after `$tokens[$at] $before`, when `$after` follows it.
	 *
	 * @param array  $tokens Tokens without whitespace and comments.
	 * @param int    $at     Index of the token before $before.
	 * @param string $before The token before the literal ('=' or ',').
	 * @param string $after  The token after it (';' or ')').
	 * @return string|int|bool|null The value; null when it is not one literal.
	 */
	private static function literal_at( array $tokens, $at, $before, $after ) {
		if ( self::text_at( $tokens, $at + 1 ) !== $before || self::text_at( $tokens, $at + 3 ) !== $after ) {
			return null;
		}
		$token = isset( $tokens[ $at + 2 ] ) ? $tokens[ $at + 2 ] : null;
		if ( ! is_array( $token ) ) {
			return null;
		}
		if ( T_CONSTANT_ENCAPSED_STRING === $token[0] ) {
			return self::php_string( $token[1] );
		}
		if ( T_LNUMBER === $token[0] && ctype_digit( $token[1] ) ) {
			return (int) $token[1];
		}
		if ( T_STRING === $token[0] && in_array( strtolower( $token[1] ), array( 'true', 'false' ), true ) ) {
			return 'true' === strtolower( $token[1] );
		}
		return null;
	}

	/**
	 * The text of a token.
	 *
	 * @param array $tokens Tokens.
	 * @param int   $at     Index.
	 * @return string|null
	 */
	private static function text_at( array $tokens, $at ) {
		if ( ! isset( $tokens[ $at ] ) ) {
			return null;
		}
		return is_array( $tokens[ $at ] ) ? $tokens[ $at ][1] : $tokens[ $at ];
	}

	/**
	 * The value of a PHP string literal without variables.
	 *
	 * @param string|null $literal The literal as written, quotes included.
	 * @return string|null Null when it is not such a literal.
	 */
	private static function php_string( $literal ) {
		if ( null === $literal || strlen( $literal ) < 2 ) {
			return null;
		}
		$quote = $literal[0];
		$inner = substr( $literal, 1, -1 );
		if ( "'" === $quote ) {
			return preg_replace( '/\\\\([\\\\\'])/', '$1', $inner );
		}
		if ( '"' === $quote && false === strpos( $inner, '$' ) && false === strpos( $inner, '\\u' ) ) {
			return stripcslashes( $inner );
		}
		return null;
	}

	/**
	 * Read the bridge URL option with mysqli, as wpdb would connect.
	 *
	 * @param array $config What parse_config() found.
	 * @return string|null The option's value, '' when it is not set; null when the
	 *                     database did not answer.
	 */
	private static function read_bridge_url( array $config ) {
		mysqli_report( MYSQLI_REPORT_OFF );
		$db = mysqli_init();
		if ( ! $db ) {
			return null;
		}
		$db->options( MYSQLI_OPT_CONNECT_TIMEOUT, self::TIMEOUT );
		list( $host, $port, $socket ) = self::parse_db_host( (string) $config['DB_HOST'] );
		$flags = isset( $config['MYSQL_CLIENT_FLAGS'] ) ? (int) $config['MYSQL_CLIENT_FLAGS'] : 0;
		// phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a failure is answered with 503.
		if ( ! @$db->real_connect( $host, (string) $config['DB_USER'], (string) $config['DB_PASSWORD'], (string) $config['DB_NAME'], $port, $socket, $flags ) ) {
			return null;
		}
		$result = $db->query( 'SELECT option_value FROM `' . $config['table_prefix'] . "options` WHERE option_name = '" . self::BRIDGE_URL_OPTION . "' LIMIT 1" );
		if ( false === $result ) {
			$db->close();
			return null;
		}
		$row = $result->fetch_row();
		$result->free();
		$db->close();
		return is_array( $row ) ? (string) $row[0] : '';
	}

	/**
	 * Split DB_HOST as wpdb::parse_db_host() does: `host`, `host:port`, `host:/socket`,
	 * `[::1]:3306`.
	 *
	 * @param string $value DB_HOST.
	 * @return array `array( host, port or null, socket or null )` for mysqli.
	 */
	private static function parse_db_host( $value ) {
		$socket = null;
		$at     = strpos( $value, ':/' );
		if ( false !== $at ) {
			$socket = substr( $value, $at + 1 );
			$value  = substr( $value, 0, $at );
		}
		$ipv6    = substr_count( $value, ':' ) > 1;
		$pattern = $ipv6 ? '#^(?:\[)?(?P<host>[0-9a-fA-F:]+)(?:\]:(?P<port>[\d]+))?#' : '#^(?P<host>[^:/]*)(?::(?P<port>[\d]+))?#';
		if ( ! preg_match( $pattern, $value, $matches ) ) {
			return array( $value, null, $socket );
		}
		$host = ! empty( $matches['host'] ) ? $matches['host'] : '';
		if ( $ipv6 && extension_loaded( 'mysqlnd' ) ) {
			$host = '[' . $host . ']';
		}
		$port = ! empty( $matches['port'] ) ? (int) $matches['port'] : null;
		return array( $host, $port, $socket );
	}

	/* -- The bridge -------------------------------------------------------------------- */

	/**
	 * Check the bridge URL: http or https, a host, an optional port and path, nothing else.
	 *
	 * @param string $url The option's value.
	 * @return array|null `array( 'transport', 'host', 'port', 'authority', 'path' )`, or
	 *                    null when it is unset or not such a URL.
	 */
	private static function parse_bridge_url( $url ) {
		$url   = rtrim( trim( $url ), '/' );
		$parts = '' === $url ? false : parse_url( $url ); // phpcs:ignore WordPress.WP.AlternativeFunctions.parse_url_parse_url -- WordPress is not loaded.
		if ( ! is_array( $parts ) || ! isset( $parts['scheme'], $parts['host'] ) || isset( $parts['user'] ) || isset( $parts['pass'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
			return null;
		}
		$scheme = strtolower( $parts['scheme'] );
		$path   = isset( $parts['path'] ) ? $parts['path'] : '';
		if ( ! in_array( $scheme, array( 'http', 'https' ), true ) || ! preg_match( '#^(?:/[A-Za-z0-9._~-]+)*$#D', $path ) || ! preg_match( '#^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$#D', $parts['host'] ) ) {
			return null;
		}
		$default = 'https' === $scheme ? 443 : 80;
		$port    = isset( $parts['port'] ) ? (int) $parts['port'] : $default;
		return array(
			'transport' => 'https' === $scheme ? 'tls' : 'tcp',
			'host'      => $parts['host'],
			'port'      => $port,
			'authority' => $parts['host'] . ( $port === $default ? '' : ':' . $port ),
			'path'      => $path,
		);
	}

	/**
	 * Send the request to the bridge over HTTP/1.0 and read its whole answer.
	 *
	 * @param array $bridge  What parse_bridge_url() gave.
	 * @param array $request Method, target, headers, body.
	 * @return array|null `array( 'status', 'headers' => relayed headers, 'body' )`, or
	 *                    null when the bridge did not answer in time or answered garbage.
	 */
	private static function forward( array $bridge, array $request ) {
		$context = stream_context_create(
			array(
				'ssl' => array(
					'peer_name'   => trim( $bridge['host'], '[]' ),
					'SNI_enabled' => true,
				),
			)
		);
		$socket  = @stream_socket_client( // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged -- a failure is answered with 503.
			$bridge['transport'] . '://' . $bridge['host'] . ':' . $bridge['port'],
			$errno,
			$errstr,
			self::TIMEOUT,
			STREAM_CLIENT_CONNECT,
			$context
		);
		if ( false === $socket ) {
			return null;
		}
		stream_set_timeout( $socket, self::TIMEOUT );

		$lines = array(
			$request['method'] . ' ' . $bridge['path'] . $request['target'] . ' HTTP/1.0',
			'Host: ' . $bridge['authority'],
			'Connection: close',
			'User-Agent: Space Inbox proxy',
		);
		foreach ( $request['headers'] as $name => $value ) {
			$lines[] = $name . ': ' . $value;
		}
		if ( 'GET' !== $request['method'] ) {
			$lines[] = 'Content-Length: ' . strlen( $request['body'] );
		}
		$out = implode( "\r\n", $lines ) . "\r\n\r\n" . $request['body'];
		while ( '' !== $out ) {
			$written = fwrite( $socket, $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- a socket.
			if ( false === $written || 0 === $written ) {
				fclose( $socket ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- a socket.
				return null;
			}
			$out = (string) substr( $out, $written );
		}

		$raw = '';
		while ( ! feof( $socket ) ) {
			$chunk = fread( $socket, 65536 ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fread -- a socket.
			$meta  = stream_get_meta_data( $socket );
			if ( false === $chunk || ! empty( $meta['timed_out'] ) || strlen( $raw ) + strlen( $chunk ) > self::MAX_ANSWER ) {
				fclose( $socket ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- a socket.
				return null;
			}
			$raw .= $chunk;
		}
		fclose( $socket ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- a socket.
		return self::parse_answer( $raw );
	}

	/**
	 * Split an HTTP answer into its status, the headers to relay and its body.
	 *
	 * @param string $raw The answer as read.
	 * @return array|null See forward().
	 */
	private static function parse_answer( $raw ) {
		$end = strpos( $raw, "\r\n\r\n" );
		if ( false === $end || ! preg_match( '#^HTTP/1\.[01] ([1-5][0-9]{2})[ \r]#', $raw, $status ) ) {
			return null;
		}
		$headers = array();
		$chunked = false;
		foreach ( array_slice( explode( "\r\n", substr( $raw, 0, $end ) ), 1 ) as $line ) {
			$colon = strpos( $line, ':' );
			if ( false === $colon ) {
				continue;
			}
			$name  = strtolower( trim( substr( $line, 0, $colon ) ) );
			$value = trim( substr( $line, $colon + 1 ) );
			if ( 'transfer-encoding' === $name && 'chunked' === strtolower( $value ) ) {
				$chunked = true;
			}
			if ( isset( self::RESPONSE_HEADERS[ $name ] ) && '' !== $value && ! preg_match( '/[^\x20-\x7e\t]/', $value ) ) {
				$relayed             = self::RESPONSE_HEADERS[ $name ];
				$headers[ $relayed ] = isset( $headers[ $relayed ] ) ? $headers[ $relayed ] . ', ' . $value : $value;
			}
		}
		$body = (string) substr( $raw, $end + 4 );
		if ( $chunked ) {
			$body = self::dechunk( $body );
			if ( null === $body ) {
				return null;
			}
		}
		return array(
			'status'  => (int) $status[1],
			'headers' => $headers,
			'body'    => $body,
		);
	}

	/**
	 * Decode a chunked body.
	 *
	 * @param string $body Chunked body.
	 * @return string|null The body; null when it is cut short.
	 */
	private static function dechunk( $body ) {
		$out = '';
		$at  = 0;
		while ( true ) {
			$eol = strpos( $body, "\r\n", $at );
			if ( false === $eol ) {
				return null;
			}
			$size = hexdec( trim( explode( ';', substr( $body, $at, $eol - $at ) )[0] ) );
			if ( 0 === (int) $size ) {
				return $out;
			}
			if ( strlen( $body ) < $eol + 2 + $size ) {
				return null;
			}
			$out .= substr( $body, $eol + 2, (int) $size );
			$at   = $eol + 2 + (int) $size + 2;
		}
	}

	/**
	 * Whether relayed headers say the body is JSON.
	 *
	 * @param array $headers Relayed headers: name => value.
	 * @return bool
	 */
	private static function is_json( array $headers ) {
		return isset( $headers['Content-Type'] ) && 1 === preg_match( '#^application/(?:[a-z0-9.+-]+\+)?json\b#i', $headers['Content-Type'] );
	}

	/* -- Answers of its own ------------------------------------------------------------ */

	/**
	 * Answer 503 `bridge_unavailable`, as the REST proxy does.
	 *
	 * @param string $description What failed.
	 * @return void
	 */
	private static function unavailable( $description ) {
		self::refuse(
			503,
			'bridge_unavailable',
			'The inbox is not reachable right now. Try again in a moment.',
			array( 'Retry-After' => (string) self::RETRY_AFTER ),
			$description
		);
	}

	/**
	 * Answer with the bridge's error shape.
	 *
	 * @param int    $status      HTTP status.
	 * @param string $code        Error code.
	 * @param string $message     Message.
	 * @param array  $headers     More headers: name => value.
	 * @param string $description Optional description.
	 * @return void
	 */
	private static function refuse( $status, $code, $message, array $headers = array(), $description = '' ) {
		http_response_code( $status );
		header( 'Content-Type: application/json' );
		header( 'Cache-Control: no-store' );
		foreach ( $headers as $name => $value ) {
			header( $name . ': ' . $value );
		}
		$body = array(
			'code'    => $code,
			'message' => $message,
		);
		if ( '' !== $description ) {
			$body['description'] = $description;
		}
		echo json_encode( $body ); // phpcs:ignore WordPress.WP.AlternativeFunctions.json_encode_json_encode, WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON of constant strings; WordPress is not loaded.
	}
}

// Requested directly (WordPress defines ABSPATH before it could load this file).
if ( ! defined( 'ABSPATH' ) ) {
	$space_inbox_proxy_boot = Space_Inbox_Proxy::run();
	if ( null !== $space_inbox_proxy_boot ) {
		// wp-config.php computes its values: let WordPress read them, loading only its
		// database layer. From the global scope, as wp-config.php expects.
		define( 'SHORTINIT', true );
		require $space_inbox_proxy_boot;
		Space_Inbox_Proxy::finish_after_boot();
	}
}
