/**
 * Space Inbox: the badge script, on every page a logged-in user sees.
 *
 * It follows the summary, fills every `[data-space-inbox-count]` badge, and adds the
 * "Space inbox" link to the BuddyBoss Theme's header dropdowns. It is also the core the
 * inboxes build on (conversation.js, member-inbox.js, team-inbox.js): the API client, the
 * summary and its live events, and the small DOM helpers.
 *
 * The summary comes pushed when the bridge offers a live stream (`streamUrl`, direct mode:
 * Server-Sent Events with `summary`, `conversation`, `team`, `typing`, `logout` and `replaced`
 * events); while there is none (no Redis, a network that blocks streams, proxy mode, more
 * of the user's pages than the bridge streams to) it polls
 * `GET me/summary` (with If-None-Match) while the page is visible.
 *
 * Configuration, set by PHP before this module runs: `window.spaceInboxConfig` =
 * `{ apiBase, mode, nonce, inboxUrl, locale, maxLength, pollMs, streamUrl }` (a Space team's
 * pages also get `window.spaceInboxTeamConfig`, read by team-common.js).
 * apiBase ends in "/" and the API path is appended to it (".../api/v1/" in direct mode, the
 * fast proxy in proxy mode). Strings are translated with WordPress' `wp.i18n`.
 *
 * Every piece of user text is written with textContent (through `h()`), never as HTML.
 *
 * @module space-inbox/badge
 */

const { __, _n, sprintf } = window.wp.i18n;

export const config = window.spaceInboxConfig || {};
const POLL_MS = Math.max( 2000, Number( config.pollMs ) || 4000 );
const MAX_BACKOFF_MS = 60000;
// A stream the bridge refused (no live updates there) is asked for again this much later.
const STREAM_RETRY_MS = 120000;
// A person acting on an inbox has the summary asked again unless it was asked this recently.
const FRESH_MS = 1000;

// -- small helpers -----------------------------------------------------------------------

let numberFormat;
try {
	numberFormat = new Intl.NumberFormat( config.locale || undefined );
} catch {
	numberFormat = new Intl.NumberFormat();
}

/**
 * @param {number} n
 * @return {string} A number in the user's locale.
 */
export const num = ( n ) => numberFormat.format( n );

/**
 * Parse the API's ISO 8601 time (microseconds are cut to milliseconds for every engine).
 *
 * @param {string} iso
 * @return {Date|null} The time, or null for none or an unreadable one.
 */
export function parseTime( iso ) {
	if ( ! iso ) {
		return null;
	}
	const when = new Date( String( iso ).replace( /(\.\d{3})\d+/, '$1' ) );
	return Number.isNaN( when.getTime() ) ? null : when;
}

/**
 * Create an element. Strings among the children become text nodes, never markup.
 *
 * @param {string}                            tag
 * @param {Object}                            [props]  class, text, on<event>, or attributes (true = present, null/false = absent).
 * @param {...(Node|string|null|false|Array)} children
 * @return {HTMLElement} The element.
 */
export function h( tag, props = {}, ...children ) {
	const node = document.createElement( tag );
	for ( const [ key, value ] of Object.entries( props ) ) {
		if ( value === null || value === undefined || value === false ) {
			continue;
		}
		if ( key === 'class' ) {
			node.className = value;
		} else if ( key === 'text' ) {
			node.textContent = value;
		} else if ( key.startsWith( 'on' ) && typeof value === 'function' ) {
			node.addEventListener( key.slice( 2 ), value );
		} else {
			node.setAttribute( key, value === true ? '' : String( value ) );
		}
	}
	for ( const child of children.flat() ) {
		if ( child !== null && child !== undefined && child !== false ) {
			node.append( child );
		}
	}
	return node;
}

/**
 * A count badge: the number for the eye, "N unread" for screen readers; hidden at 0.
 *
 * @param {HTMLElement} badge
 * @param {number}      count
 */
export function setBadge( badge, count ) {
	badge.hidden = ! ( count > 0 );
	badge.classList.toggle( 'is-empty', ! ( count > 0 ) );
	badge.replaceChildren(
		h( 'span', {
			'aria-hidden': 'true',
			text: count > 0 ? num( count ) : '',
		} ),
		h( 'span', {
			class: 'space-inbox-sr',
			text:
				count > 0
					? ` ${ sprintf(
							/* translators: %s: number of unread messages. */
							_n(
								/* translators: %s: number of unread messages. */
								'%s unread message',
								'%s unread messages',
								count,
								'space-inbox'
							),
							num( count )
					  ) }`
					: '',
		} )
	);
}

