/**
 * Space Inbox: whether the other side is typing in the open conversation. A Space's team
 * sees who of them is answering ("Giulia is replying…"); a member sees that the Space is
 * typing, never who (the member's API has no name to give).
 *
 * It asks the bridge (`GET …/typing`) when the live stream says that typing started or
 * stopped there, else every few seconds while the page is visible, and once more when a
 * mark would have run out (that is announced by no event).
 *
 * @module space-inbox/typing-watch
 */

const { config, api, summary } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/** How long a typing mark lasts on the bridge (Space_Inbox_Limits::TYPING_SECONDS). */
const MARK_MS = ( Number( config.typingSeconds ) || 8 ) * 1000;
/** Without the live stream, an open conversation asks this often. */
const POLL_MS = Math.max( 2000, Number( config.pollMs ) || 4000 );

/**
 * Who is typing in one conversation, followed while it is open.
 */
export class TypingWatch {
	/**
	 * @param {function(Object|null): void} onChange   Called with the bridge's answer
	 *                                                 (`{typing, …}`) when it changes, or null
	 *                                                 when nothing is watched.
	 * @param {function(Object): void}      [onNewest] Called with every answer: it names the
	 *                                                 conversation's newest records.
	 */
	constructor( onChange, onNewest = () => {} ) {
		this.onChange = onChange;
		this.onNewest = onNewest;
		this.path = '';
		this.matches = () => false;
		this.shown = '';
		this.ticket = 0;
		this.timer = 0;
		this.recheck = 0;
		this.stopLive = summary.on( 'typing', ( event ) => {
			if ( this.path && this.matches( event ) ) {
				this.check();
			}
		} );
		this.onVisible = () => {
			if ( ! document.hidden ) {
				this.check();
			}
		};
	}

	/**
	 * Watch a conversation, or nothing.
	 *
	 * @param {string}                    path    Its typing path ('' to stop watching).
	 * @param {function(Object): boolean} matches Whether a live `typing` event is about it.
	 */
	watch( path, matches = () => false ) {
		if ( path === this.path ) {
			return;
		}
		this.path = path;
		this.matches = matches;
		this.ticket++;
		window.clearInterval( this.timer );
		window.clearTimeout( this.recheck );
		document.removeEventListener( 'visibilitychange', this.onVisible );
		this.show( null );
		if ( ! path ) {
			return;
		}
		document.addEventListener( 'visibilitychange', this.onVisible );
		this.timer = window.setInterval( () => {
			if ( ! summary.live && ! document.hidden ) {
				this.check();
			}
		}, POLL_MS );
		this.check();
	}

	async check() {
		if ( ! this.path || summary.stopped ) {
			return;
		}
		const ticket = this.ticket;
		try {
			const { data } = await api( this.path );
			if ( ticket !== this.ticket ) {
				return;
			}
			const typing = Boolean( data && data.typing );
			this.show( data || null );
			if ( data ) {
				this.onNewest( data );
			}
			window.clearTimeout( this.recheck );
			if ( typing ) {
				this.recheck = window.setTimeout(
					() => this.check(),
					MARK_MS + 500
				);
			}
		} catch {
			// Only a hint: the next check may do better.
		}
	}

	/** @param {Object|null} data Who is typing, or null for nobody. */
	show( data ) {
		const said = data ? JSON.stringify( data ) : '';
		if ( said === this.shown ) {
			return;
		}
		this.shown = said;
		this.onChange( data );
	}

	/** The view is gone. */
	stop() {
		this.watch( '' );
		this.stopLive();
	}
}
