/**
 * Space Inbox: who on a Space's team is typing an answer, in a team inbox.
 *
 * - `TypingMarks`: the team composer says that its admin is typing an answer
 *   (`POST …/typing`, renewed every few seconds, `false` on send, blur or an empty box);
 * - `TypingWatch`: an open team conversation shows when someone else on the team types
 *   (the live stream's `typing` event, else a poll of `GET …/typing` while the page is
 *   visible). A member's inbox never loads this module.
 *
 * @module space-inbox/typing
 */

const [ { config, api, summary }, { teamConfig } ] = await Promise.all(
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
const TYPING_MS = ( Number( teamConfig.typingSeconds ) || 8 ) * 1000;
/** A typing mark is renewed at most this often while the admin types. */
const MARK_EVERY_MS = 3000;
/** Without the live stream, an open team conversation asks who is typing this often. */
const TYPING_POLL_MS = Math.max( 2000, Number( config.pollMs ) || 4000 );

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

/**
 * Whether someone else on the team is typing in the open team conversation: asked when the
 * live stream says that it changed, else every few seconds while the page is visible.
 */
export class TypingWatch {
	/** @param {function(boolean): void} onChange Called when it starts or stops. */
	constructor( onChange ) {
		this.onChange = onChange;
		this.spaceId = 0;
		this.conversationId = 0;
		this.path = '';
		this.shown = false;
		this.ticket = 0;
		this.timer = 0;
		this.recheck = 0;
		this.stopLive = summary.on( 'typing', ( event ) => {
			if (
				Number( event.space_id ) === this.spaceId &&
				Number( event.conversation_id ) === this.conversationId
			) {
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
	 * @param {number} spaceId
	 * @param {number} conversationId 0: stop watching.
	 */
	watch( spaceId, conversationId ) {
		if (
			spaceId === this.spaceId &&
			conversationId === this.conversationId
		) {
			return;
		}
		this.spaceId = conversationId ? spaceId : 0;
		this.conversationId = conversationId;
		this.path = conversationId
			? `spaces/${ spaceId }/conversations/${ conversationId }/typing`
			: '';
		this.ticket++;
		window.clearInterval( this.timer );
		window.clearTimeout( this.recheck );
		document.removeEventListener( 'visibilitychange', this.onVisible );
		this.show( false );
		if ( ! this.path ) {
			return;
		}
		document.addEventListener( 'visibilitychange', this.onVisible );
		this.timer = window.setInterval( () => {
			if ( ! summary.live && ! document.hidden ) {
				this.check();
			}
		}, TYPING_POLL_MS );
		this.check();
	}

	async check() {
		if ( ! this.path ) {
			return;
		}
		const ticket = this.ticket;
		try {
			const { data } = await api( this.path );
			if ( ticket !== this.ticket ) {
				return;
			}
			const typing = Boolean( data && data.typing );
			this.show( typing );
			window.clearTimeout( this.recheck );
			// A mark that runs out is announced by no event: look again when it would have.
			if ( typing ) {
				this.recheck = window.setTimeout(
					() => this.check(),
					TYPING_MS + 500
				);
			}
		} catch {
			// Only a hint: the next check may do better.
		}
	}

	/** @param {boolean} typing */
	show( typing ) {
		if ( typing === this.shown ) {
			return;
		}
		this.shown = typing;
		this.onChange( typing );
	}

	/** The view is gone. */
	stop() {
		this.watch( 0, 0 );
		this.stopLive();
	}
}
