/**
 * Space Inbox: a team's answer written while a teammate answered. Each answer carries
 * `seen_id`, the newest message on screen when its draft began; when a teammate answered
 * after it, the bridge refuses it (409 `answered_meanwhile`): the page shows the new
 * answer, keeps the draft, and asks whether to send it too ("Send mine too", with the same
 * client key and no `seen_id`; or "Don't send").
 *
 * @module space-inbox/meanwhile
 */

const { __ } = window.wp.i18n;
const [ { h }, { newClientKey } ] = await Promise.all(
	[ 'badge.js', 'sending.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * What a team inbox's answers have seen, and the question about an answer held back.
 */
export class AnsweredMeanwhile {
	/** @param {Object} inbox The team inbox (team-inbox.js): its composer and open conversation. */
	constructor( inbox ) {
		this.inbox = inbox;
		/** Per conversation, the newest message on screen when the draft began. */
		this.draftSeen = new Map();
		/** The answer held back because a teammate answered meanwhile. */
		this.held = null;
		const id = inbox.uid;
		this.box = h(
			'div',
			{
				class: 'space-inbox__confirm',
				role: 'alertdialog',
				'aria-modal': 'false',
				'aria-labelledby': `${ id }-confirm-text`,
				tabindex: '-1',
				hidden: true,
				onkeydown: ( e ) => {
					if ( e.key === 'Escape' ) {
						e.preventDefault();
						this.keep();
					}
				},
			},
			h( 'p', {
				id: `${ id }-confirm-text`,
				text: __(
					'Someone on your team already answered. Send yours too?',
					'space-inbox'
				),
			} ),
			h(
				'div',
				{ class: 'space-inbox__confirm-actions' },
				h( 'button', {
					type: 'button',
					class: 'button button-primary',
					text: __( 'Send mine too', 'space-inbox' ),
					onclick: () => this.send(),
				} ),
				h( 'button', {
					type: 'button',
					class: 'button',
					text: __( 'Don’t send', 'space-inbox' ),
					onclick: () => this.keep(),
				} )
			)
		);
	}

	/**
	 * The newest message of the open conversation on screen, as `seen_id` (an answer that
	 * came after it makes the bridge ask first).
	 *
	 * @return {number|null} Its id, or null for none.
	 */
	newestSeen() {
		const c = this.inbox.current;
		let newest = 0;
		for ( const m of c ? c.messages.values() : [] ) {
			if ( ! m.pending && ! m.note && Number( m.id ) > newest ) {
				newest = Number( m.id );
			}
		}
		return newest || null;
	}

	/** The composer changed: remember what was on screen when a draft began (forgotten when emptied). */
	noteDraft() {
		const c = this.inbox.current;
		if ( ! c ) {
			return;
		}
		if ( ! this.inbox.textarea.value.trim() ) {
			this.draftSeen.delete( c.key );
		} else if ( ! this.draftSeen.has( c.key ) ) {
			this.draftSeen.set( c.key, this.newestSeen() );
		}
	}

	/** @param {Object} message A new answer: what its writer had seen when the draft began. */
	stamp( message ) {
		const c = this.inbox.current;
		this.drop(); // Sent again after reading the teammate's answer: no question.
		// Asked first when a teammate answered since this answer was begun, even if their
		// answer has appeared on screen meanwhile.
		message.seen_id = this.draftSeen.get( c.key ) ?? this.newestSeen();
		this.draftSeen.delete( c.key );
	}

	/**
	 * @param {Object} message
	 * @param {Object} body    The POST's body: with `seen_id`, if any.
	 */
	addToBody( message, body ) {
		if ( message.seen_id === undefined ) {
			message.seen_id = this.newestSeen();
		} // Kept for "Try again".
		if ( message.seen_id ) {
			body.seen_id = message.seen_id;
		}
	}

	/**
	 * A teammate answered after the newest message this admin had seen: nothing was sent.
	 * Show their answer, give the text back, and ask whether to send it too.
	 *
	 * @param {Object} c       The conversation it was for.
	 * @param {Object} message The answer held back.
	 */
	async answered( c, message ) {
		const inbox = this.inbox;
		c.messages.delete( message.key );
		if ( c !== inbox.current ) {
			inbox.keepDraft( c.key, message.body ); // Kept for when it is opened again.
			return;
		}
		if ( ! inbox.textarea.value.trim() ) {
			inbox.textarea.value = message.body;
			inbox.keepDraft( c.key, message.body );
			inbox.updateCounter();
		}
		inbox.renderMessages();
		inbox.loadList();
		await inbox.loadMessages( { latest: true } );
		if ( c !== inbox.current ) {
			return;
		}
		this.held = {
			key: c.key,
			body: message.body,
			client_key: message.client_key,
		};
		this.box.hidden = false;
		this.box.focus();
	}

	/** "Send mine too": the same answer, with the same client key, now without seen_id. */
	async send() {
		const inbox = this.inbox;
		const held = this.held;
		const c = inbox.current;
		this.drop();
		if ( ! held || ! c || c.key !== held.key ) {
			return;
		}
		const body = inbox.textarea.value.trim();
		if ( ! body ) {
			inbox.say( __( 'Write a message first.', 'space-inbox' ), 'error' );
			inbox.textarea.focus();
			return;
		}
		// Changed meanwhile: a new answer (a client key names one text only).
		const clientKey = body === held.body ? held.client_key : newClientKey();
		await inbox.queue( {
			key: `k${ clientKey }`,
			client_key: clientKey,
			from: 'space',
			body,
			created_at: new Date().toISOString(),
			pending: 'sending',
			seen_id: null,
		} );
	}

	/** "Don't send": nothing goes out; the text stays in the box. */
	keep() {
		this.drop();
		this.inbox.say(
			__( 'Not sent: your answer is still in the box.', 'space-inbox' )
		);
		this.inbox.textarea.focus();
	}

	/** Forget the question about a held answer (its text stays in the box). */
	drop() {
		this.held = null;
		this.box.hidden = true;
	}
}
