/**
 * Settings → Space Inbox: checks direct mode from the administrator's own browser.
 *
 * The browser fetches the bridge's summary at the public URL, same-origin with its cookies,
 * exactly as a member's browser will, and says what it found: reachable and verified (200
 * with the bridge's JSON), reachable without the login (401: the cookies do not reach the
 * bridge), not reachable (a network error or any other answer: the web server rule is
 * missing or the bridge is down), or a wrong origin (cookies would never be sent).
 * Runs once when the screen opens, and again on "Test direct mode".
 */
( function () {
	'use strict';

	const settings = window.spaceInboxDirect;
	const result = document.getElementById( 'space-inbox-direct-result' );
	const button = document.getElementById( 'space-inbox-direct-test' );
	if (
		! settings ||
		! result ||
		! button ||
		! settings.summaryUrl ||
		! window.fetch
	) {
		return;
	}
	const sprintf = window.wp.i18n.sprintf;

	/**
	 * One of the screen's messages (its format translated by PHP), placeholders filled.
	 *
	 * @param {string}           key  The message's key in `settings.i18n`.
	 * @param {...string|number} args The values of its placeholders.
	 * @return {string} The message.
	 */
	function say( key, ...args ) {
		const format = settings.i18n[ key ];
		return sprintf( format, ...args );
	}

	const icons = {
		checking: 'update',
		verified: 'yes-alt',
		'no-login': 'warning',
		unreachable: 'dismiss',
		'wrong-origin': 'dismiss',
	};

	function show( state, text ) {
		const icon = document.createElement( 'span' );
		icon.className = 'dashicons dashicons-' + icons[ state ];
		icon.setAttribute( 'aria-hidden', 'true' );
		result.textContent = '';
		result.appendChild( icon );
		result.appendChild( document.createTextNode( ' ' + text ) );
		result.setAttribute( 'data-state', state );
	}

	function originOf( url ) {
		try {
			return new URL( url, window.location.href ).origin;
		} catch {
			return '';
		}
	}

	function isSummary( body ) {
		return (
			!! body &&
			'object' === typeof body &&
			'number' === typeof body.unread
		);
	}

	function check() {
		const url = settings.summaryUrl;
		if ( originOf( url ) !== window.location.origin ) {
			show(
				'wrong-origin',
				say(
					'wrongOrigin',
					settings.publicUrl,
					window.location.origin,
					settings.example
				)
			);
			return Promise.resolve();
		}
		button.disabled = true;
		show( 'checking', say( 'checking', url ) );
		return window
			.fetch( url, {
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { Accept: 'application/json' },
			} )
			.then( function ( response ) {
				if ( 401 === response.status ) {
					show( 'no-login', say( 'noLogin', url ) );
					return;
				}
				if ( 200 !== response.status ) {
					const what = response.status
						? say( 'status', response.status )
						: settings.i18n.network;
					show( 'unreachable', say( 'unreachable', what, url ) );
					return;
				}
				return response
					.json()
					.catch( function () {
						return null;
					} )
					.then( function ( body ) {
						if ( isSummary( body ) ) {
							show( 'verified', say( 'verified', url ) );
							return liveState();
						}
						show(
							'unreachable',
							say( 'unreachable', settings.i18n.notBridge, url )
						);
					} );
			} )
			.catch( function () {
				show(
					'unreachable',
					say( 'unreachable', settings.i18n.network, url )
				);
			} )
			.then( function () {
				button.disabled = false;
			} );
	}

	/**
	 * Say whether the bridge serves live updates (its /health says so), after the result.
	 *
	 * @return {Promise<void>} Settled once said (or not, when /health does not answer).
	 */
	function liveState() {
		if ( ! settings.healthUrl ) {
			return Promise.resolve();
		}
		return window
			.fetch( settings.healthUrl, {
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { Accept: 'application/json' },
			} )
			.then( function ( response ) {
				return response.json();
			} )
			.then( function ( body ) {
				if ( body && 'boolean' === typeof body.live ) {
					const line = document.createElement( 'span' );
					line.className = 'space-inbox-direct-live';
					line.setAttribute( 'data-live', body.live ? 'on' : 'off' );
					line.textContent =
						' ' +
						( body.live
							? settings.i18n.liveOn
							: settings.i18n.liveOff );
					result.appendChild( line );
				}
			} )
			.catch( function () {} );
	}

	button.addEventListener( 'click', check );
	check();
} )();
