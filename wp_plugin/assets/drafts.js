/**
 * Space Inbox: what the user wrote and has not sent yet, kept in the browser's storage
 * (localStorage) per user and conversation, so that a reload, a crash, going offline or
 * logging in again loses nothing: the draft in the reply box, and the messages on their
 * way with their client key (sending one again never stores it twice: the bridge takes a
 * client key once).
 *
 * Entries are the user's own (their id is in the key) and go once sent; an entry untouched
 * for a month is dropped. Where the browser keeps nothing (storage off or full), they live
 * as long as the page.
 *
 * @module space-inbox/drafts
 */

const { config } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

const PREFIX = 'space-inbox:';
const MONTH_MS = 30 * 24 * 3600 * 1000;
/** What a kept message holds: the rest of its record is drawn again. */
const KEPT = [
	'key',
	'client_key',
	'from',
	'body',
	'created_at',
	'seen_id',
	'note',
];

/** @type {Map<string, string>} Where the browser's storage is not to be had. */
const memory = new Map();

/** @return {Storage|null} The browser's storage, if it can be used. */
function storage() {
	try {
		const store = window.localStorage;
		store.setItem( `${ PREFIX }probe`, '1' );
		store.removeItem( `${ PREFIX }probe` );
		return store;
	} catch {
		return null;
	}
}

const store = storage();

/**
 * @param {string} key
 * @return {string|null} The stored text.
 */
function getItem( key ) {
	return store ? store.getItem( key ) : memory.get( key ) ?? null;
}

/**
 * @param {string}      key
 * @param {string|null} value null: remove.
 */
function setItem( key, value ) {
	try {
		if ( value === null ) {
			store?.removeItem( key );
			memory.delete( key );
		} else if ( store ) {
			store.setItem( key, value );
		} else {
			memory.set( key, value );
		}
	} catch {
		memory.set( key, value ); // Full: kept for the page's life.
	}
}

/** Drop this user's entries untouched for a month. */
function dropStale() {
	if ( ! store ) {
		return;
	}
	const now = Date.now();
	for ( let i = store.length - 1; i >= 0; i-- ) {
		const key = store.key( i );
		if ( ! key || ! key.startsWith( PREFIX ) ) {
			continue;
		}
		try {
			const entry = JSON.parse( store.getItem( key ) );
			if ( ! entry || now - Number( entry.at ) > MONTH_MS ) {
				store.removeItem( key );
			}
		} catch {
			store.removeItem( key );
		}
	}
}
dropStale();

/**
 * One audience's drafts and unsent messages, by conversation key.
 */
export class Drafts {
	/** @param {string} side Whose: "me" (a member's), "space" (a team's answers). */
	constructor( side ) {
		this.base = `${ PREFIX }${ Number( config.userId ) || 0 }:${ side }:`;
	}

	/**
	 * @param {string|number} key A conversation's key.
	 * @return {{draft: string, outbox: Array<Object>}} What is kept for it.
	 */
	read( key ) {
		try {
			const entry = JSON.parse( getItem( this.base + key ) );
			if ( entry && typeof entry === 'object' ) {
				return {
					draft: String( entry.draft || '' ),
					outbox: Array.isArray( entry.outbox ) ? entry.outbox : [],
				};
			}
		} catch {}
		return { draft: '', outbox: [] };
	}

	/**
	 * @param {string|number}                          key
	 * @param {{draft: string, outbox: Array<Object>}} entry
	 */
	write( key, entry ) {
		const empty = ! entry.draft && ! entry.outbox.length;
		setItem(
			this.base + key,
			empty ? null : JSON.stringify( { ...entry, at: Date.now() } )
		);
	}

	/**
	 * @param {string|number} key
	 * @return {string} The draft of a conversation.
	 */
	draft( key ) {
		return this.read( key ).draft;
	}

	/**
	 * @param {string|number} key
	 * @param {string}        text The reply box's text ('' for none).
	 */
	setDraft( key, text ) {
		const entry = this.read( key );
		if ( entry.draft !== text ) {
			this.write( key, { ...entry, draft: text } );
		}
	}

	/**
	 * @param {string|number} key
	 * @return {Array<Object>} The messages on their way, oldest first.
	 */
	outbox( key ) {
		return this.read( key ).outbox;
	}

	/**
	 * Keep a message on its way until it is sent.
	 *
	 * @param {string|number} key
	 * @param {Object}        message Its record (with its client key).
	 */
	keep( key, message ) {
		const entry = this.read( key );
		const kept = Object.fromEntries(
			KEPT.filter( ( name ) => message[ name ] !== undefined ).map(
				( name ) => [ name, message[ name ] ]
			)
		);
		entry.outbox = entry.outbox
			.filter( ( m ) => m.client_key !== message.client_key )
			.concat( [ kept ] );
		this.write( key, entry );
	}

	/**
	 * A message was sent, or refused for good.
	 *
	 * @param {string|number} key
	 * @param {string}        clientKey
	 */
	drop( key, clientKey ) {
		const entry = this.read( key );
		entry.outbox = entry.outbox.filter(
			( m ) => m.client_key !== clientKey
		);
		this.write( key, entry );
	}
}
