/**
 * Space Inbox: sending from the open conversation, with nothing lost. A message shows at
 * once as "Sending…", is kept in the browser's storage with its client key (drafts.js)
 * until the bridge has it, and is sent again by itself when the connection comes back or
 * the conversation is opened again after a reload: the client key makes the bridge store
 * it once, however often it arrives.
 *
 * @module space-inbox/sending
 */

const { __ } = window.wp.i18n;
const [ { ApiError, summary }, { Drafts } ] = await Promise.all(
	[ 'badge.js', 'drafts.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** @return {string} A UUID v4, also where crypto.randomUUID is missing (plain http). */
export function newClientKey() {
	if ( window.crypto && typeof window.crypto.randomUUID === 'function' ) {
		return window.crypto.randomUUID();
	}
	const bytes = window.crypto.getRandomValues( new Uint8Array( 16 ) );
	// Version 4 (the high four bits of byte 6: 0100) and the variant (byte 8's high two: 10).
	bytes[ 6 ] = ( bytes[ 6 ] % 0x10 ) + 0x40;
	bytes[ 8 ] = ( bytes[ 8 ] % 0x40 ) + 0x80;
	const hex = Array.from( bytes, ( b ) =>
		b.toString( 16 ).padStart( 2, '0' )
	).join( '' );
	return `${ hex.slice( 0, 8 ) }-${ hex.slice( 8, 12 ) }-${ hex.slice(
		12,
		16
	) }-${ hex.slice( 16, 20 ) }-${ hex.slice( 20 ) }`;
}

/**
 * The sending side of a conversation view (conversation.js): its reply box's drafts and its
 * messages on their way.
 */
export class Sending {
	/** @param {Object} view The conversation view it sends for. */
	constructor( view ) {
		this.view = view;
		this.kept = new Drafts( view.side );
		// Back online, or the bridge answers again: what waits goes.
		this.stopState = summary.onState( ( state ) => {
			if ( state === 'ok' ) {
				this.retryWaiting();
			}
		} );
	}

	/** The view is gone. */
	stop() {
		this.stopState();
	}

	/**
	 * @param {string|number} key A conversation's key.
	 * @return {string} Its draft.
	 */
	draft( key ) {
		return this.kept.draft( key );
	}

	/**
	 * @param {string|number} key
	 * @param {string}        text The reply box's text.
	 */
	setDraft( key, text ) {
		this.kept.setDraft( key, text );
	}

	/**
	 * A conversation opens: its messages still on their way (kept from before a reload or a
	 * login) go again. Each shows once the bridge answers: as sent, or as waiting when it
	 * cannot be had (the bridge may have stored it already, and then lists it: it would
	 * show twice meanwhile).
	 *
	 * @param {Object} c The conversation just opened.
	 */
	restore( c ) {
		for ( const kept of this.kept.outbox( c.key ) ) {
			this.view.dispatch( {
				...kept,
				pending: 'sending',
				restored: true,
			} );
		}
	}

	/** Send what the reply box holds. */
	async send() {
		const view = this.view;
		const c = view.current;
		if ( ! c || view.compose.hidden || view.locked ) {
			return;
		}
		const problem = view.composer.problem();
		if ( problem ) {
			view.composer.say( problem, 'error' );
			view.textarea.focus();
			return;
		}
		const clientKey = newClientKey();
		const message = {
			key: `k${ clientKey }`,
			client_key: clientKey,
			from: view.side,
			body: view.textarea.value.trim(),
			created_at: new Date().toISOString(),
			pending: 'sending',
		};
		view.prepare( message );
		await this.queue( message );
	}

	/**
	 * Show a message as on its way, empty the box, keep it and send it.
	 *
	 * @param {Object} message A pending message record.
	 */
	async queue( message ) {
		const view = this.view;
		const c = view.current;
		c.messages.set( message.key, message );
		this.kept.keep( c.key, message );
		view.textarea.value = '';
		this.kept.setDraft( c.key, '' );
		view.composer.say( '' );
		view.updateCounter();
		view.composerCleared();
		view.messages.toBottom(); // Show the new message at the bottom.
		view.renderMessages();
		view.textarea.focus();
		await view.dispatch( message );
	}

	/** Send again, with their client keys, the open conversation's messages that wait. */
	retryWaiting() {
		const c = this.view.current;
		if ( ! c ) {
			return;
		}
		for ( const message of c.messages.values() ) {
			if ( message.pending === 'failed' ) {
				this.view.dispatch( message );
			}
		}
	}

	/**
	 * POST a message; a retry reuses its client key, so it is never stored twice.
	 *
	 * @param {Object} message A pending message record.
	 */
	async deliver( message ) {
		const view = this.view;
		const c = view.current;
		const restored = message.restored && ! c?.messages.has( message.key );
		if (
			! c ||
			summary.stopped ||
			! ( restored || c.messages.has( message.key ) )
		) {
			return;
		}
		message.pending = 'sending';
		if ( ! restored ) {
			view.renderMessages();
		}
		const body = { body: message.body, client_key: message.client_key };
		view.addToBody( message, body );
		try {
			const { data } = await view.post( body, message );
			this.kept.drop( c.key, message.client_key );
			this.sent( c, message, data );
		} catch ( error ) {
			if ( message.stored ) {
				return; // A refresh brought it meanwhile: it is sent.
			}
			if ( await view.handled( c, message, error ) ) {
				this.kept.drop( c.key, message.client_key );
				return;
			}
			summary.heard( error );
			if (
				summary.stopped ||
				( error instanceof ApiError && error.transient )
			) {
				// Kept, with its client key: sent again when the bridge is back.
				message.pending = 'failed';
				c.messages.set( message.key, message );
			} else {
				this.refused( c, message, error );
			}
			if ( c === view.current ) {
				view.renderMessages();
				view.composer.say( this.why( error ), 'error' );
			}
		}
	}

	/**
	 * A refresh brought a stored message of the reader's own whose send has not had its
	 * answer yet (it comes with its client key): it takes the place of the record on its
	 * way, so that the message shows once, as sent.
	 *
	 * @param {Object} c      The conversation.
	 * @param {Object} record The stored message's record.
	 */
	arrived( c, record ) {
		const key = record.client_key && `k${ record.client_key }`;
		const waiting = key && c.messages.get( key );
		if ( ! waiting ) {
			return;
		}
		waiting.stored = true; // Its send's answer, or failure, changes nothing now.
		this.kept.drop( c.key, record.client_key );
		this.takePlace( c, key, record );
	}

	/**
	 * The stored message takes the place of the record that was on its way: its row stays
	 * where it is (renderMessages() redraws it as sent), unless the stored one is shown.
	 *
	 * @param {Object} c      The conversation.
	 * @param {string} key    The key of the record on its way.
	 * @param {Object} record The stored message's record.
	 */
	takePlace( c, key, record ) {
		c.messages.delete( key );
		const node = c.nodes.get( key );
		c.nodes.delete( key );
		if ( c.messages.has( record.key ) ) {
			node?.remove(); // A refresh brought it in already.
		} else if ( node ) {
			c.nodes.set( record.key, node );
		}
		c.messages.set( record.key, record );
	}

	/**
	 * The bridge has the message: its row stays where it is, now as sent.
	 *
	 * @param {Object} c       The conversation.
	 * @param {Object} message The record that was on its way.
	 * @param {Object} data    The stored message.
	 */
	sent( c, message, data ) {
		const view = this.view;
		this.takePlace( c, message.key, view.recordOf( data, message ) );
		if ( c === view.current ) {
			view.renderMessages();
			view.composer.say( '' );
		}
		view.loadList();
	}

	/**
	 * Refused for good (too long, Space gone, not allowed...): the text goes back in the box.
	 *
	 * @param {Object} c       The conversation.
	 * @param {Object} message The message.
	 * @param {*}      error   Why.
	 */
	refused( c, message, error ) {
		const view = this.view;
		c.messages.delete( message.key );
		this.kept.drop( c.key, message.client_key );
		if ( c === view.current && ! view.textarea.value ) {
			view.textarea.value = message.body;
			this.kept.setDraft( c.key, message.body );
			view.updateCounter();
		}
		view.refused( c, error );
		view.renderHead();
	}

	/**
	 * @param {*} error Why a message was not sent.
	 * @return {string} What to say under the box.
	 */
	why( error ) {
		if ( summary.state === 'offline' ) {
			return __(
				'You are offline: your message waits here and goes when you are back.',
				'space-inbox'
			);
		}
		return error instanceof ApiError
			? error.userMessage
			: __( 'Something went wrong. Please try again.', 'space-inbox' );
	}
}
