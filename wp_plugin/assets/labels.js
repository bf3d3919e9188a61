/**
 * Space Inbox: a Space's labels in its team inbox (team-inbox.js): the list's filter
 * ("Label"), the labels on each row, and the head's "Labels" button, which opens a panel to
 * put the Space's labels on the open conversation or take them off, add a label, and
 * rename, recolour or delete one (label-editor.js). A label is a name and one of the
 * bridge's colours (LABEL_COLOURS), drawn as a dot beside the name: the name says it, the
 * colour helps.
 *
 * @module space-inbox/labels
 */

const { __, sprintf } = window.wp.i18n;
const [ { api, h }, { NAME_MAX, pill, colourSelect, LabelEditor } ] =
	await Promise.all(
		[ 'badge.js', 'label-editor.js' ].map( ( name ) =>
			import(
				new URL(
					`${ name }${ new URL( import.meta.url ).search }`,
					import.meta.url
				).href
			)
		)
	);

/**
 * A team inbox's labels: its filter, its rows' pills and the head's panel.
 */
export class Labels {
	/** @param {Object} inbox The team inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		const id = ( this.id = inbox.uid );
		/** The Space's labels ({id, name, colour, conversations}), once loaded. */
		this.all = [];
		/** The Space they are of. */
		this.spaceId = 0;
		/** Counts the asks of the Space's labels and the changes made here (see load()). */
		this.loads = 0;
		/** The list's filter: a label's id, or '' (any). */
		this.filter = '';
		this.filterSelect = h( 'select', {
			id: `${ id }-label-filter`,
			onchange: () => {
				this.filter = this.filterSelect.value;
				inbox.loadList();
			},
		} );
		this.filterField = h(
			'div',
			{ class: 'space-inbox__field', hidden: true },
			h( 'label', {
				for: `${ id }-label-filter`,
				text: __( 'Label', 'space-inbox' ),
			} ),
			this.filterSelect
		);
		this.button = h( 'button', {
			type: 'button',
			class: 'space-inbox__labels-button',
			'aria-expanded': 'false',
			'aria-controls': `${ id }-labels`,
			text: __( 'Labels', 'space-inbox' ),
			onclick: () => this.toggle(),
		} );
		this.pills = h( 'span', { class: 'space-inbox__labels-on' } );
		this.node = h(
			'div',
			{ class: 'space-inbox__labels', hidden: true },
			this.button,
			this.pills
		);
		this.choices = h( 'div', { class: 'space-inbox__label-choices' } );
		/** Renaming, recolouring and deleting a label, in its row (label-editor.js). */
		this.editor = new LabelEditor( this );
		this.newName = h( 'input', {
			id: `${ id }-label-name`,
			type: 'text',
			maxlength: NAME_MAX,
			autocomplete: 'off',
		} );
		this.newColour = colourSelect( `${ id }-label-colour`, 'blue' );
		this.panel = h(
			'div',
			{
				id: `${ id }-labels`,
				class: 'space-inbox__labels-panel',
				role: 'group',
				'aria-label': __(
					'Labels of this conversation',
					'space-inbox'
				),
				hidden: true,
				onkeydown: ( event ) => {
					if ( event.key === 'Escape' ) {
						event.preventDefault();
						this.close( true );
					}
				},
			},
			this.choices,
			( this.newForm = h(
				'form',
				{
					class: 'space-inbox__label-new',
					onsubmit: ( event ) => {
						event.preventDefault();
						this.create();
					},
				},
				h( 'label', {
					for: this.newName.id,
					text: __( 'New label', 'space-inbox' ),
				} ),
				this.newName,
				h( 'label', {
					for: this.newColour.id,
					text: __( 'Colour', 'space-inbox' ),
				} ),
				this.newColour,
				h( 'button', {
					type: 'submit',
					class: 'button-primary',
					text: __( 'Add label', 'space-inbox' ),
				} )
			) ),
			h( 'button', {
				type: 'button',
				class: 'space-inbox__labels-done',
				text: __( 'Done', 'space-inbox' ),
				onclick: () => this.close( true ),
			} )
		);
	}

	/** @return {Object} What the list's request adds. */
	listQuery() {
		return { label: this.filter || null };
	}

	/**
	 * The pills of a list row's labels.
	 *
	 * @param {Object} row A team-side API conversation.
	 * @return {Node|string} The pills, or ''.
	 */
	itemNote( row ) {
		const labels = Array.isArray( row.labels ) ? row.labels : [];
		return labels.length
			? h(
					'span',
					{ class: 'space-inbox__row-labels' },
					labels.map( pill )
			  )
			: '';
	}

	/**
	 * The Space's labels, asked again (a teammate may have changed them).
	 *
	 * @param {number} spaceId
	 */
	async load( spaceId ) {
		const ticket = ++this.loads;
		try {
			const { data } = await api( `spaces/${ spaceId }/labels` );
			if ( spaceId !== this.inbox.spaceId || ticket !== this.loads ) {
				return; // Another Space now, or a change made here since it was asked.
			}
			this.spaceId = spaceId;
			this.all = Array.isArray( data.labels ) ? data.labels : [];
		} catch {
			return; // The filter and the panel keep what they had; asked again next time.
		}
		this.renderFilter();
		if ( ! this.panel.hidden ) {
			this.renderChoices();
		}
	}

	/** The list's filter: any label, or one; shown once the Space has labels. */
	renderFilter() {
		if (
			this.filter &&
			! this.all.some( ( l ) => String( l.id ) === this.filter )
		) {
			this.filter = ''; // Deleted meanwhile.
		}
		this.filterSelect.replaceChildren(
			h( 'option', { value: '', text: __( 'Any', 'space-inbox' ) } ),
			...this.all.map( ( l ) =>
				h( 'option', { value: String( l.id ), text: l.name } )
			)
		);
		this.filterSelect.value = this.filter;
		this.filterField.hidden =
			this.inbox.view === 'dashboard' || ! this.all.length;
	}

	/**
	 * Show the open conversation's labels (from its list row, which live changes reload).
	 *
	 * @param {Object}  c        The open conversation.
	 * @param {boolean} readOnly Whether the user may only read (oversight).
	 */
	render( c, readOnly ) {
		const item = this.inbox.items.find( ( i ) => i.key === c.key );
		if ( item ) {
			c.labels = item.row.labels || [];
		}
		this.node.hidden = false;
		this.button.hidden = readOnly;
		this.pills.replaceChildren( ...( c.labels || [] ).map( pill ) );
		if ( readOnly ) {
			this.close( false );
		} else if ( ! this.panel.hidden ) {
			this.renderChoices();
		}
	}

	/** No conversation is open. */
	clear() {
		this.node.hidden = true;
		this.close( false );
	}

	/** Open the panel, or close it. */
	toggle() {
		if ( this.panel.hidden ) {
			this.panel.hidden = false;
			this.button.setAttribute( 'aria-expanded', 'true' );
			this.renderChoices();
			this.load( this.inbox.spaceId );
			( this.choices.querySelector( 'input' ) || this.newName ).focus();
		} else {
			this.close( true );
		}
	}

	/** @param {boolean} focus Put the focus back on the button. */
	close( focus ) {
		this.panel.hidden = true;
		this.button.setAttribute( 'aria-expanded', 'false' );
		if ( focus ) {
			this.button.focus();
		}
	}

	/** The panel's list: a checkbox per label, and its Edit button. */
	renderChoices() {
		this.newForm.hidden = false;
		const c = this.inbox.current;
		const on = new Set( ( c?.labels || [] ).map( ( l ) => l.id ) );
		if ( ! this.all.length ) {
			this.choices.replaceChildren(
				h( 'p', {
					class: 'space-inbox__empty',
					text: __(
						'This Space has no labels yet: add one below.',
						'space-inbox'
					),
				} )
			);
			return;
		}
		this.choices.replaceChildren(
			h(
				'ul',
				{ class: 'space-inbox__label-list' },
				this.all.map( ( label ) => {
					const box = h( 'input', {
						type: 'checkbox',
						id: `${ this.id }-label-${ label.id }`,
						checked: on.has( label.id ),
						onchange: () => this.put( label, box ),
					} );
					return h(
						'li',
						{},
						box,
						h( 'label', { for: box.id }, pill( label ) ),
						h( 'button', {
							type: 'button',
							class: 'button-link',
							text: __( 'Edit', 'space-inbox' ),
							'aria-label': sprintf(
								/* translators: %s: a label's name. */
								__( 'Edit the label %s', 'space-inbox' ),
								label.name
							),
							onclick: ( event ) =>
								this.editor.edit(
									label,
									event.target.closest( 'li' )
								),
						} )
					);
				} )
			)
		);
	}

	/**
	 * Put a label on the open conversation, or take it off, as its checkbox says.
	 *
	 * @param {Object}           label
	 * @param {HTMLInputElement} box
	 */
	async put( label, box ) {
		const on = box.checked;
		box.disabled = true;
		const done = await this.apply(
			on ? { add: [ label.id ] } : { remove: [ label.id ] },
			on
				? /* translators: %s: a label's name. */
				  sprintf( __( 'Label %s added.', 'space-inbox' ), label.name )
				: sprintf(
						/* translators: %s: a label's name. */
						__( 'Label %s removed.', 'space-inbox' ),
						label.name
				  )
		);
		box.disabled = false;
		if ( ! done ) {
			box.checked = ! on;
		}
		// A live change may have drawn the panel again meanwhile: focus the box shown.
		( box.ownerDocument.getElementById( box.id ) || box ).focus();
	}

	/**
	 * Change the open conversation's labels.
	 *
	 * @param {Object} body `{add?, remove?}` label ids.
	 * @param {string} said What to say once done.
	 * @return {Promise<boolean>} Whether it was done.
	 */
	async apply( body, said ) {
		const inbox = this.inbox;
		const c = inbox.current;
		if ( ! c ) {
			return false;
		}
		try {
			const { data } = await api(
				`spaces/${ c.spaceId }/conversations/${ c.conversationId }/labels`,
				{ method: 'POST', body }
			);
			c.labels = data.labels;
			const item = inbox.items.find( ( i ) => i.key === c.key );
			if ( item ) {
				item.row.labels = data.labels;
			}
			this.pills.replaceChildren( ...data.labels.map( pill ) );
			if ( ! this.panel.hidden ) {
				this.renderChoices(); // Drawn meanwhile from the list as it was, perhaps.
			}
			inbox.say( said );
			inbox.loadList();
			return true;
		} catch ( error ) {
			inbox.fail( error );
			return false;
		}
	}

	/** Add the new label to the Space's, and put it on the open conversation. */
	async create() {
		const name = this.newName.value.replace( /\s+/g, ' ' ).trim();
		if ( ! name ) {
			this.newName.focus();
			return;
		}
		const spaceId = this.inbox.spaceId;
		try {
			const { data } = await api( `spaces/${ spaceId }/labels`, {
				method: 'POST',
				body: { name, colour: this.newColour.value },
			} );
			this.newName.value = '';
			this.loads++; // An answer asked before this label was made is older.
			this.all = [ ...this.all, data ].sort( ( a, b ) =>
				a.name.localeCompare( b.name )
			);
			this.renderFilter();
			await this.apply(
				{ add: [ data.id ] },
				/* translators: %s: a label's name. */
				sprintf( __( 'Label %s added.', 'space-inbox' ), data.name )
			);
			this.renderChoices();
			this.newName.focus();
		} catch ( error ) {
			this.inbox.fail( error );
			this.newName.focus();
		}
	}

	/** A label changed: the filter, the panel, the list and the open conversation follow. */
	async afterChange() {
		this.loads++; // An answer asked before the change is older.
		this.renderFilter();
		this.renderChoices();
		this.button.focus();
		await this.inbox.loadList();
		if ( this.inbox.current ) {
			this.render( this.inbox.current, false );
		}
	}
}
