/**
 * Space Inbox: the member's inbox, on the pages that show it (the inbox page, the profile
 * tab).
 *
 * Containers the plugin renders:
 * - `<div data-space-inbox="front">`: the front-end inbox. A member sees their
 *   conversations with Spaces; for a Space admin, switcher.js (loaded only then) adds the
 *   switch to each of their Spaces' team inbox (`?team=<space id>`), the way a Page admin
 *   switches to the Page;
 * - `<div data-space-inbox="member">`: the member's conversations only.
 *
 * A member's view never shows who on a Space's team wrote an answer (the member API has no
 * author to show), and says how fast the Space typically replies. Nothing of the team's
 * tools is imported here: a member's page loads none of them.
 *
 * It builds on the conversation view (conversation.js) and the badge module (the API
 * client and the summary), imported from the same folder with the same version query, so
 * the page holds one instance of each.
 *
 * @module space-inbox/member-inbox
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, h, api, ApiError, summary },
	{ ConversationView },
	{ loadModule, loadStylesheet, queryId, setQuery },
	{ withTime },
	{ fillReplyTime, replyTimeOf },
	{ TypingWatch },
	{ Reports },
	{ NotifyChoices },
] = await Promise.all(
	[
		'badge.js',
		'conversation.js',
		'inbox-page.js',
		'message-log.js',
		'reply-time.js',
		'typing-watch.js',
		'report.js',
		'notify-choices.js',
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
 * The member's own conversations with Spaces.
 */
export class MemberInbox extends ConversationView {
	/** @param {HTMLElement} root The container to fill. */
	constructor( root ) {
		super( root );
		this.build();
	}

	/** @return {string} The side this inbox writes for: the member's own. */
	get side() {
		return 'me';
	}

	// ---- layout ----

	parts() {
		// "Report" beside each answer, and its dialog (report.js).
		this.reports = new Reports( this );
		// How fast the Space typically replies, under its name.
		this.replyTime = h( 'p', {
			class: 'space-inbox-reply-time space-inbox__reply-time',
			hidden: true,
		} );
		// "T-Shirt Shop is typing…": the Space, never who on its team.
		this.typingNotice = h( 'p', {
			class: 'space-inbox__typing',
			'aria-live': 'polite',
		} );
		this.watch = new TypingWatch(
			( data ) => {
				this.typingNotice.textContent =
					data && data.typing && this.current
						? sprintf(
								/* translators: %s: Space name. */
								__( '%s is typing…', 'space-inbox' ),
								this.current.name ||
									__( 'Space', 'space-inbox' )
						  )
						: '';
			},
			( data ) =>
				this.catchUp(
					data.last_message_id ? `m${ data.last_message_id }` : ''
				)
		);
		// How the member is told of answers, under their conversations.
		this.choices = new NotifyChoices( {
			legend: __( 'When a Space answers you', 'space-inbox' ),
			boxes: [
				{
					name: 'email',
					label: __( 'E-mail me', 'space-inbox' ),
					hint: __(
						'Answers that come together arrive in one e-mail, and none you have already read.',
						'space-inbox'
					),
				},
				{
					name: 'push',
					label: __( 'Notify my devices', 'space-inbox' ),
					hint: __(
						'Each device where you turn notifications on below.',
						'space-inbox'
					),
				},
			],
		} );
		return {
			list: [ this.choices.root ],
			head: [ this.replyTime ],
			thread: [ this.typingNotice ],
			after: [ this.reports.dialog ],
		};
	}

	threadShown() {
		const c = this.current;
		this.watch.watch(
			c ? `me/spaces/${ c.spaceId }/typing` : '',
			( event ) =>
				Boolean( c ) &&
				Number( event.space_id ) === c.spaceId &&
				! event.conversation_id
		);
	}

	stop() {
		super.stop();
		this.watch.stop();
	}

	clearHead() {
		this.replyTime.hidden = true;
	}

	closedQuery() {
		return { space: null };
	}

	// ---- start ----

	async start() {
		this.listen();
		summary.start();
		this.choices.use( 'me/notifications' );
		const wanted =
			queryId( 'space' ) ||
			Number( this.root.dataset.spaceInboxSpace ) ||
			0;
		await this.loadList();
		if ( wanted ) {
			await this.openMember( wanted, { focus: true } );
		}
	}

	summaryChanged( data, first ) {
		// The first summary comes with the first load anyway; later ones matter when they
		// count what the list does not show (not the member's own read, say).
		const shown = this.items.reduce( ( sum, i ) => sum + i.unread, 0 );
		if ( ! first && Number( data.unread ) !== shown ) {
			this.refreshSoon();
		}
	}

	// ---- the conversation list ----

	fetchList( cursor ) {
		return api( 'me/conversations', { query: { cursor } } );
	}

	listItem( row ) {
		const last = row.last_message;
		return {
			key: row.space.id,
			title: row.space.name,
			picture: row.space.avatar_url,
			excerpt: this.excerptOf( last ),
			time: last ? last.created_at : '',
			unread: Number( row.unread ) || 0,
			done: false,
			row,
		};
	}