// -- the API (api.js, one instance for the page) ------------------------------------------

export const { api, ApiError } = await import(
	new URL( `api.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

// -- the summary poll: badges, and freshness of open inboxes -------------------------------

/**
 * The site's tabs in this browser: one that logs out tells the others (and so does the
 * page WordPress shows after a logout, see Space_Inbox_Session_Signal).
 */
const tabs = window.BroadcastChannel
	? new window.BroadcastChannel( 'space-inbox' )
	: null;
const LOGGED_OUT = 'logged-out';

/**
 * The summary: pushed by the live stream while it is open; otherwise polled (GET me/summary
 * with If-None-Match) every few seconds while the page is visible, and at once when it comes
 * back into view. Updates every badge and tells subscribers; passes the stream's other
 * events on to their handlers.
 */
export const summary = {
	/** @type {Object|null} The last summary. */
	data: null,
	etag: null,
	failures: 0,
	/** When the summary was last asked for (ms since the epoch). */
	askedAt: 0,
	stopped: false,
	started: false,
	timer: 0,
	/** @type {Promise|null} */
	inflight: null,
	/** @type {Set<function(Object): void>} */
	listeners: new Set(),
	/** @type {EventSource|null} The live stream, once asked for. */
	stream: null,
	/** Whether the stream is open: then nothing is polled. */
	live: false,
	streamTimer: 0,
	/** @type {Map<string, Set<function(Object): void>>} */
	handlers: new Map(),
	/**
	 * What the page knows of its session and connection: "ok", "offline", "unreachable" (the
	 * bridge does not answer), "logged_out" (here or in another tab, or the session ended)
	 * or "expired" (the page's nonce died).
	 */
	state: 'ok',
	/** @type {Set<function(string): void>} */
	stateListeners: new Set(),

	/**
	 * @param {function(Object): void} listener Called with each new summary.
	 * @return {function(): void} Stops calling it.
	 */
	subscribe( listener ) {
		this.listeners.add( listener );
		return () => this.listeners.delete( listener );
	},

	/**
	 * Handle a live event: "conversation" ({space_id}: the user's own conversation with that
	 * Space changed), "team" ({space_id, conversation_id}: a conversation in a team inbox) or
	 * "typing" ({space_id, conversation_id}: someone else on that team started or stopped
	 * typing an answer there).
	 *
	 * @param {string}                 name
	 * @param {function(Object): void} handler
	 * @return {function(): void} Stops calling it.
	 */
	on( name, handler ) {
		if ( ! this.handlers.has( name ) ) {
			this.handlers.set( name, new Set() );
		}
		this.handlers.get( name ).add( handler );
		return () => this.handlers.get( name ).delete( handler );
	},

	/** @param {Object} data A summary, from the poll or the stream. */
	accept( data ) {
		this.data = data;
		updateBadges( data );
		for ( const listener of this.listeners ) {
			listener( data );
		}
	},

	/**
	 * @param {function(string): void} listener Called with each new state.
	 * @return {function(): void} Stops calling it.
	 */
	onState( listener ) {
		this.stateListeners.add( listener );
		return () => this.stateListeners.delete( listener );
	},

	/** @param {string} state The session's and connection's state now. */
	setState( state ) {
		if ( state !== this.state && ! this.stopped ) {
			this.state = state;
			for ( const listener of this.stateListeners ) {
				listener( state );
			}
		}
	},

	/**
	 * Take what a failed call says of the session and the connection.
	 *
	 * @param {*} error
	 */
	heard( error ) {
		if ( ! ( error instanceof ApiError ) ) {
			return;
		}
		if (
			error.code === 'invalid_nonce' ||
			error.code === 'rest_cookie_invalid_nonce'
		) {
			this.stop( 'expired' );
		} else if ( error.status === 401 || error.code === 'not_logged_in' ) {
			this.stop( 'logged_out' );
		} else if ( error.transient && error.status !== 429 ) {
			this.setState(
				window.navigator.onLine === false ? 'offline' : 'unreachable'
			);
		}
	},

	/**
	 * Logged out, or the page's nonce died: stop knocking, and say so (other tabs of the site
	 * are told to check theirs).
	 *
	 * @param {string} [state] "logged_out" or "expired".
	 */
	stop( state = 'logged_out' ) {
		if ( this.stopped ) {
			return;
		}
		this.setState( state );
		if ( state === 'logged_out' ) {
			tabs?.postMessage( LOGGED_OUT );
		}
		this.stopped = true;
		this.live = false;
		window.clearTimeout( this.timer );
		window.clearTimeout( this.streamTimer );
		if ( this.stream ) {
			this.stream.close();
		}
		updateBadges( null );
	},

	/** Open the live stream, if the bridge offers one; polling goes on until it is open. */
	connect() {
		if ( ! config.streamUrl || ! window.EventSource || this.stopped ) {
			return;
		}
		const source = new EventSource( config.streamUrl, {
			withCredentials: true,
		} );
		this.stream = source;
		const read = ( event ) => {
			try {
				return JSON.parse( event.data );
			} catch {
				return null;
			}
		};
		source.addEventListener( 'summary', ( event ) => {
			const data = read( event );
			if ( ! data ) {
				return;
			}
			this.live = true;
			this.failures = 0;
			this.setState( 'ok' );
			window.clearTimeout( this.timer );
			this.accept( data );
		} );
		for ( const name of [ 'conversation', 'team', 'typing' ] ) {
			source.addEventListener( name, ( event ) => {
				const data = read( event );
				for ( const handler of this.handlers.get( name ) || [] ) {
					if ( data ) {
						handler( data );
					}
				}
			} );
		}
		source.addEventListener( 'logout', () => this.stop() );
		// Newer pages of this user took the streams the bridge gives one user: poll, and ask
		// for a stream again later.
		source.addEventListener( 'replaced', () => {
			source.close();
			this.stream = null;
			this.live = false;
			this.schedule( 0 );
			window.clearTimeout( this.streamTimer );
			this.streamTimer = window.setTimeout(
				() => this.connect(),
				STREAM_RETRY_MS
			);
		} );
		source.addEventListener( 'error', () => {
			// The browser reconnects by itself unless the bridge refused the stream; poll meanwhile.
			this.live = false;
			if ( ! this.stopped ) {
				this.schedule( POLL_MS );
			}
			if (
				source.readyState === window.EventSource.CLOSED &&
				! this.stopped
			) {
				this.stream = null;
				window.clearTimeout( this.streamTimer );
				this.streamTimer = window.setTimeout(
					() => this.connect(),
					STREAM_RETRY_MS
				);
			}
		} );
	},

	/**
	 * @return {Promise<Object|null>} The summary, fetched now (or the fetch under way); while
	 *   the live stream is open, the last one it pushed (it pushes every change).
	 */
	poll() {
		if ( this.stopped || this.live ) {
			return Promise.resolve( this.data );
		}
		if ( ! this.inflight ) {
			this.inflight = this.fetch().finally( () => {
				this.inflight = null;
			} );
		}
		return this.inflight;
	},

	async fetch() {
		let delay = POLL_MS;
		this.askedAt = Date.now();
		try {
			const { status, data, etag } = await api( 'me/summary', {
				etag: this.etag,
			} );
			this.failures = 0;
			this.setState( 'ok' );
			if ( status === 200 && data ) {
				this.etag = etag;
				this.accept( data );
			}
		} catch ( error ) {
			this.heard( error );
			if (
				error instanceof ApiError &&
				( error.status === 401 || error.status === 403 )
			) {
				this.stop( 'expired' ); // Unless heard() said logged out already.
			} else {
				// The bridge is down or busy: back off, and honour Retry-After.
				this.failures += 1;
				delay = Math.min(
					MAX_BACKOFF_MS,
					POLL_MS * 2 ** this.failures
				);
				delay = Math.max(
					delay,
					( ( error && error.retryAfter ) || 0 ) * 1000
				);
			}
		}
		this.schedule( delay );
		return this.data;
	},

	/** Ask the bridge now, even while the stream is open (it says nothing of a logout). */
	check() {
		if ( ! this.stopped ) {
			this.failures = 0;
			this.fetch();
		}
	},

	/**
	 * The person acts on an inbox (a key, a click, a focus): without the stream, ask now
	 * unless asked within the last second, so that a session ended on another device says so
	 * within a second of their acting there, not at the next poll. Not while the bridge is
	 * backed off from (down, busy or asking for time): its next poll is already set.
	 */
	freshen() {
		if (
			! this.live &&
			! this.failures &&
			Date.now() - this.askedAt >= FRESH_MS
		) {
			this.poll();
		}
	},

	/** @param {number} delay Milliseconds until the next poll. */
	schedule( delay ) {
		window.clearTimeout( this.timer );
		if ( ! this.stopped && ! this.live ) {
			this.timer = window.setTimeout( () => {
				if ( document.hidden ) {
					this.schedule( POLL_MS );
				} else {
					this.poll();
				}
			}, delay );
		}
	},

	/** Start polling (once per page). @returns {Promise<Object|null>} The first summary. */
	start() {
		if ( this.started ) {
			return this.poll();
		}
		this.started = true;
		const now = () => {
			if ( ! document.hidden ) {
				this.poll();
			}
		};
		document.addEventListener( 'visibilitychange', now );
		window.addEventListener( 'focus', now );
		window.addEventListener( 'offline', () => this.setState( 'offline' ) );
		window.addEventListener( 'online', () => this.check() );
		// Another tab of the site logged out (or found its session ended): check this one.
		tabs?.addEventListener( 'message', ( event ) => {
			if ( event.data === LOGGED_OUT ) {
				this.check();
			}
		} );
		this.connect();
		return this.poll();
	},
};

/**
 * The unread counts of a summary: "member" (the user's own conversations), "spaces" (the
 * Spaces they answer for), "total", and "space-<id>" for each of their Spaces.
 *
 * @param {Object|null} data
 * @return {Object<string, number>} The counts, by key.
 */
export function counts( data ) {
	const member = data ? Number( data.unread ) || 0 : 0;
	const result = { member, spaces: 0 };
	for ( const space of data && Array.isArray( data.spaces )
		? data.spaces
		: [] ) {
		const unread = Number( space.unread ) || 0;
		result[ `space-${ Number( space.id ) }` ] = unread;
		result.spaces += unread;
	}
	result.total = member + result.spaces;
	return result;
}

/**
 * Fill every `[data-space-inbox-count]` badge.
 *
 * @param {Object|null} data A summary, or null to hide them.
 */
function updateBadges( data ) {
	const known = counts( data );
	for ( const badge of document.querySelectorAll(
		'[data-space-inbox-count]'
	) ) {
		setBadge( badge, known[ badge.dataset.spaceInboxCount ] || 0 );
	}
}

/**
 * The BuddyBoss header's messages and notifications dropdowns: a "Space inbox" link with its
 * count beside "View Inbox" / "View Notifications" (the BuddyBoss Theme's dropdown footer)
 * or "View all" (BuddyBoss Platform's ReadyLaunch header, which has no footer). Both lists
 * are refilled by AJAX; these parts of the dropdowns are not, so the link stays.
 */
function addHeaderLinks() {
	if ( ! config.inboxUrl ) {
		return;
	}
	for ( const id of [
		'header-messages-dropdown-elem',
		'header-notifications-dropdown-elem',
	] ) {
		const dropdown = document.getElementById( id );
		if (
			! dropdown ||
			dropdown.querySelector( '.space-inbox-dropdown-link' )
		) {
			continue;
		}
		const footer = dropdown.querySelector( '.notification-footer' );
		const viewAll = dropdown.querySelector(
			'.notification-header .delete-all, .notification-header .message-view-all-link'
		);
		if ( ! footer && ! viewAll ) {
			continue;
		}
		const link = h(
			'a',
			{ class: 'space-inbox-dropdown-link', href: config.inboxUrl },
			__( 'Space inbox', 'space-inbox' ),
			h( 'span', {
				class: 'space-inbox-badge',
				'data-space-inbox-count': 'total',
				hidden: true,
			} )
		);
		if ( footer ) {
			footer.append( link );
		} else {
			viewAll.before( link );
		}
	}
}

/** Add the header links, and poll when the page shows a count. */
function main() {
	if ( ! config.apiBase ) {
		return;
	} // Logged out: PHP hands no configuration.
	addHeaderLinks();
	if (
		document.querySelector( '[data-space-inbox-count], [data-space-inbox]' )
	) {
		summary.start();
	}
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', main );
} else {
	main();
}
