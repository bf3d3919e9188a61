/**
 * Space Inbox: the team composer's typing marks, in a team inbox.
 *
 * - `TypingMarks`: the team composer says that its admin is typing an answer
 *   (`POST …/typing`, renewed every few seconds, `false` on send, blur or an empty box);
 * - `PresenceMarks`: the team's page says that its admin has a conversation open
 *   (`POST …/viewing`) and the Space's inbox (`POST …/here`), renewed while the page is
 *   seen, `false` when they leave it;
 * - who else on the team types is shown by typing-watch.js, as the member's inbox shows
 *   that the Space types. A member's inbox never loads this module.
 *
 * @module space-inbox/typing
 */

const [ { config, api }, { teamConfig } ] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** How long a typing mark lasts on the bridge (Space_Inbox_Limits::TYPING_SECONDS). */
const TYPING_MS = ( Number( config.typingSeconds ) || 8 ) * 1000;
/** A typing mark is renewed at most this often while the admin types. */
const MARK_EVERY_MS = 3000;

/** The marks sent so far, in order: one is sent when the one before is answered. */
let marks = Promise.resolve();

/**
 * Send a mark after those sent before it, so that the bridge takes them in the order they
 * were made (a mark taken back on leaving a conversation cannot overtake the claim made on
 * coming back to it). Only a hint: a failure is not reported.
 *
 * @param {string}  path
 * @param {Object}  body
 * @param {boolean} [closing] The page is going: sent at once, and kept alive.
 */
function mark( path, body, closing = false ) {
	const send = () =>
		api( path, { method: 'POST', body, keepalive: closing } ).catch(
			() => {}
		);
	if ( closing ) {
		send();
		return;
	}
	marks = marks.then( send );
}

/**
 * The admin's own typing marks, for the conversation in the team composer.
 */
export class TypingMarks {
	constructor() {
		/** API path of the conversation's typing mark, '' for none. */
		this.path = '';
		/** When the last "typing" was sent (0: none is standing). */
		this.since = 0;
	}

	/** @param {string} path The typing path of the conversation now in the composer ('' for none). */
	follow( path ) {
		if ( path === this.path ) {
			return;
		}
		this.stop();
		this.path = path;
	}

	/** @param {string} text What the composer holds after the admin changed it. */
	typed( text ) {
		if ( ! this.path ) {
			return;
		}
		if ( ! text.trim() ) {
			this.stop();
			return;
		}
		if ( Date.now() - this.since < MARK_EVERY_MS ) {
			return;
		}
		this.since = Date.now();
		this.post( true );
	}

	/** Sent, left the box or emptied it: the mark goes (if it is still standing). */
	stop() {
		if ( this.path && this.since && Date.now() - this.since < TYPING_MS ) {
			this.post( false );
		}
		this.since = 0;
	}

	/** @param {boolean} typing */
	post( typing ) {
		mark( this.path, { typing } );
	}
}

/**
 * The admin's own presence marks: a conversation their page shows (`…/viewing`, for
 * VIEWING_SECONDS), or the Space whose inbox it shows (`…/here`, for HERE_SECONDS). A mark
 * is renewed every third of its life while the page is seen, and taken back when the page
 * follows another or none, and as it closes.
 */
export class PresenceMarks {
	/**
	 * @param {string} field   The body's field: "viewing" or "here".
	 * @param {number} lastsMs How long a mark lasts on the bridge.
	 */
	constructor( field, lastsMs ) {
		this.field = field;
		this.lastsMs = lastsMs;
		/** API path of the mark, '' for none. */
		this.path = '';
		this.timer = 0;
		this.onVisible = () => {
			if ( ! document.hidden ) {
				this.post( this.path, true );
			}
		};
		// Closed or left: the rest of the team is told at once (an answering claim goes too).
		this.onLeave = () => this.post( this.path, false, true );
		document.addEventListener( 'visibilitychange', this.onVisible );
		window.addEventListener( 'pagehide', this.onLeave );
	}

	/** @param {string} path The mark's path now ('' for none). */
	follow( path ) {
		if ( path === this.path ) {
			return;
		}
		window.clearInterval( this.timer );
		if ( this.path ) {
			this.post( this.path, false );
		}
		this.path = path;
		if ( ! path ) {
			return;
		}
		this.post( path, true );
		this.timer = window.setInterval( () => {
			if ( ! document.hidden ) {
				this.post( this.path, true );
			}
		}, this.lastsMs / 3 );
	}

	/** The view is gone. */
	stop() {
		this.follow( '' );
		document.removeEventListener( 'visibilitychange', this.onVisible );
		window.removeEventListener( 'pagehide', this.onLeave );
	}

	/**
	 * @param {string}  path
	 * @param {boolean} on
	 * @param {boolean} [closing] The page is going.
	 */
	post( path, on, closing = false ) {
		if ( path ) {
			mark( path, { [ this.field ]: on }, closing ); // It runs out by itself anyway.
		}
	}
}

/** @return {PresenceMarks} The marks of the conversation a page shows. */
export const viewingMarks = () =>
	new PresenceMarks(
		'viewing',
		( Number( teamConfig.viewingSeconds ) || 45 ) * 1000
	);

/** @return {PresenceMarks} The marks of the Space whose inbox a page shows. */
export const hereMarks = () =>
	new PresenceMarks(
		'here',
		( Number( teamConfig.hereSeconds ) || 120 ) * 1000
	);
