/**
 * Space Inbox: who on a Space's team a conversation is given to (team-inbox.js): the head's
 * "Assigned to" field (the team, or one of its admins), the list's filter (All, Mine,
 * Unassigned) and the name on each row given to someone.
 *
 * @module space-inbox/assignment
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

/** The head field's value for "left to the team". */
const TEAM = '';

/**
 * A team inbox's assignment: its list filter and its head field.
 */
export class Assignment {
	/** @param {Object} inbox The team inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		const id = inbox.uid;
		/** The list's filter: '' (all), 'me' or 'none'. */
		this.filter = '';
		this.filterSelect = h(
			'select',
			{
				id: `${ id }-assignee-filter`,
				onchange: () => {
					this.filter = this.filterSelect.value;
					inbox.loadList();
				},
			},
			h( 'option', {
				value: '',
				text: __( 'Everyone’s', 'space-inbox' ),
			} ),
			h( 'option', { value: 'me', text: __( 'Mine', 'space-inbox' ) } ),
			h( 'option', {
				value: 'none',
				text: __( 'Unassigned', 'space-inbox' ),
			} )
		);
		this.filterField = h(
			'div',
			{ class: 'space-inbox__field' },
			h( 'label', {
				for: `${ id }-assignee-filter`,
				text: __( 'Assigned', 'space-inbox' ),
			} ),
			this.filterSelect
		);
		this.select = h( 'select', {
			id: `${ id }-assignee`,
			onchange: () => this.change(),
		} );
		this.field = h(
			'div',
			{ class: 'space-inbox__field space-inbox__assignee', hidden: true },
			h( 'label', {
				for: `${ id }-assignee`,
				text: __( 'Assigned to', 'space-inbox' ),
			} ),
			this.select
		);
		/** The Space whose team the field offers. */
		this.offered = 0;
	}

	/** @return {Object} What the list's request adds. */
	listQuery() {
		return { assignee: this.filter || null };
	}

	/**
	 * The note on a list row given to someone.
	 *
	 * @param {Object} row A team-side API conversation.
	 * @return {Node|string} The note, or ''.
	 */
	itemNote( row ) {
		const assignee = row.assignee;
		if ( ! assignee ) {
			return '';
		}
		return h( 'span', {
			class: 'space-inbox__pill space-inbox__assigned',
			text:
				assignee.id === myId()
					? __( 'Yours', 'space-inbox' )
					: /* translators: %s: name of the Space admin a conversation is given to. */
					  sprintf( __( 'For %s', 'space-inbox' ), assignee.name ),
		} );
	}

	/**
	 * Show the open conversation's assignee (from its list row, which live changes reload).
	 *
	 * @param {Object}  c        The open conversation.
	 * @param {boolean} readOnly Whether the user may only read (oversight).
	 */
	async render( c, readOnly ) {
		const item = this.inbox.items.find( ( i ) => i.key === c.key );
		if ( item ) {
			c.assignee = item.row.assignee || null;
		}
		this.field.hidden = false;
		this.select.disabled = readOnly;
		await this.offer( c );
	}

	/**
	 * Fill the field with the Space's team and select the conversation's assignee.
	 *
	 * @param {Object} c The open conversation.
	 */
	async offer( c ) {
		const team = await teamOf( c.spaceId );
		if ( c !== this.inbox.current ) {
			return;
		}
		const wanted = c.assignee ? String( c.assignee.id ) : TEAM;
		const options = [
			[ TEAM, __( 'The team', 'space-inbox' ) ],
			...team.map( ( a ) => [
				String( a.id ),
				a.id === myId()
					? /* translators: %s: the user's own name, in the list of their Space's admins. */
					  sprintf( __( '%s (you)', 'space-inbox' ), a.name )
					: a.name,
			] ),
		];
		if ( c.assignee && ! team.some( ( a ) => a.id === c.assignee.id ) ) {
			options.push( [ wanted, c.assignee.name ] ); // Not (yet) in the team known here.
		}
		const said = JSON.stringify( options );
		if ( this.offered !== said ) {
			this.offered = said;
			this.select.replaceChildren(
				...options.map( ( [ value, text ] ) =>
					h( 'option', { value, text } )
				)
			);
		}
		this.select.value = wanted;
	}

	/** The field changed: give the conversation to that admin, or back to the team. */
	async change() {
		const inbox = this.inbox;
		const c = inbox.current;
		if ( ! c ) {
			return;
		}
		const value = this.select.value;
		this.select.disabled = true;
		try {
			const { data } = await api(
				`spaces/${ c.spaceId }/conversations/${ c.conversationId }/assign`,
				{
					method: 'POST',
					body: {
						assignee_id: value === TEAM ? null : Number( value ),
					},
				}
			);
			c.assignee = data.assignee;
			const item = inbox.items.find( ( i ) => i.key === c.key );
			if ( item ) {
				item.row.assignee = data.assignee;
			}
			let said = __( 'Left to the team.', 'space-inbox' );
			if ( data.assignee && data.assignee.id === myId() ) {
				said = __( 'This conversation is yours now.', 'space-inbox' );
			} else if ( data.assignee ) {
				said = sprintf(
					/* translators: %s: name of the Space admin the conversation was given to. */
					__( 'Given to %s.', 'space-inbox' ),
					data.assignee.name
				);
			}
			inbox.say( said );
			await inbox.loadList();
		} catch ( error ) {
			inbox.fail( error );
		} finally {
			this.select.disabled = inbox.isReadOnly( c.spaceId );
			if ( c === inbox.current ) {
				this.offer( c );
			}
		}
	}
}
