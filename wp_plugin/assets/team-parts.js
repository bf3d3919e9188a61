/**
 * Space Inbox: what a team inbox (team-inbox.js) shows beyond the conversation view: its
 * toolbar (the Space picker of wp-admin, team-spaces.js; Conversations or Dashboard; the
 * list's filters, team-list.js), the head's assignee (assignment.js) and labels
 * (labels.js), "Mark done" and
 * "Block this member", who else on the team is at the conversation (team-presence.js), the
 * reply box's saved replies, its switch to a private note (notes.js) and its question when
 * a teammate answered meanwhile, and the audit label under the Space's answers and notes.
 *
 * @module space-inbox/team-parts
 */

const { __ } = window.wp.i18n;
const [
	{ h },
	{ withTime },
	{ TeamPresence },
	{ SavedReplies, ReplyPicker },
	{ AnsweredMeanwhile },
	{ NoteMode },
	{ Assignment },
	{ Labels },
	{ TeamList },
] = await Promise.all(
	[
		'badge.js',
		'message-log.js',
		'team-presence.js',
		'reply-picker.js',
		'meanwhile.js',
		'notes.js',
		'assignment.js',
		'labels.js',
		'team-list.js',
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
 * @param {Object} inbox The team inbox.
 */
export function teamParts( inbox ) {
	const id = inbox.uid;
	inbox.assignment = new Assignment( inbox );
	inbox.labels = new Labels( inbox );
	inbox.teamList = new TeamList( inbox );
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
		inbox.spaces.field,
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
		...inbox.teamList.fields
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

	inbox.presence = new TeamPresence( inbox );
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
		head: [
			inbox.assignment.field,
			inbox.labels.node,
			inbox.statusButton,
			inbox.blockButton,
			inbox.labels.panel,
		],
		thread: [ inbox.presence.notice ],
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