	/**
	 * A list row's excerpt of the conversation's last message (the member's own say so).
	 *
	 * @param {Object|null} last The conversation's last message, if any.
	 * @return {string} The excerpt, or ''.
	 */
	excerptOf( last ) {
		if ( ! last ) {
			return '';
		}
		if ( last.from !== 'me' ) {
			// Empty: the site's moderators removed the answer.
			return (
				last.excerpt ||
				__( 'Removed by the site’s moderators.', 'space-inbox' )
			);
		}
		/* translators: %s: excerpt of the member's own last message. */
		return sprintf( __( 'You: %s', 'space-inbox' ), last.excerpt );
	}

	listedItems( items ) {
		// A Space opened from its Message button shows even before the first message.
		if (
			this.current &&
			! items.some( ( i ) => i.key === this.current.key )
		) {
			items.unshift( {
				key: this.current.key,
				title: this.current.name,
				excerpt: '',
				time: '',
				unread: 0,
				done: false,
			} );
		}
		return items;
	}

	emptyListText() {
		return __(
			'No conversations yet. Use the Message button on a Space’s page to ask it something.',
			'space-inbox'
		);
	}

	openItem( key ) {
		this.openMember( key );
	}

	// ---- a conversation ----

	/**
	 * Open the conversation with a Space (it may have no messages yet).
	 *
	 * @param {number}            spaceId
	 * @param {{focus?: boolean}} [options] focus: put the cursor in the message box.
	 */
	async openMember( spaceId, { focus = false } = {} ) {
		const known = this.items.find( ( i ) => i.key === spaceId );
		this.openThread( {
			key: spaceId,
			spaceId,
			name: known ? known.title : '',
			picture: known ? known.picture : '',
			accepting: known
				? known.row.space.accepting_messages !== false
				: true,
		} );
		setQuery( { space: spaceId } );
		this.showReplyTime( spaceId );
		if ( focus ) {
			// From a Message button or ?space=: straight to writing.
			this.root.scrollIntoView?.( { block: 'nearest' } );
			this.textarea.focus();
		} else {
			this.threadTitle.focus();
		}
		await this.loadMessages( { latest: true } );
	}

	/**
	 * How fast the Space typically replies, under its name (nothing when it has no reply
	 * time, or when it cannot be had).
	 *
	 * @param {number} spaceId
	 */
	async showReplyTime( spaceId ) {
		this.replyTime.hidden = true;
		const data = await replyTimeOf( spaceId );
		if ( this.current && this.current.spaceId === spaceId ) {
			fillReplyTime( this.replyTime, data );
		}
	}

	noticeText( c ) {
		return c.accepting === false
			? __( 'This Space no longer takes messages.', 'space-inbox' )
			: '';
	}

	composeLabelText( c ) {
		return sprintf(
			/* translators: %s: Space name. */
			__( 'Message to %s', 'space-inbox' ),
			c.name || __( 'Space', 'space-inbox' )
		);
	}

	messagesPath() {
		return `me/spaces/${ this.current.spaceId }/messages`;
	}

	tookPage( c, data ) {
		if ( ! data.space ) {
			return;
		}
		c.seenId = data.space_seen_id;
		c.reported = new Set( [
			...( c.reported || [] ),
			...( data.reported_ids || [] ),
		] );
		const renamed = c.name !== data.space.name;
		c.name = data.space.name;
		c.picture = data.space.avatar_url;
		c.accepting = data.space.accepting_messages !== false;
		if ( renamed ) {
			this.renderList();
		}
	}

	readPath( c ) {
		return `me/spaces/${ c.spaceId }/read`;
	}

	isMine( m ) {
		return m.from === 'me';
	}

	/**
	 * Who wrote a message: "You", or the Space (never who on its team).
	 *
	 * @param {Object} m A message record.
	 * @return {HTMLElement} Who wrote it, and when.
	 */
	sentMeta( m ) {
		const c = this.current;
		const who = this.isMine( m )
			? __( 'You', 'space-inbox' )
			: c.name || __( 'Space', 'space-inbox' );
		return h(
			'span',
			{},
			...withTime(
				/* translators: 1: who wrote the message ("You", a Space's or a member's name), 2: when. */
				__( '%1$s · %2$s', 'space-inbox' ),
				who,
				m.created_at
			),
			this.reports.control( c, m )
		);
	}

	refused( c, error ) {
		if (
			error instanceof ApiError &&
			[ 'space_deleted', 'blocked_by_space' ].includes( error.code )
		) {
			c.accepting = false;
		}
	}
}

// -- the front-end inbox: the member's own, and for a Space admin each Space's -------------

/**
 * @param {Object|null} data A summary.
 * @return {boolean} Whether the user answers for a Space.
 */
const onATeam = ( data ) =>
	Boolean( data && Array.isArray( data.spaces ) && data.spaces.length );

