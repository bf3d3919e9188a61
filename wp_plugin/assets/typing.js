/**
 * Space Inbox: the team composer's typing marks, in a team inbox.
 *
 * - `TypingMarks`: the team composer says that its admin is typing an answer
 *   (`POST …/typing`, renewed every few seconds, `false` on send, blur or an empty box);
 * - who else on the team types is shown by typing-watch.js, as the member's inbox shows
 *   that the Space types. A member's inbox never loads this module.
 *
 * @module space-inbox/typing
 */

const [ { config, api } ] = await Promise.all(
	[ 'badge.js' ].map( ( name ) =>
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
		api( this.path, { method: 'POST', body: { typing } } ).catch(
			() => {}
		); // Only a hint.
	}
}
