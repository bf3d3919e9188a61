/**
 * Space Inbox: a Space team's inbox. On the wp-admin screen
 * (`<div data-space-inbox="admin" data-space-inbox-spaces='[{"id","name"}]'>`, with a Space
 * picker: site administrators read every Space) and, loaded by switcher.js, in the front
 * end's team view of one Space (`?team=<space id>`).
 *
 * The team sees the audit label under every Space answer ("sent by NAME · time"), marks
 * conversations done and blocks members. Its parts (team-parts.js): the Spaces offered
 * (team-spaces.js), the list's filters and rows (team-list.js), who else on the team is at
 * a conversation (team-presence.js), saved replies in the composer (reply-picker.js),
 * private notes for the team only (notes.js), assignment (assignment.js), a question
 * before an answer goes out when a teammate answered meanwhile (meanwhile.js). Its actions
 * (team-actions.js): done, block, and a Dashboard view beside the conversations (figures,
 * away settings, saved replies: dashboard.js and dashboard.css, loaded the first time it
 * is opened).
 *
 * @module space-inbox/team-inbox
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, h, ApiError, summary },
	{ ConversationView },
	{ queryId, setQuery },
	{ teamParts, auditMeta },
	{ loadDashboard, showView, manageReplies, toggleStatus, toggleBlock },
	{ TeamSpaces },
] = await Promise.all(
	[
		'badge.js',
		'conversation.js',
		'inbox-page.js',
		'team-parts.js',
		'team-actions.js',
		'team-spaces.js',
	].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * A Space team's inbox: the Space's conversations, answered as the Space.
 */
export class TeamInbox extends ConversationView {
	/**
	 * @param {HTMLElement} root              The container to fill.
	 * @param {Object}      [options]
	 * @param {number}      [options.spaceId] Show this Space's inbox only, with no Space picker
	 *                                        (the front end's team view, `?team=<id>`).
	 */
	constructor( root, { spaceId = 0 } = {} ) {
		super( root );
		/** The Spaces offered, and those the user answers for (team-spaces.js). */
		this.spaces = new TeamSpaces( this, spaceId, ( id ) =>
			this.selectSpace( id )
		);
		/** The query parameter that names the Space in view. */
		this.spaceParam = spaceId > 0 ? 'team' : 'space';
		this.spaceId = 0;
		/** "inbox" (the conversations) or "dashboard". */
		this.view = 'inbox';
		/** The answers on their way, one after the other (each says what it saw). */
		this.delivering = Promise.resolve();
		/** The Dashboard, once loaded (dashboard.js). */
		this.dashboard = null;
		this.dashboardLoad = null;
		this.build();
	}

	get liveEvent() {
		return 'team';
	}

	get side() {
		return 'space';
	}

	// ---- layout ----

	/** The team's toolbar, head buttons, typing notice and reply tools (team-parts.js). */
	parts() {
		return teamParts( this );
	}

	composerKey( event ) {
		return this.picker.onComposerKey( event );
	}

	composerInput() {
		this.picker.onComposerInput();
		if ( ! this.noteMode.on ) {
			this.meanwhile.noteDraft();
			this.presence.marks.typed( this.textarea.value );
		}
	}

	composerBlur() {
		this.presence.marks.stop();
	}

	composerCleared() {
		this.presence.marks.stop();
		this.picker.close();
	}

	leavingThread() {
		this.meanwhile.drop();
		this.picker.close();
		if ( this.noteMode.on ) {
			this.noteMode.set( false, false ); // Each conversation opens on an answer.
		}
	}

	threadShown() {
		this.presence.follow();
	}

	clearHead() {
		this.statusButton.hidden = true;
		this.blockButton.hidden = true;
		this.assignment.field.hidden = true;
		this.labels.clear();
	}

	closedQuery() {
		return { conversation: null };
	}

	// ---- the dashboard ----

	/** @return {Promise<Object>} The Dashboard, loaded the first time (team-actions.js). */
	loadDashboard() {
		return loadDashboard( this );
	}

	/**
	 * The conversations, or the Space's dashboard (team-actions.js).
	 *
	 * @param {'inbox'|'dashboard'} view
	 * @return {Promise<void>} Once it shows.
	 */
	showView( view ) {
		return showView( this, view );
	}

	/** The saved replies manager, in the Dashboard (team-actions.js). */
	manageReplies() {
		return manageReplies( this );
	}

