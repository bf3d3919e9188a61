/**
 * Space Inbox: what a team inbox (team-inbox.js) shows beyond the conversation view: its
 * toolbar (the Space picker of wp-admin, Conversations or Dashboard, the status filter),
 * the head's assignee (assignment.js), "Mark done" and "Block this member", who else on the
 * team is replying, the
 * reply box's saved replies, its switch to a private note (notes.js) and its question when
 * a teammate answered meanwhile, the response line of the list's rows, and the audit label
 * under the Space's answers and notes.
 *
 * @module space-inbox/team-parts
 */

const { __, _n, sprintf } = window.wp.i18n;
const [
	{ h, parseTime },
	{ withTime },
	{ TypingMarks, viewingMarks, hereMarks },
	{ TypingWatch },
	{ SavedReplies, ReplyPicker },
	{ AnsweredMeanwhile },
	{ duration },
	{ NoteMode },
	{ Assignment },
] = await Promise.all(
	[
		'badge.js',
		'message-log.js',
		'typing.js',
		'typing-watch.js',
		'reply-picker.js',
		'meanwhile.js',
		'team-common.js',
		'notes.js',
		'assignment.js',
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
 * The team's response line of a conversation: how long the first answer took, or how
 * long the member has been waiting.
 *
 * @param {Object} row A team-side API conversation.
 * @return {string} The line, or '' for neither.
 */
export function responseLine( row ) {
	const waiting = parseTime( row.awaiting_since );
	if ( waiting ) {
		return sprintf(
			/* translators: %s: a span of time, e.g. "12 min". */
			__( 'Waiting %s', 'space-inbox' ),
			duration( Date.now() - waiting.getTime() )
		);
	}
	const first = parseTime( row.first_message_at );
	const answered = parseTime( row.first_response_at );
	if ( first && answered ) {
		return sprintf(
			/* translators: %s: a span of time, e.g. "12 min". */
			__( 'First answer in %s', 'space-inbox' ),
			duration( answered.getTime() - first.getTime() )
		);
	}
	return '';
}

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
 * @param {Object} inbox The team inbox.
 */
export function teamParts( inbox ) {
	const id = inbox.uid;
	inbox.spaceSelect = inbox.fixed
		? null
		: h( 'select', {
				id: `${ id }-space`,
				onchange: () =>
					inbox.selectSpace( Number( inbox.spaceSelect.value ) ),
		  } );
	inbox.filterSelect = h(
		'select',
		{
			id: `${ id }-filter`,
			onchange: () => {
				inbox.statusFilter = inbox.filterSelect.value;
				inbox.loadList();
			},
		},
		h( 'option', { value: 'open', text: __( 'Open', 'space-inbox' ) } ),
		h( 'option', { value: 'done', text: __( 'Done', 'space-inbox' ) } ),
		h( 'option', { value: '', text: __( 'All', 'space-inbox' ) } )
	);
	inbox.filterField = h(
		'div',
		{ class: 'space-inbox__field' },
		h( 'label', {
			for: `${ id }-filter`,
			text: __( 'Show', 'space-inbox' ),
		} ),
		inbox.filterSelect
	);
	inbox.assignment = new Assignment( inbox );
	inbox.viewButtons = {
		inbox: h( 'button', {
			type: 'button',
			class: 'space-inbox__view-button',
			'aria-pressed': 'true',
			text: __( 'Conversations', 'space-inbox' ),
			onclick: () => inbox.showView( 'inbox' ),
		} ),
		dashboard: h( 'button', {
			type: 'button',
			class: 'space-inbox__view-button',
			'aria-pressed': 'false',
			text: __( 'Dashboard', 'space-inbox' ),
			onclick: () => inbox.showView( 'dashboard' ),
		} ),
	};
	const toolbar = h(
		'div',
		{ class: 'space-inbox__toolbar' },
		inbox.spaceSelect &&
			h(
				'div',
				{ class: 'space-inbox__field' },
				h( 'label', {
					for: `${ id }-space`,
					text: __( 'Space', 'space-inbox' ),
				} ),
				inbox.spaceSelect
			),
		h(
			'div',
			{
				class: 'space-inbox__views',
				role: 'group',
				'aria-label': __( 'View', 'space-inbox' ),
			},
			inbox.viewButtons.inbox,
			inbox.viewButtons.dashboard
		),
		inbox.filterField,
		inbox.assignment.filterField
	);
	inbox.statusButton = h( 'button', {
		type: 'button',
		class: 'button space-inbox__status-button',
		hidden: true,
		onclick: () => inbox.toggleStatus(),
	} );
	inbox.blockButton = h( 'button', {
		type: 'button',
		class: 'button space-inbox__block-button',
		hidden: true,
		onclick: () => inbox.toggleBlock(),
	} );

	inbox.typingNotice = h( 'p', {
		class: 'space-inbox__typing',
		'aria-live': 'polite',
	} );
	inbox.marks = new TypingMarks();
	inbox.viewingMarks = viewingMarks();
	inbox.hereMarks = hereMarks();
	inbox.watch = new TypingWatch(
		( data ) => {
			inbox.typingNotice.textContent = presenceLine( data );
		},
		( data ) =>
			inbox.catchUp(
				data.last_message_id ? `m${ data.last_message_id }` : '',
				data.last_note_id ? `n${ data.last_note_id }` : ''
			)
	);
	inbox.store = new SavedReplies();
	inbox.picker = new ReplyPicker( {
		textarea: inbox.textarea,
		store: inbox.store,
		spaceId: () => inbox.spaceId,
		onManage: () => inbox.manageReplies(),
		uid: id,
	} );
	inbox.meanwhile = new AnsweredMeanwhile( inbox );
	inbox.noteMode = new NoteMode( inbox );
	return {
		toolbar,
		head: [ inbox.assignment.field, inbox.statusButton, inbox.blockButton ],
		thread: [ inbox.typingNotice ],
		composeTop: [
			inbox.noteMode.node,
			inbox.meanwhile.box,
			inbox.picker.panel,
		],
		composeButtons: [ inbox.picker.button ],
		hint: __(
			'Press Ctrl+Enter (⌘+Enter on a Mac) to send; type / to insert a saved reply.',
			'space-inbox'
		),
	};
}

/**
 * The audit label of what an admin wrote: their name and when.
 *
 * @param {Object} m           A message or note record (`author`, `created_at`).
 * @param {string} format      A translated format with %1$s (who) and %2$s (when).
 * @param {string} [className] A class beside `space-inbox__audit`.
 * @return {HTMLElement} The label.
 */
function signed( m, format, className = '' ) {
	const who =
		m.author && m.author.name
			? m.author.name
			: __( 'Deleted user', 'space-inbox' );
	return h(
		'span',
		{ class: `space-inbox__audit ${ className }`.trim() },
		...withTime( format, who, m.created_at )
	);
}

/**
 * Who wrote a message or a note: the member, or who on the team (the audit label).
 *
 * @param {Object} inbox The team inbox.
 * @param {Object} m     A message record.
 * @return {HTMLElement} Who wrote it, and when.
 */
export function auditMeta( inbox, m ) {
	if ( m.note ) {
		return signed(
			m,
			/* translators: 1: name of the Space admin who wrote the note, 2: when. Shown to Space admins only. */
			__( 'Private note by %1$s · %2$s', 'space-inbox' ),
			'space-inbox__note-meta'
		);
	}
	if ( m.from === 'space' && m.automatic ) {
		return h(
			'span',
			{ class: 'space-inbox__audit space-inbox__automatic' },
			...withTime(
				/* translators: 1: who wrote the message ("You", a Space's or a member's name), 2: when. */
				__( '%1$s · %2$s', 'space-inbox' ),
				__( 'Automatic away answer', 'space-inbox' ),
				m.created_at
			)
		);
	}
	if ( m.from === 'space' ) {
		return signed(
			m,
			/* translators: 1: name of the Space admin who wrote the answer, 2: when. Shown to Space admins only. */
			__( 'sent by %1$s · %2$s', 'space-inbox' )
		);
	}
	return h(
		'span',
		{},
		...withTime(
			/* translators: 1: who wrote the message ("You", a Space's or a member's name), 2: when. */
			__( '%1$s · %2$s', 'space-inbox' ),
			inbox.current.name,
			m.created_at
		)
	);
}
