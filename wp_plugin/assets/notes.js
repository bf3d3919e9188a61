/**
 * Space Inbox: a Space team's private notes (team-inbox.js). The reply box writes either an
 * answer to the member, as the Space, or a note for the team only: a switch above the box
 * ("Reply" / "Private note"), a box drawn differently while it writes a note, and under
 * the switch who `@name` tells. A note stays a note until the switch is pressed again or
 * another conversation is opened, so that text meant for the team is never sent to the
 * member by a box that changed under it.
 *
 * @module space-inbox/notes
 */

const { __, sprintf } = window.wp.i18n;
const [ { api, h }, { teamOf, myId } ] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * The reply box's two ways of writing, and the Space's team that `@` names.
 */
export class NoteMode {
	/** @param {Object} inbox The team inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		/** Whether the box writes a note. */
		this.on = false;
		/** The Space's admins ({id, name, mention}), once known. */
		this.team = [];
		this.replyButton = h( 'button', {
			type: 'button',
			class: 'space-inbox__view-button space-inbox__mode',
			'aria-pressed': 'true',
			text: __( 'Reply', 'space-inbox' ),
			onclick: () => this.set( false ),
		} );
		this.noteButton = h( 'button', {
			type: 'button',
			class: 'space-inbox__view-button space-inbox__mode--note',
			'aria-pressed': 'false',
			text: __( 'Private note', 'space-inbox' ),
			onclick: () => this.set( true ),
		} );
		this.help = h( 'p', {
			id: `${ inbox.uid }-note-help`,
			class: 'space-inbox__note-help',
			hidden: true,
		} );
		this.node = h(
			'div',
			{ class: 'space-inbox__modes-wrap' },
			h(
				'div',
				{
					class: 'space-inbox__modes',
					role: 'group',
					'aria-label': __( 'Write', 'space-inbox' ),
				},
				this.replyButton,
				this.noteButton
			),
			this.help
		);
	}

	/**
	 * Write a note, or an answer.
	 *
	 * @param {boolean} on      A note.
	 * @param {boolean} [focus] Put the focus in the box.
	 */
	set( on, focus = true ) {
		const inbox = this.inbox;
		this.on = on;
		this.replyButton.setAttribute( 'aria-pressed', on ? 'false' : 'true' );
		this.noteButton.setAttribute( 'aria-pressed', on ? 'true' : 'false' );
		inbox.compose.classList.toggle( 'is-note', on );
		inbox.composer.sendButton.textContent = on
			? __( 'Add note', 'space-inbox' )
			: __( 'Send', 'space-inbox' );
		this.help.hidden = ! on;
		const described = `${ inbox.uid }-count ${ inbox.uid }-hint`;
		inbox.textarea.setAttribute(
			'aria-describedby',
			on ? `${ this.help.id } ${ described }` : described
		);
		if ( on ) {
			inbox.presence.marks.stop(); // A note is no answer: nobody is "replying".
			this.loadTeam();
		}
		this.describe();
		inbox.renderHead();
		if ( focus ) {
			inbox.textarea.focus();
		}
	}

	/** What the line under the switch says: who sees notes, and who `@` tells. */
	describe() {
		const others = this.team.filter(
			( a ) => a.mention && a.id !== myId()
		);
		const names = others
			.map( ( a ) =>
				sprintf(
					/* translators: 1: a teammate's mention name ("giulia"), 2: their display name. */
					__( '@%1$s (%2$s)', 'space-inbox' ),
					a.mention,
					a.name
				)
			)
			.join( ', ' );
		this.help.textContent = names
			? sprintf(
					/* translators: %s: the teammates a note can mention, e.g. "@giulia (Giulia Rossi)". */
					__(
						'Only your team sees notes. To tell a teammate, write @ and their name: %s.',
						'space-inbox'
					),
					names
			  )
			: __( 'Only your team sees notes.', 'space-inbox' );
	}

	/**
	 * @param {Object} data A note as the API gives it.
	 * @return {Object} Its record in the log, keyed apart from the messages.
	 */
	record( data ) {
		return { ...data, key: `n${ data.id }`, note: true };
	}

	/**
	 * Take the notes written among a page of messages.
	 *
	 * @param {Object} c    The conversation.
	 * @param {Object} data The page (`notes`).
	 */
	took( c, data ) {
		for ( const note of data.notes || [] ) {
			const record = this.record( note );
			c.messages.set( record.key, record );
		}
	}

	/**
	 * @param {Object} body The note's POST body.
	 * @return {Promise<Object>} The bridge's answer.
	 */
	post( body ) {
		const c = this.inbox.current;
		return api(
			`spaces/${ c.spaceId }/conversations/${ c.conversationId }/notes`,
			{ method: 'POST', body }
		);
	}

	/** The Space's team, for the line under the switch. */
	async loadTeam() {
		const spaceId = this.inbox.spaceId;
		const team = await teamOf( spaceId );
		if ( spaceId === this.inbox.spaceId ) {
			this.team = team;
			this.describe();
		}
	}
}