/**
 * The front-end inbox: the member's conversations with Spaces. For a Space admin the
 * switcher (switcher.js, loaded then) adds "My conversations" and one entry per Space,
 * each with its unread count; a Space's entry shows its team inbox.
 */
class FrontInbox {
	/** @param {HTMLElement} root The container PHP rendered. */
	constructor( root ) {
		this.root = root;
		/** What is in view: 0 for the member's own conversations, else a Space id. */
		this.active = null;
		/** @type {ConversationView|null} */
		this.inbox = null;
		/** The switcher, for a user on a Space's team. */
		this.switcher = null;
		this.adding = null;
		this.showing = 0;
		this.holder = h( 'div', { class: 'space-inbox-switcher__view' } );
		root.replaceChildren( this.holder );
	}

	async start() {
		const data = await summary.start();
		if ( onATeam( data ) ) {
			await this.addSwitcher( data ).catch( () => {} );
		}
		summary.subscribe( ( fresh ) => {
			if ( onATeam( fresh ) ) {
				this.addSwitcher( fresh ).catch( () => {} );
			} // Put on a team meanwhile.
		} );
		const first = this.switcher ? this.switcher.initial() : 0;
		await this.show( first ).catch( () => this.show( 0 ) );
	}

	/**
	 * Load the switcher (once).
	 *
	 * @param {Object} data The summary.
	 * @return {Promise<void>}
	 */
	addSwitcher( data ) {
		if ( ! this.adding ) {
			// The switcher is the team's: it comes with the team's stylesheet.
			this.adding = Promise.all( [
				loadModule( 'switcher.js' ),
				loadStylesheet( 'team.css', 'space-inbox-team-css' ),
			] ).then( ( [ { Switcher } ] ) => {
				this.switcher = new Switcher( this, data );
			} );
			this.adding.catch( () => {
				this.adding = null;
			} );
		}
		return this.adding;
	}

	/**
	 * Show the member's own conversations (0) or a Space's team inbox (its module and styles
	 * come through the switcher).
	 *
	 * @param {number} id
	 * @return {Promise<ConversationView>} The view now shown.
	 */
	async show( id ) {
		if ( this.inbox && this.active === id ) {
			return this.inbox;
		}
		const ticket = ++this.showing;
		const make = id
			? await this.switcher.teamInbox( id )
			: ( root ) => new MemberInbox( root );
		if ( ticket !== this.showing ) {
			return this.inbox;
		} // Switched again meanwhile.
		if ( this.inbox ) {
			this.inbox.stop();
			// Switched by hand: the conversation or Space of the previous view no longer applies.
			// The Dashboard stays in view from one Space to the next.
			const view =
				id && this.inbox.view === 'dashboard' ? 'dashboard' : null;
			setQuery(
				id
					? { team: id, space: null, conversation: null, view }
					: { team: null, conversation: null, view: null }
			);
		}
		this.active = id;
		const view = h( 'div', {
			class: `space-inbox space-inbox__view space-inbox--${
				id ? 'admin' : 'member'
			}`,
		} );
		this.holder.replaceChildren( view );
		this.inbox = make( view );
		if ( this.switcher ) {
			this.switcher.render();
		}
		this.inbox.start().catch( ( error ) => this.inbox.fail( error ) );
		return this.inbox;
	}
}

// -- start -------------------------------------------------------------------------------

/** Mount every member inbox on the page, and wire the Message buttons. */
function main() {
	if ( ! config.apiBase ) {
		return;
	} // Logged out: PHP hands no configuration.
	let member = null;
	let front = null;
	for ( const root of document.querySelectorAll(
		'[data-space-inbox="front"], [data-space-inbox="member"]'
	) ) {
		if ( root.dataset.spaceInboxMounted ) {
			continue;
		}
		root.dataset.spaceInboxMounted = '1';
		if ( root.dataset.spaceInbox === 'front' ) {
			front = front || new FrontInbox( root );
			front.start().catch( () => {} );
			continue;
		}
		const inbox = new MemberInbox( root );
		member = member || inbox;
		inbox.start().catch( ( error ) => inbox.fail( error ) );
	}

	// A Message button on a page that has the member inbox opens the Space right here;
	// elsewhere it is a plain link to the inbox page (?space=<id>), which does the same.
	if ( member || front ) {
		document.addEventListener( 'click', ( event ) => {
			const button =
				event.target.closest &&
				event.target.closest( '[data-space-inbox-open]' );
			if (
				! button ||
				event.ctrlKey ||
				event.metaKey ||
				event.shiftKey ||
				event.button !== 0
			) {
				return;
			}
			event.preventDefault();
			const spaceId = Number( button.dataset.spaceInboxOpen );
			Promise.resolve( member || front.show( 0 ) ).then( ( inbox ) =>
				inbox.openMember( spaceId, { focus: true } )
			);
		} );
	}
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', main );
} else {
	main();
}
