/**
 * Space Inbox: a Space team's inbox. On the wp-admin screen
 * (`<div data-space-inbox="admin" data-space-inbox-spaces='[{"id","name"}]'>`, with a Space
 * picker: site administrators read every Space) and, loaded by switcher.js, in the front
 * end's team view of one Space (`?team=<space id>`).
 *
 * The team sees the audit label under every Space answer ("sent by NAME · time"), marks
 * conversations done and blocks members. Its parts (team-parts.js): who else on the team
 * is replying ("Giulia is replying…", typing.js and typing-watch.js), saved replies in the
 * composer (reply-picker.js), private notes for the team only (notes.js), a question before
 * an answer goes out when a teammate answered meanwhile (meanwhile.js). Its actions (team-actions.js): done, block, and a
 * Dashboard view beside the conversations (figures, away settings, saved replies:
 * dashboard.js and dashboard.css, loaded the first time it is opened).
 *
 * @module space-inbox/team-inbox
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, num, h, api, ApiError, summary },
	{ ConversationView },
	{ queryId, setQuery },
	{ teamParts, auditMeta, responseLine, presenceNote },
	{ loadDashboard, showView, manageReplies, toggleStatus, toggleBlock },
] = await Promise.all(
	[
		'badge.js',
		'conversation.js',
		'inbox-page.js',
		'team-parts.js',
		'team-actions.js',
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
		/** The front end's team view: one Space, chosen by the switcher. */
		this.fixed = spaceId > 0;
		/** The query parameter that names the Space in view. */
		this.spaceParam = this.fixed ? 'team' : 'space';
		/** The Spaces offered ({id, name, unread}). */
		this.spaces = [];
		if ( this.fixed ) {
			this.spaces = [ { id: spaceId, name: '', unread: 0 } ];
		} else {
			try {
				const given = JSON.parse(
					root.dataset.spaceInboxSpaces || '[]'
				);
				this.spaces = Array.isArray( given )
					? given.map( ( s ) => ( {
							id: Number( s.id ),
							name: String( s.name ),
							unread: 0,
					  } ) )
					: [];
			} catch {
				this.spaces = [];
			}
		}
		/** Ids of the Spaces whose team the user is on, per the bridge (null: not known yet). */
		this.team = null;
		this.spaceId = 0;
		this.statusFilter = 'open';
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
			this.marks.typed( this.textarea.value );
		}
	}

	composerBlur() {
		this.marks.stop();
	}

	composerCleared() {
		this.marks.stop();
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
		this.followTyping();
	}

	clearHead() {
		this.statusButton.hidden = true;
		this.blockButton.hidden = true;
		this.assignment.field.hidden = true;
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

	/** Typing and viewing marks and the teammates' notice follow the conversation in view. */
	followTyping() {
		const c = this.view === 'inbox' ? this.current : null;
		const base = c
			? `spaces/${ c.spaceId }/conversations/${ c.conversationId }`
			: '';
		const path = base ? `${ base }/typing` : '';
		const mine = c && ! this.isReadOnly( c.spaceId );
		this.marks.follow( mine ? path : '' );
		this.viewingMarks.follow( mine ? `${ base }/viewing` : '' );
		this.watch.watch(
			path,
			( event ) =>
				Number( event.space_id ) === c.spaceId &&
				Number( event.conversation_id ) === c.conversationId
		);
	}

	// ---- start ----

	async start() {
		this.listen();
		this.followPresence();
		this.say( __( 'Loading…', 'space-inbox' ), 'info', 'list' );
		const data = await summary.start(); // Who is on which team, before offering replies.
		this.say( '', 'info', 'list' );
		if ( data ) {
			this.applySummary( data );
		} // Else logged out: the inbox says so at its top.
		this.renderSpaces();
		const wanted = queryId( this.spaceParam );
		const first =
			this.spaces.find( ( s ) => s.id === wanted ) ||
			this.spaces.find( ( s ) => s.unread > 0 ) ||
			this.spaces[ 0 ];
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
		window.clearInterval( this.listTimer );
		this.stopPresence?.();
		this.viewingMarks.stop();
		this.hereMarks.stop();
		this.marks.follow( '' );
		this.watch.stop();
		this.picker.stop();
	}

	/**
	 * Who is viewing and answering shows on the list's rows too: it is reloaded when a live
	 * event says someone came or went, and, without the stream, every 20 s while it is seen.
	 */
	followPresence() {
		this.stopPresence = summary.on( 'typing', ( event ) => {
			if ( Number( event.space_id ) === this.spaceId ) {
				window.clearTimeout( this.presenceTimer );
				this.presenceTimer = window.setTimeout(
					() => this.loadList(),
					500
				);
			}
		} );
		this.listTimer = window.setInterval( () => {
			if (
				! summary.live &&
				! document.hidden &&
				this.view === 'inbox' &&
				! this.locked
			) {
				this.loadList();
			}
		}, 20000 );
	}

	// ---- the summary: Spaces and who is on their team ----

	summaryChanged( data ) {
		const before = this.spaces.find( ( s ) => s.id === this.spaceId );
		const wasUnread = before ? before.unread : 0;
		this.applySummary( data );
		this.renderSpaces();
		const now = this.spaces.find( ( s ) => s.id === this.spaceId );
		if ( now && now.unread !== wasUnread ) {
			this.refreshSoon();
		}
	}

	concerns( event ) {
		return Number( event.space_id ) === this.spaceId;
	}

	/** @param {Object} data Merge the summary's Spaces (team and unread) into the picker. */
	applySummary( data ) {
		const mine = Array.isArray( data.spaces ) ? data.spaces : [];
		this.team = new Set( mine.map( ( s ) => Number( s.id ) ) );
		for ( const s of mine ) {
			if ( this.fixed && Number( s.id ) !== this.spaces[ 0 ].id ) {
				continue;
			} // One Space in view.
			const known = this.spaces.find( ( x ) => x.id === Number( s.id ) );
			if ( known ) {
				known.unread = Number( s.unread ) || 0;
				known.name = String( s.name );
			} else {
				this.spaces.push( {
					id: Number( s.id ),
					name: String( s.name ),
					unread: Number( s.unread ) || 0,
				} );
			}
		}
		for ( const s of this.spaces ) {
			if ( ! this.team.has( s.id ) ) {
				s.unread = 0;
			}
		}
	}

	renderSpaces() {
		if ( ! this.spaceSelect ) {
			return;
		}
		const options = this.spaces.map( ( s ) => {
			const label =
				s.unread > 0
					? `${ s.name } (${ sprintf(
							/* translators: %s: number of unread messages. */
							__( '%s unread', 'space-inbox' ),
							num( s.unread )
					  ) })`
					: s.name;
			const existing = [ ...this.spaceSelect.options ].find(
				( o ) => Number( o.value ) === s.id
			);
			if ( existing ) {
				if ( existing.textContent !== label ) {
					existing.textContent = label;
				}
				return existing;
			}
			return h( 'option', { value: String( s.id ), text: label } );
		} );
		if (
			options.length !== this.spaceSelect.options.length ||
			options.some( ( o, i ) => this.spaceSelect.options[ i ] !== o )
		) {
			this.spaceSelect.replaceChildren( ...options );
		}
		if ( this.spaceId ) {
			this.spaceSelect.value = String( this.spaceId );
		}
	}

	/**
	 * @param {number} spaceId
	 * @return {boolean} Whether the user may only read (oversight).
	 */
	isReadOnly( spaceId ) {
		return this.team !== null && ! this.team.has( spaceId );
	}

	/**
	 * @param {number} spaceId
	 * @param {number} [conversationId] Open this conversation too.
	 */
	async selectSpace( spaceId, conversationId = 0 ) {
		this.spaceId = spaceId;
		if ( this.spaceSelect ) {
			this.spaceSelect.value = String( spaceId );
		}
		this.current = null;
		this.threadLoad++;
		this.log.replaceChildren();
		this.showThread( false );
		this.meanwhile.drop();
		this.followTyping();
		this.hereMarks.follow(
			this.isReadOnly( spaceId ) ? '' : `spaces/${ spaceId }/here`
		);
		this.picker.close();
		setQuery( {
			[ this.spaceParam ]: spaceId,
			conversation: conversationId || null,
		} );
		if ( this.view === 'dashboard' && this.dashboard ) {
			this.dashboard.show( spaceId, ! this.isReadOnly( spaceId ) );
		}
		await this.loadList();
		if ( conversationId ) {
			await this.openAdmin( conversationId );
		}
	}

	/** @return {Object|undefined} The selected Space. */
	get space() {
		return this.spaces.find( ( s ) => s.id === this.spaceId );
	}

	/** @return {string} The selected Space's name. */
	get spaceName() {
		return this.space ? this.space.name : __( 'Space', 'space-inbox' );
	}

	// ---- the conversation list ----

	fetchList( cursor ) {
		return api( `spaces/${ this.spaceId }/conversations`, {
			query: {
				status: this.statusFilter,
				cursor,
				...this.assignment.listQuery(),
			},
		} );
	}

	listItem( row ) {
		const last = row.last_message;
		return {
			key: row.id,
			title: row.member
				? row.member.name
				: __( 'Deleted user', 'space-inbox' ),
			excerpt: this.excerptOf( last ),
			time: last ? last.created_at : row.created_at,
			unread: Number( row.unread ) || 0,
			done: row.status === 'done',
			response: responseLine( row ),
			row,
		};
	}

	/**
	 * A list row's excerpt of the conversation's last message (the Space's answers say so).
	 *
	 * @param {Object|null} last The conversation's last message, if any.
	 * @return {string} The excerpt, or ''.
	 */
	excerptOf( last ) {
		if ( ! last ) {
			return '';
		}
		if ( last.from !== 'space' ) {
			return last.excerpt;
		}
		/* translators: %s: excerpt of the Space's last answer, in its team's list. */
		return sprintf( __( 'Answered: %s', 'space-inbox' ), last.excerpt );
	}

	itemNotes( item ) {
		return [
			item.response
				? h( 'span', {
						class: 'space-inbox__response',
						text: item.response,
				  } )
				: '',
			item.done
				? h( 'span', {
						class: 'space-inbox__pill',
						text: __( 'Done', 'space-inbox' ),
				  } )
				: '',
			this.assignment.itemNote( item.row ),
			presenceNote( item.row ),
		];
	}

	emptyListText() {
		return __( 'No conversations here.', 'space-inbox' );
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
		this.threadTitle.focus();
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
	}

	messagesPath() {
		const c = this.current;
		return `spaces/${ c.spaceId }/conversations/${ c.conversationId }/messages`;
	}

	tookPage( c, data ) {
		c.status = data.status || c.status;
		for ( const n of data.notes || [] ) {
			const record = this.noteRecord( n );
			c.messages.set( record.key, record );
		}
	}

	/**
	 * @param {Object} data A note as the API gives it.
	 * @return {Object} Its record in the log, keyed apart from the messages.
	 */
	noteRecord( data ) {
		return { ...data, key: `n${ data.id }`, note: true };
	}

	recordOf( data, message ) {
		return message && message.note
			? this.noteRecord( data )
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
			if ( this.team ) {
				this.team.delete( c.spaceId );
			}
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
	 * An answer goes to the messages, a note to the notes.
	 *
	 * @param {Object} body    The POST's body.
	 * @param {Object} message The record on its way.
	 * @return {Promise<Object>} The bridge's answer.
	 */
	post( body, message ) {
		if ( ! message.note ) {
			return super.post( body );
		}
		const c = this.current;
		return api(
			`spaces/${ c.spaceId }/conversations/${ c.conversationId }/notes`,
			{ method: 'POST', body }
		);
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
			error.code === 'oversight_read_only' &&
			this.team
		) {
			this.team.delete( c.spaceId );
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
