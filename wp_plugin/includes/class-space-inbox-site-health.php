<?php
/**
 * Space Inbox on Tools → Site Health: its tests, and its section of the Info tab.
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Site Health tests of the bridge (reachable, schema current), the notifications it sends
 * WordPress, live updates (Redis), and the events WordPress sends it; the Info tab's
 * "Space Inbox" section.
 *
 * The bridge's tests are asynchronous (the screen asks this plugin's REST routes for them)
 * and read one status, asked of the bridge by a signed call and kept for FRESH seconds:
 * loading the screen does not call the bridge each time.
 */
final class Space_Inbox_Site_Health {

	/** Seconds a status asked of the bridge is shown before it is asked again. */
	const FRESH = 300;

	/** Seconds a notification or an event may wait before it is late. */
	const LATE = 60;

	/** Seconds after which what waits is stuck, not late. */
	const STUCK = 900;

	/** The REST routes of the asynchronous tests, under the plugin's namespace. */
	const ROUTE = '/site-health/';


	/**
	 * The asynchronous tests, by name, with their labels.
	 *
	 * @return array<string, string>
	 */
	private static function async_tests() {
		return array(
			'bridge'        => __( 'The Space Inbox bridge answers', 'space-inbox' ),
			'notifications' => __( 'Space Inbox notifications are delivered', 'space-inbox' ),
			'live'          => __( 'Space Inbox live updates', 'space-inbox' ),
			'stream'        => __( 'Space Inbox live streams pass the web server at once', 'space-inbox' ),
		);
	}

	/**
	 * Add the tests (filter `site_status_tests`).
	 *
	 * @param array $tests The tests, `direct` and `async`.
	 * @return array
	 */
	public static function tests( $tests ) {
		$tests['direct']['space_inbox_events'] = array(
			'label' => __( 'Space Inbox events reach the bridge', 'space-inbox' ),
			'test'  => array( __CLASS__, 'test_events' ),
		);
		foreach ( self::async_tests() as $name => $label ) {
			if ( 'stream' === $name && Space_Inbox_Options::proxy_mode() ) {
				continue; // Pages poll through WordPress: no stream to check.
			}
			$tests['async'][ 'space_inbox_' . $name ] = array(
				'label'             => $label,
				'test'              => rest_url( Space_Inbox_REST::NAMESPACE_V1 . self::ROUTE . $name ),
				'has_rest'          => true,
				'async_direct_test' => array( __CLASS__, 'test_' . $name ),
			);
		}
		return $tests;
	}

