/**
 * Space Inbox: the conversation view that the member's inbox (member-inbox.js) and a Space
 * team's inbox (team-inbox.js) are built on: the conversation list, the open conversation
 * with its messages (message-log.js), the reply box (composer.js), sending with nothing
 * lost (sending.js), and the states between (loading, empty, sending, failed, logged out,
 * offline: session-notice.js); laid out by conversation-layout.js.
 *
 * `ConversationView` holds what both audiences do alike; what differs (which API paths,
 * what a row or a message says, what the composer adds) is asked of the subclass. Nothing
 * here knows whether its user is a member or on a team.
 *
 * @module space-inbox/conversation
 */

const { __ } = window.wp.i18n;
const [
	{ api, ApiError, summary },
	{ setQuery },
	{ loadList, renderList, picture },
	{ buildLayout },
	{ ConversationHooks },
] = await Promise.all(
	[
		'badge.js',
		'inbox-page.js',
		'conversation-list.js',
		'conversation-layout.js',
		'conversation-hooks.js',
	].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

// -- the view --------------------------------------------------------------------------------

/**
 * One inbox on the page: the conversation list, the open conversation and its reply box.
 * A subclass sets its own state, then calls `build()`; the page then calls its `start()`.
 * What a subclass defines for its audience is listed in conversation-hooks.js.
 */
export class ConversationView extends ConversationHooks {
	/** @param {HTMLElement} root The container to fill. */
	constructor( root ) {
		super();
		this.root = root;
		this.uid = `space-inbox-${ ConversationView.count++ }`;
		this.unsubscribe = null;
		this.items = []; // Rows of the conversation list.
		this.nextCursor = null;
		/** The open conversation, or null. */
		this.current = null;
		this.listLoad = 0; // Guards against out-of-order list answers.
		this.listFailed = false;
		this.threadLoad = 0;
		this.seenSummary = false;
		/** Logged out or expired: nothing is shown or sent until the user logs in again. */
		this.locked = false;
	}

	// ---- layout ----

	/** Lay the view out (conversation-layout.js). */
	build() {
		buildLayout( this );
	}

	/**
	 * Say something next to what it is about, announced; it goes when the view changes.
	 *
	 * @param {string}          message
	 * @param {'error'|'info'}  [kind]
	 * @param {'thread'|'list'} [where] The open conversation (by default) or the list.
	 */
	say( message, kind = 'info', where = 'thread' ) {
		const status = where === 'list' ? this.listStatus : this.status;
		status.textContent = message;
		status.classList.toggle( 'is-error', kind === 'error' );
	}

	/** Clear what the view said (another conversation, Space or view). */
	hush() {
		this.say( '', 'info', 'list' );
		this.say( '' );
		this.composer.say( '' );
	}

	/**
	 * Report an error politely, next to its cause. Logged out, expired, offline or the
	 * bridge out of reach is said once, at the top (session-notice.js).
	 *
	 * @param {*}               error
	 * @param {'thread'|'list'} [where]
	 */
	fail( error, where = 'thread' ) {
		summary.heard( error );
		if ( summary.state !== 'ok' ) {
			return;
		}
		this.say(
			error instanceof ApiError
				? error.userMessage
				: __(
						'Something went wrong. Please try again.',
						'space-inbox'
				  ),
			'error',
			where
		);
	}

	/**
	 * Logged out or the page expired: hide the conversations and lock the reply box (its
	 * draft stays, and is kept in the browser for after the login).
	 *
	 * @param {boolean} locked
	 */
	lock( locked ) {
		if ( ! this.panes ) {
			return;
		}
		this.locked = locked;
		this.panes.inert = locked;
		this.list.hidden = locked;
		this.log.hidden = locked || ! this.current;
		this.composer.lock( locked );
		if ( locked ) {
			this.hush();
			this.moreButton.hidden = true;
			this.olderButton.hidden = true;
		}
	}

	/** @param {boolean} open Whether a conversation is showing (for the narrow layout). */
	showThread( open ) {
		this.root.classList.toggle( 'is-thread-open', open );
		this.placeholder.hidden = open;
		this.log.hidden = ! open;
		this.compose.hidden = ! open;
		this.backButton.hidden = ! open;
		this.threadHead.hidden = ! open;
		this.hush();
		if ( ! open ) {
			this.threadTitle.textContent = '';
			this.notice.hidden = true;
			this.olderButton.hidden = true;
			this.clearHead();
		}
	}

	closeThread() {
		const key = this.current && this.current.key;
		this.current = null;
		this.threadLoad++;
		this.log.replaceChildren();
		this.showThread( false );
		this.leavingThread();
		this.threadShown();
		setQuery( this.closedQuery() );
		this.renderList();
		const button = this.list.querySelector(
			`[data-key="${ CSS.escape( String( key ) ) }"]`
		);
		( button || this.listPane.querySelector( 'h2' ) ).focus?.();
	}

	/** Say how much of the longest message is left. */
	updateCounter() {
		this.composer.count();
	}

	// ---- the summary and live events ----

	/** Follow the summary, and the live events about this inbox's conversations. */
	listen() {
		// A summary the page had before this view came (the inbox page asks first, to know
		// whether to show the switcher) is in the list this view loads: the next one is news.
		this.seenSummary = Boolean( summary.data );
		const stops = [
			summary.subscribe( ( data ) => this.onSummary( data ) ),
			// Pushed: a change the counts do not show (an answer from a teammate or another tab).
			summary.on( this.liveEvent, ( event ) => this.onLive( event ) ),
		];
		this.unsubscribe = () => stops.forEach( ( stop ) => stop() );
	}

	/** Stop following the summary and drop answers still on their way (the view is gone). */
	stop() {
		if ( this.unsubscribe ) {
			this.unsubscribe();
		}
		this.session.stop();
		this.sending.stop();
		this.listLoad++;
		this.threadLoad++;
		this.current = null;
	}

	/** @param {Object} data A new summary (something changed). */
	onSummary( data ) {
		const first = ! this.seenSummary;
		this.seenSummary = true;
		if ( this.listFailed ) {
			this.refresh(); // The bridge is back.
			return;
		}
		this.summaryChanged( data, first );
	}

	/** @param {Object} event A live event about one of this inbox's conversations. */
	onLive( event ) {
		if ( ! this.concerns( event ) ) {
			return;
		}
		this.refreshSoon();
	}

	/**
	 * The open conversation's newest records, as a check without the live stream names them:
	 * loaded again when one is not shown (a change that moves no count of this reader's,
	 * such as a teammate's answer or the member's message from another device).
	 *
	 * @param {...string} keys Record keys (`m<id>` for a message); '' for none.
	 */
	catchUp( ...keys ) {
		const c = this.current;
		if ( c && keys.some( ( key ) => key && ! c.messages.has( key ) ) ) {
			this.refreshSoon();
		}
	}

	/** Reload soon: a burst of changes (a live event and the new counts) is one reload. */
	refreshSoon() {
		window.clearTimeout( this.liveTimer );
		this.liveTimer = window.setTimeout( () => this.refresh(), 100 );
	}

	/** Reload the list and the open conversation (after a change elsewhere). */
	refresh() {
		if ( this.locked ) {
			return;
		}
		this.loadList();
		if ( this.current ) {
			this.loadMessages( { latest: true } );
		}
	}

	// ---- the conversation list ----

	/** @param {boolean} [more] Append the next page instead of reloading. */
	loadList( more = false ) {
		return loadList( this, more );
	}

	renderList() {
		renderList( this );
	}

	// ---- a conversation ----

	/** @param {Object} current The conversation to show. */
	openThread( current ) {
		this.leavingThread();
		this.threadLoad++;
		this.current = Object.assign( current, {
			messages: new Map(), // key -> message record
			nodes: new Map(), // key -> its row
			nextBefore: null,
			unread: 0,
		} );
		this.messages.reset();
		this.textarea.value = this.sending.draft( current.key );
		this.updateCounter();
		this.showThread( true );
		this.renderHead();
		this.renderList();
		this.threadShown();
		this.sending.restore( this.current );
	}

	/**
	 * Keep a conversation's draft (in the browser: it outlives the page).
	 *
	 * @param {string|number} key
	 * @param {string}        text
	 */
	keepDraft( key, text ) {
		this.sending.setDraft( key, text );
	}

	renderHead() {
		const c = this.current;
		if ( ! c ) {
			return;
		}
		this.threadTitle.textContent =
			c.name || __( 'Loading…', 'space-inbox' );
		const shown = picture( c.picture );
		this.threadPicture.hidden = ! shown;
		if ( shown ) {
			this.threadPicture.src = shown.src;
		}
		const notice = this.noticeText( c );
		this.notice.textContent = notice;
		this.notice.hidden = ! notice;
		this.compose.hidden = Boolean( notice );
		this.composeLabel.textContent = this.composeLabelText( c );
		this.renderHeadControls( c );
	}

	/**
	 * Load the newest page (merged into what is shown), or an older page.
	 *
	 * @param {{latest?: boolean, before?: number}} options
	 */
	async loadMessages( { latest = false, before = null } = {} ) {
		const c = this.current;
		if ( ! c ) {
			return;
		}
		const ticket = this.threadLoad;
		try {
			const { data } = await api( this.messagesPath(), {
				query: { before },
			} );
			if ( ticket !== this.threadLoad || c !== this.current ) {
				return;
			}
			this.tookPage( c, data );
			if ( latest && c.nextBefore === null && c.messages.size === 0 ) {
				c.nextBefore = data.next_before || null;
			}
			if ( before ) {
				c.nextBefore = data.next_before || null;
			}
			for ( const m of data.messages || [] ) {
				const record = this.recordOf( m );
				this.sending.arrived( c, record );
				c.messages.set( record.key, record );
			}
			c.unread = Number( data.unread ) || 0;
			this.renderHead();
			this.renderMessages( { older: Boolean( before ) } );
			if ( latest ) {
				this.markRead();
			}
		} catch ( error ) {
			if ( ticket === this.threadLoad ) {
				this.fail( error );
			}
		}
	}

	async loadOlder() {
		const c = this.current;
		if ( ! c || ! c.nextBefore ) {
			return;
		}
		await this.loadMessages( { before: c.nextBefore } );
	}

	/** Mark the open conversation read, if it has unread messages and the page is seen. */
	async markRead() {
		const c = this.current;
		if ( ! c || c.unread <= 0 || document.hidden ) {
			return;
		}
		const path = this.readPath( c );
		if ( ! path ) {
			return;
		}
		c.unread = 0;
		try {
			await api( path, { method: 'POST' } );
			const item = this.items.find( ( i ) => i.key === c.key );
			if ( item ) {
				item.unread = 0;
			}
			this.renderList();
			summary.poll(); // The badges.
		} catch ( error ) {
			this.readRefused( c, error );
		}
	}

	/** @param {{older?: boolean}} [options] Draw the open conversation's messages. */
	renderMessages( options ) {
		this.olderButton.hidden = ! this.current.nextBefore;
		this.messages.render( this.current, options );
	}

	// ---- sending (sending.js) ----

	send() {
		return this.sending.send();
	}

	/** @param {Object} message A pending message record: show it, keep it, send it. */
	queue( message ) {
		return this.sending.queue( message );
	}

	/** @param {Object} message A pending message record: POST it (again). */
	deliver( message ) {
		return this.sending.deliver( message );
	}

	/**
	 * @param {Object} body A new message's POST body.
	 * @return {Promise<Object>} The bridge's answer.
	 */
	post( body ) {
		return api( this.messagesPath(), { method: 'POST', body } );
	}

	/**
	 * The record the log shows for a stored message.
	 *
	 * @param {Object} data A message as the API gives it.
	 * @return {Object} Its record, keyed by its id.
	 */
	recordOf( data ) {
		return { key: `m${ data.id }`, ...data };
	}

	/**
	 * @param {Object} m A record of the log.
	 * @return {string} How its row is drawn: "mine", "theirs" (or a kind the subclass adds).
	 */
	rowKind( m ) {
		return this.isMine( m ) ? 'mine' : 'theirs';
	}
}
ConversationView.count = 0;