	// ---- start ----

	async start() {
		this.listen();
		this.presence.start();
		this.say( __( 'Loading…', 'space-inbox' ), 'info', 'list' );
		const data = await summary.start(); // Who is on which team, before offering replies.
		this.say( '', 'info', 'list' );
		if ( data ) {
			this.spaces.apply( data );
		} // Else logged out: the inbox says so at its top.
		this.spaces.render( this.spaceId );
		const first = this.spaces.first( queryId( this.spaceParam ) );
		if ( ! first ) {
			this.listPane.replaceChildren(
				h( 'p', {
					class: 'space-inbox__empty',
					text: __(
						'You do not administer any Space yet.',
						'space-inbox'
					),
				} )
			);
			this.threadPane.hidden = true;
			return;
		}
		await this.selectSpace( first.id, queryId( 'conversation' ) );
		if (
			new URLSearchParams( window.location.search ).get( 'view' ) ===
			'dashboard'
		) {
			this.showView( 'dashboard' );
		}
	}

	stop() {
		super.stop();
		this.presence.stop();
		this.picker.stop();
	}

	// ---- the summary: Spaces and who is on their team ----

	summaryChanged( data ) {
		const wasUnread = this.space?.unread || 0;
		this.spaces.apply( data );
		this.spaces.render( this.spaceId );
		if ( this.space && this.space.unread !== wasUnread ) {
			this.refreshSoon();
		}
	}

	concerns( event ) {
		return Number( event.space_id ) === this.spaceId;
	}

	/**
	 * @param {number} spaceId
	 * @return {boolean} Whether the user may only read (oversight).
	 */
	isReadOnly( spaceId ) {
		return this.spaces.readOnly( spaceId );
	}

	/**
	 * @param {number} spaceId
	 * @param {number} [conversationId] Open this conversation too.
	 */
	async selectSpace( spaceId, conversationId = 0 ) {
		this.spaceId = spaceId;
		this.spaces.render( spaceId );
		this.current = null;
		this.threadLoad++;
		this.log.replaceChildren();
		this.showThread( false );
		this.meanwhile.drop();
		this.presence.follow();
		this.picker.close();
		setQuery( {
			[ this.spaceParam ]: spaceId,
			conversation: conversationId || null,
		} );
		if ( this.view === 'dashboard' && this.dashboard ) {
			this.dashboard.show( spaceId, ! this.isReadOnly( spaceId ) );
		}
		this.labels.load( spaceId );
		await this.loadList();
		if ( conversationId ) {
			await this.openAdmin( conversationId );
		}
	}

	/** @return {Object|undefined} The selected Space. */
	get space() {
		return this.spaces.get( this.spaceId );
	}

	/** @return {string} The selected Space's name. */
	get spaceName() {
		return this.space ? this.space.name : __( 'Space', 'space-inbox' );
	}

	// ---- the conversation list ----

	fetchList( cursor ) {
		return this.teamList.fetch( cursor );
	}

	listItem( row ) {
		return this.teamList.item( row );
	}

	itemNotes( item ) {
		return this.teamList.notes( item );
	}

	emptyListText() {
		return this.teamList.emptyText();
	}

	renderList() {
		super.renderList();
		this.teamList.search.announce();
	}

	openItem( key ) {
		this.openAdmin( key );
	}

	// ---- a conversation ----

	/**
	 * Open one of the Space's conversations.
	 *
	 * @param {number} conversationId
	 */
	async openAdmin( conversationId ) {
		const known = this.items.find( ( i ) => i.key === conversationId );
		this.openThread( {
			key: conversationId,
			spaceId: this.spaceId,
			conversationId,
			name: known ? known.title : '',
			status: known ? known.row.status : 'open',
			blocked: known ? Boolean( known.row.blocked ) : false,
		} );
		setQuery( {
			[ this.spaceParam ]: this.spaceId,
			conversation: conversationId,
		} );
		await this.loadMessages( { latest: true } );
		// On its title once its messages are in (its name known by then), unless the admin
		// went on to the answer meanwhile: what they type there keeps the focus.
		if (
			! this.compose.contains( this.root.ownerDocument.activeElement )
		) {
			this.threadTitle.focus();
		}
	}

	noticeText( c ) {
		return this.isReadOnly( c.spaceId )
			? __(
					'You can read this inbox as a site administrator, but only the Space’s team can answer.',
					'space-inbox'
			  )
			: '';
	}