	/**
	 * Register the asynchronous tests' routes: for those who may see Site Health.
	 *
	 * @return void
	 */
	public static function register_routes() {
		foreach ( array_keys( self::async_tests() ) as $name ) {
			register_rest_route(
				Space_Inbox_REST::NAMESPACE_V1,
				self::ROUTE . $name,
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( __CLASS__, 'test_' . $name ),
					'permission_callback' => static function () {
						return current_user_can( 'view_site_health_checks' );
					},
				)
			);
		}
	}

	/**
	 * The bridge's status: the one kept if it is fresh and of the same bridge, else asked now.
	 *
	 * @return array `array( 'checked_at', 'bridge_url', 'public_url', 'status' => array|null,
	 *               'error' => string, 'body' => array|null, 'stream' => array|null )`, `stream`
	 *               (direct mode only) as Space_Inbox_Stream_Check::time() answers.
	 */
	public static function status() {
		$url    = Space_Inbox_Options::bridge_url();
		$stored = get_option( Space_Inbox_Options::OPTION_HEALTH );
		$public = Space_Inbox_Options::public_url();
		if ( is_array( $stored ) && isset( $stored['checked_at'], $stored['bridge_url'], $stored['public_url'] )
			&& $stored['bridge_url'] === $url && $stored['public_url'] === $public
			&& time() - (int) $stored['checked_at'] < self::FRESH ) {
			return $stored;
		}
		$answer = ( new Space_Inbox_Bridge_Client() )->status();
		$data   = is_wp_error( $answer ) ? $answer->get_error_data() : null;
		$stored = array(
			'checked_at' => time(),
			'bridge_url' => $url,
			'public_url' => $public,
			'stream'     => '' === $public ? null : Space_Inbox_Stream_Check::time( $public ),
			'status'     => is_wp_error( $answer ) ? null : $answer,
			'error'      => is_wp_error( $answer ) ? $answer->get_error_message() : '',
			'body'       => is_array( $data ) && isset( $data['body'] ) && is_array( $data['body'] ) ? $data['body'] : null,
		);
		update_option( Space_Inbox_Options::OPTION_HEALTH, $stored, false );
		return $stored;
	}

	/**
	 * Test: the bridge answers this site's signed calls and its schema is current.
	 *
	 * @return array A Site Health result.
	 */
	public static function test_bridge() {
		$kept   = self::status();
		$status = $kept['status'];
		if ( null === $status ) {
			return self::result(
				'bridge',
				'critical',
				__( 'The Space Inbox bridge does not answer', 'space-inbox' ),
				$kept['error'] . ' ' . __( 'Members cannot send or read Space messages until it does.', 'space-inbox' ),
				$kept
			);
		}
		if ( $status['schema']['current'] !== $status['schema']['head'] ) {
			return self::result(
				'bridge',
				'critical',
				__( 'The Space Inbox bridge’s database schema is behind', 'space-inbox' ),
				sprintf(
					/* translators: 1: the schema revision of the database, 2: the newest one. */
					__( 'The inbox tables are at revision %1$s, the bridge needs %2$s: run `space-inbox migrate`.', 'space-inbox' ),
					null === $status['schema']['current'] ? __( 'none', 'space-inbox' ) : $status['schema']['current'],
					$status['schema']['head']
				),
				$kept
			);
		}
		return self::result(
			'bridge',
			'good',
			__( 'The Space Inbox bridge answers', 'space-inbox' ),
			__( 'The bridge answers this site’s signed calls, and its database schema is current.', 'space-inbox' ),
			$kept
		);
	}

	/**
	 * Test: the notification jobs the bridge queues for WordPress are taken in time.
	 *
	 * @return array A Site Health result.
	 */
	public static function test_notifications() {
		$kept = self::status();
		if ( null === $kept['status'] || null === $kept['status']['outbox'] ) {
			return self::result(
				'notifications',
				'recommended',
				__( 'Space Inbox cannot tell whether notifications are delivered', 'space-inbox' ),
				__( 'The bridge does not answer, or its schema is behind (see its test): notifications of Space messages wait there.', 'space-inbox' ),
				$kept
			);
		}
		$outbox  = $kept['status']['outbox'];
		$oldest  = null === $outbox['oldest_seconds'] ? 0 : (int) $outbox['oldest_seconds'];
		$waiting = sprintf(
			/* translators: 1: number of notifications, 2: how long, e.g. "5 mins". */
			_n( '%1$d notification has waited up to %2$s.', '%1$d notifications have waited up to %2$s.', (int) $outbox['waiting'], 'space-inbox' ),
			(int) $outbox['waiting'],
			human_time_diff( 0, max( 1, $oldest ) )
		);
		if ( null !== $outbox['last_error'] ) {
			$waiting .= ' ' . sprintf(
				/* translators: 1: number of notifications, 2: an error message. */
				__( '%1$d were refused or not answered; the last error: %2$s', 'space-inbox' ),
				(int) $outbox['failing'],
				$outbox['last_error']
			);
		}
		if ( $oldest < self::LATE ) {
			return self::result(
				'notifications',
				'good',
				__( 'Space Inbox notifications are delivered', 'space-inbox' ),
				__( 'No notification of a Space message has waited for WordPress longer than a minute.', 'space-inbox' ),
				$kept
			);
		}
		$late = $oldest < self::STUCK;
		return self::result(
			'notifications',
			$late ? 'recommended' : 'critical',
			$late ? __( 'Space Inbox notifications are late', 'space-inbox' ) : __( 'Space Inbox notifications are not delivered', 'space-inbox' ),
			$waiting . ' ' . __( 'The bridge posts them to this site’s REST route space-inbox/v1/notify: the site must answer it, and at least one bridge process or `space-inbox worker` must run.', 'space-inbox' ),
			$kept
		);
	}

	/**
	 * Test: live updates (Redis), which let open pages hear of new messages at once.
	 *
	 * @return array A Site Health result.
	 */
	public static function test_live() {
		$kept  = self::status();
		$redis = null === $kept['status'] ? '' : $kept['status']['redis'];
		if ( 'ok' === $redis ) {
			return self::result(
				'live',
				'good',
				__( 'Space Inbox live updates are on', 'space-inbox' ),
				__( 'The bridge has Redis: every bridge process hears the others’ changes, and open pages hear of new messages at once (in direct mode, through live streams).', 'space-inbox' ),
				$kept
			);
		}
		return self::result(
			'live',
			'recommended',
			'unreachable' === $redis ? __( 'Redis does not answer the Space Inbox bridge', 'space-inbox' ) : __( 'Space Inbox live updates are off', 'space-inbox' ),
			( 'unreachable' === $redis
				? __( 'The bridge is set up with Redis, but Redis does not answer.', 'space-inbox' )
				: __( 'The bridge has no Redis (SPACE_INBOX_REDIS_URL).', 'space-inbox' ) )
			. ' ' . __( 'Open pages ask for news every few seconds instead of hearing it at once; everything else works.', 'space-inbox' ),
			$kept
		);
	}

	/**
	 * Test: in direct mode, live streams pass the web server at once.
	 *
	 * @return array A Site Health result.
	 */
	public static function test_stream() {
		return Space_Inbox_Stream_Check::test();
	}

	/**
	 * Test (direct): the events WordPress sends the bridge (Spaces, teams, logins) do not wait.
	 *
	 * @return array A Site Health result.
	 */
	public static function test_events() {
		$waiting = Space_Inbox_Queue::queue_length();
		$oldest  = 0 === $waiting ? null : Space_Inbox_Queue::oldest();
		$age     = $oldest ? time() - (int) strtotime( $oldest->created . ' UTC' ) : 0;
		if ( $age < self::LATE ) {
			return self::result(
				'events',
				'good',
				__( 'Space Inbox events reach the bridge', 'space-inbox' ),
				__( 'What the bridge must know of this site (Spaces, their teams, logins) reaches it without waiting.', 'space-inbox' )
			);
		}
		$text = sprintf(
			/* translators: 1: number of events, 2: how long, 3: number of attempts, 4: an error message. */
			_n( '%1$d event has waited %2$s for the bridge (%3$d attempts; last error: %4$s).', '%1$d events have waited up to %2$s for the bridge (%3$d attempts; last error: %4$s).', $waiting, 'space-inbox' ),
			$waiting,
			human_time_diff( 0, $age ),
			(int) $oldest->attempts,
			'' === (string) $oldest->last_error ? __( 'none', 'space-inbox' ) : $oldest->last_error
		);
		return self::result(
			'events',
			$age < self::STUCK ? 'recommended' : 'critical',
			__( 'Space Inbox events wait for the bridge', 'space-inbox' ),
			$text . ' ' . __( 'Until they arrive, new Spaces and team changes do not reach the inboxes.', 'space-inbox' )
		);
	}

	/**
	 * A Site Health result, with a link to the plugin's settings.
	 *
	 * @param string     $name        The test's name, without the plugin's prefix.
	 * @param string     $status      `good`, `recommended` or `critical`.
	 * @param string     $label       What the test found.
	 * @param string     $description Why, and what to do.
	 * @param array|null $kept        The bridge's status it read, if any (when it was asked).
	 * @return array
	 */
	public static function result( $name, $status, $label, $description, $kept = null ) {
		$html = '<p>' . esc_html( $description ) . '</p>';
		if ( null !== $kept ) {
			$html .= '<p>' . esc_html(
				sprintf(
					/* translators: %s: how long ago, e.g. "2 mins". */
					__( 'Asked of the bridge %s ago.', 'space-inbox' ),
					human_time_diff( (int) $kept['checked_at'] )
				)
			) . '</p>';
		}
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'Space Inbox', 'space-inbox' ),
				'color' => 'blue',
			),
			'description' => $html,
			'actions'     => sprintf(
				'<a href="%s">%s</a>',
				esc_url( add_query_arg( 'page', Space_Inbox_Options::SETTINGS_PAGE, admin_url( 'options-general.php' ) ) ),
				esc_html__( 'Space Inbox settings', 'space-inbox' )
			),
			'test'        => 'space_inbox_' . $name,
		);
	}

	/**
	 * The Info tab's "Space Inbox" section (filter `debug_information`).
	 *
	 * @param array $info The sections.
	 * @return array
	 */
	public static function debug_information( $info ) {
		$kept   = self::status();
		$status = $kept['status'];
		$none   = __( 'unknown (see the Space Inbox tests on the Status tab)', 'space-inbox' );
		$fields = array(
			'version'    => array(
				'label' => __( 'Version', 'space-inbox' ),
				'value' => SPACE_INBOX_VERSION,
			),
			'bridge_url' => array(
				'label'   => __( 'Bridge URL', 'space-inbox' ),
				'value'   => Space_Inbox_Options::bridge_url(),
				'private' => true,
			),
			'mode'       => array(
				'label' => __( 'Browsers reach the bridge', 'space-inbox' ),
				'value' => Space_Inbox_Options::proxy_mode()
					? __( 'through WordPress (proxy mode)', 'space-inbox' )
					: sprintf(
						/* translators: %s: the public bridge URL. */
						__( 'directly at %s (direct mode)', 'space-inbox' ),
						Space_Inbox_Options::public_url()
					),
			),
			'schema'     => array(
				'label' => __( 'Schema revision', 'space-inbox' ),
				'value' => null === $status ? $none : sprintf(
					/* translators: 1: the schema revision of the database, 2: the newest one. */
					__( '%1$s (newest: %2$s)', 'space-inbox' ),
					null === $status['schema']['current'] ? __( 'none', 'space-inbox' ) : $status['schema']['current'],
					$status['schema']['head']
				),
				'debug' => null === $status ? $kept['error'] : (string) $status['schema']['current'],
			),
			'redis'      => array(
				'label' => __( 'Redis (live updates)', 'space-inbox' ),
				'value' => null === $status ? $none : $status['redis'],
			),
			'outbox'     => array(
				'label' => __( 'Notifications waiting for WordPress', 'space-inbox' ),
				'value' => null === $status || null === $status['outbox'] ? $none : ( 0 === (int) $status['outbox']['waiting'] ? 0 : sprintf(
					/* translators: 1: number waiting, 2: seconds the oldest has waited, 3: number that failed. */
					__( '%1$d (oldest %2$d s, %3$d failed)', 'space-inbox' ),
					(int) $status['outbox']['waiting'],
					(int) $status['outbox']['oldest_seconds'],
					(int) $status['outbox']['failing']
				) ),
			),
			'events'     => array(
				'label' => __( 'Events waiting for the bridge', 'space-inbox' ),
				'value' => Space_Inbox_Queue::queue_length(),
			),
			'checked'    => array(
				'label' => __( 'Asked of the bridge', 'space-inbox' ),
				'value' => gmdate( 'Y-m-d H:i:s', (int) $kept['checked_at'] ) . ' UTC',
			),
		);
		$info['space-inbox'] = array(
			'label'  => __( 'Space Inbox', 'space-inbox' ),
			'fields' => $fields,
		);
		return $info;
	}
}
