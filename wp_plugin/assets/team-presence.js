/**
 * Space Inbox: who else on a Space's team is at its inbox (team-inbox.js), and the user's
 * own marks for them. The user's page says which conversation it shows (`…/viewing`),
 * that the Space's inbox is open (`…/here`, for assignment in turn) and when they type an
 * answer (`…/typing`, typing.js); it hears the others' (typing-watch.js) and says who is
 * replying, answering or also here, under the messages and on the list's rows.
 *
 * @module space-inbox/team-presence
 */

const { __, _n, sprintf } = window.wp.i18n;
const [
	{ h, summary },
	{ TypingMarks, viewingMarks, hereMarks },
	{ TypingWatch },
] = await Promise.all(
	[ 'badge.js', 'typing.js', 'typing-watch.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * Names joined for a sentence: "Giulia", "Giulia and Ben", "Giulia, Ben and Ada".
 *
 * @param {Array<Object>} people `{id, name}`.
 * @return {string} The names.
 */
function names( people ) {
	const all = people.map( ( p ) => p.name );
	if ( all.length < 2 ) {
		return all.join( '' );
	}
	return sprintf(
		/* translators: 1: names separated by commas, 2: the last name. */
		__( '%1$s and %2$s', 'space-inbox' ),
		all.slice( 0, -1 ).join( ', ' ),
		all[ all.length - 1 ]
	);
}

/**
 * Who else on the team is at the open conversation: typing an answer ("Giulia is
 * replying…"), else answering it (her claim, while she pauses), and who has it open.
 *
 * @param {Object|null} data The conversation's check (`{who, answering, viewing}`).
 * @return {string} What the notice says ('' for nobody).
 */
export function presenceLine( data ) {
	if ( ! data ) {
		return '';
	}
	const said = [];
	const who = Array.isArray( data.who ) ? data.who : [];
	const answering = Array.isArray( data.answering ) ? data.answering : [];
	if ( who.length ) {
		said.push( typists( who ) );
	} else if ( answering.length ) {
		said.push(
			sprintf(
				/* translators: %s: names of Space admins. */
				_n(
					'%s is answering this conversation: you can still answer too.',
					'%s are answering this conversation: you can still answer too.',
					answering.length,
					'space-inbox'
				),
				names( answering )
			)
		);
	}
	const busy = new Set( [ ...who, ...answering ].map( ( p ) => p.id ) );
	const viewing = (
		Array.isArray( data.viewing ) ? data.viewing : []
	).filter( ( p ) => ! busy.has( p.id ) );
	if ( viewing.length ) {
		said.push(
			sprintf(
				/* translators: %s: names of Space admins. */
				__( 'Also here: %s.', 'space-inbox' ),
				names( viewing )
			)
		);
	}
	return said.join( ' ' );
}

/**
 * A list row's note of who else is answering or viewing its conversation.
 *
 * @param {Object} row A team-side API conversation.
 * @return {Node|string} The note, or ''.
 */
export function presenceNote( row ) {
	const answering = Array.isArray( row.answering ) ? row.answering : [];
	const viewing = ( Array.isArray( row.viewing ) ? row.viewing : [] ).filter(
		( p ) => ! answering.some( ( a ) => a.id === p.id )
	);
	const said = [];
	if ( answering.length ) {
		said.push(
			sprintf(
				/* translators: %s: names of Space admins answering a conversation. */
				__( '%s answering', 'space-inbox' ),
				names( answering )
			)
		);
	}
	if ( viewing.length ) {
		said.push(
			sprintf(
				/* translators: %s: names of Space admins who have a conversation open. */
				__( '%s viewing', 'space-inbox' ),
				names( viewing )
			)
		);
	}
	return said.length
		? h( 'span', {
				class: 'space-inbox__presence',
				text: said.join( ' · ' ),
		  } )
		: '';
}

/**
 * Who else on the team is answering, by name ("Giulia is replying…").
 *
 * @param {Array<Object>} who The typists (`{id, name}`), the reader left out.
 * @return {string} What the notice says.
 */
function typists( who ) {
	const named = who.map( ( p ) => p.name );
	if ( named.length === 1 ) {
		/* translators: %s: name of a Space admin. */
		return sprintf( __( '%s is replying…', 'space-inbox' ), named[ 0 ] );
	}
	if ( named.length === 2 ) {
		return sprintf(
			/* translators: 1, 2: names of two Space admins. */
			__( '%1$s and %2$s are replying…', 'space-inbox' ),
			named[ 0 ],
			named[ 1 ]
		);
	}
	return __( 'Several of your team are replying…', 'space-inbox' );
}

/**
 * A team inbox's presence: its own marks, and the notice of the others'.
 */
export class TeamPresence {
	/** @param {Object} inbox The team inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		this.notice = h( 'p', {
			class: 'space-inbox__typing',
			'aria-live': 'polite',
		} );
		/** The user's typing marks (a claim on the conversation while they answer). */
		this.marks = new TypingMarks();
		this.viewing = viewingMarks();
		this.here = hereMarks();
		this.watch = new TypingWatch(
			( data ) => {
				this.notice.textContent = presenceLine( data );
			},
			( data ) =>
				inbox.catchUp(
					data.last_message_id ? `m${ data.last_message_id }` : '',
					data.last_note_id ? `n${ data.last_note_id }` : ''
				)
		);
		this.listTimer = 0;
		this.reloadTimer = 0;
		this.stopEvents = null;
	}

	/**
	 * Who is viewing and answering shows on the list's rows too: it is reloaded when a live
	 * event says someone came or went, and, without the stream, every 20 s while it is seen.
	 */
	start() {
		const inbox = this.inbox;
		this.stopEvents = summary.on( 'typing', ( event ) => {
			if ( Number( event.space_id ) === inbox.spaceId ) {
				window.clearTimeout( this.reloadTimer );
				this.reloadTimer = window.setTimeout(
					() => inbox.loadList(),
					500
				);
			}
		} );
		this.listTimer = window.setInterval( () => {
			if (
				! summary.live &&
				! document.hidden &&
				inbox.view === 'inbox' &&
				! inbox.locked
			) {
				inbox.loadList();
			}
		}, 20000 );
	}

	/** The marks and the notice follow the Space and the conversation in view. */
	follow() {
		const inbox = this.inbox;
		const mine = ! inbox.isReadOnly( inbox.spaceId );
		this.here.follow(
			mine && inbox.spaceId ? `spaces/${ inbox.spaceId }/here` : ''
		);
		const c = inbox.view === 'inbox' ? inbox.current : null;
		const base = c
			? `spaces/${ c.spaceId }/conversations/${ c.conversationId }`
			: '';
		const path = base ? `${ base }/typing` : '';
		this.marks.follow( mine ? path : '' );
		this.viewing.follow( mine && base ? `${ base }/viewing` : '' );
		this.watch.watch(
			path,
			( event ) =>
				Number( event.space_id ) === c.spaceId &&
				Number( event.conversation_id ) === c.conversationId
		);
	}

	/** The view is gone. */
	stop() {
		window.clearInterval( this.listTimer );
		window.clearTimeout( this.reloadTimer );
		this.stopEvents?.();
		this.viewing.stop();
		this.here.stop();
		this.marks.follow( '' );
		this.watch.stop();
	}
}