	composeLabelText() {
		if ( this.noteMode.on ) {
			return __(
				'Private note for your team (the member never sees it)',
				'space-inbox'
			);
		}
		/* translators: %s: Space name. */
		return sprintf( __( 'Reply as %s', 'space-inbox' ), this.spaceName );
	}

	renderHeadControls( c ) {
		const readOnly = this.isReadOnly( c.spaceId );
		this.statusButton.hidden = readOnly;
		this.statusButton.textContent =
			c.status === 'done'
				? __( 'Reopen', 'space-inbox' )
				: __( 'Mark done', 'space-inbox' );
		this.blockButton.hidden = readOnly;
		this.blockButton.textContent = c.blocked
			? __( 'Unblock this member', 'space-inbox' )
			: __( 'Block this member', 'space-inbox' );
		this.assignment.render( c, readOnly );
		this.labels.render( c, readOnly );
	}

	messagesPath() {
		const c = this.current;
		return `spaces/${ c.spaceId }/conversations/${ c.conversationId }/messages`;
	}

	tookPage( c, data ) {
		c.status = data.status || c.status;
		this.noteMode.took( c, data );
	}

	recordOf( data, message ) {
		return message && message.note
			? this.noteMode.record( data )
			: super.recordOf( data );
	}

	rowKind( m ) {
		return m.note ? 'note' : super.rowKind( m );
	}

	readPath( c ) {
		return this.isReadOnly( c.spaceId )
			? ''
			: `spaces/${ c.spaceId }/conversations/${ c.conversationId }/read`;
	}

	readRefused( c, error ) {
		if (
			error instanceof ApiError &&
			error.code === 'oversight_read_only'
		) {
			this.spaces.leave( c.spaceId );
			this.renderHead();
		}
	}

	isMine( m ) {
		return m.from === 'space' && ! m.note;
	}

	/**
	 * Who wrote a message: the member, or who on the team (team-parts.js).
	 *
	 * @param {Object} m A message record.
	 * @return {HTMLElement} Who wrote it, and when.
	 */
	sentMeta( m ) {
		return auditMeta( this, m );
	}

	// ---- sending ----

	prepare( message ) {
		if ( this.noteMode.on ) {
			message.note = true;
		} else {
			this.meanwhile.stamp( message );
		}
	}

	/**
	 * The team's answers go one after the other, so that each says which answer before it was seen.
	 *
	 * @param {Object} message The message to send.
	 */
	async dispatch( message ) {
		this.delivering = this.delivering
			.then( () => this.deliver( message ) )
			.catch( () => {} );
		await this.delivering;
	}

	addToBody( message, body ) {
		if ( ! message.note ) {
			this.meanwhile.addToBody( message, body );
		}
	}

	/**
	 * An answer goes to the messages, a note to the notes (notes.js).
	 *
	 * @param {Object} body    The POST's body.
	 * @param {Object} message The record on its way.
	 * @return {Promise<Object>} The bridge's answer.
	 */
	post( body, message ) {
		return message.note ? this.noteMode.post( body ) : super.post( body );
	}

	async handled( c, message, error ) {
		if (
			! (
				error instanceof ApiError && error.code === 'answered_meanwhile'
			)
		) {
			return false;
		}
		await this.meanwhile.answered( c, message );
		return true;
	}

	refused( c, error ) {
		if (
			error instanceof ApiError &&
			error.code === 'oversight_read_only'
		) {
			this.spaces.leave( c.spaceId );
		}
	}

	// ---- done, blocked ----

	/** Mark the open conversation done, or open it again (team-actions.js). */
	toggleStatus() {
		return toggleStatus( this );
	}

	/** Block the open conversation's member, or unblock them (team-actions.js). */
	toggleBlock() {
		return toggleBlock( this );
	}
}

// -- start -------------------------------------------------------------------------------

/** Mount every team inbox the page renders (the wp-admin screen). */
function main() {
	if ( ! config.apiBase ) {
		return;
	} // Logged out: PHP hands no configuration.
	for ( const root of document.querySelectorAll(
		'[data-space-inbox="admin"]'
	) ) {
		if ( root.dataset.spaceInboxMounted ) {
			continue;
		}
		root.dataset.spaceInboxMounted = '1';
		const inbox = new TeamInbox( root );
		inbox.start().catch( ( error ) => inbox.fail( error ) );
	}
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', main );
} else {
	main();
}
