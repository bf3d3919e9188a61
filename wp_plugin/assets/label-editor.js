/**
 * Space Inbox: a Space's labels' look and their editing (labels.js): a label's pill (a dot
 * of its colour, its name), the choice of colours, and, in a label's row of the head's
 * panel, renaming, recolouring and deleting it (after a question, in place).
 *
 * @module space-inbox/label-editor
 */

const { __, _n, sprintf } = window.wp.i18n;
const [ { api, h, num }, { teamConfig } ] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

export const NAME_MAX = Number( teamConfig.labelNameMax ) || 40;
/** The colours a label may take, by their names in the API, with the words for them. */
const COLOURS = {
	grey: __( 'Grey', 'space-inbox' ),
	red: __( 'Red', 'space-inbox' ),
	orange: __( 'Orange', 'space-inbox' ),
	yellow: __( 'Yellow', 'space-inbox' ),
	green: __( 'Green', 'space-inbox' ),
	teal: __( 'Teal', 'space-inbox' ),
	blue: __( 'Blue', 'space-inbox' ),
	purple: __( 'Purple', 'space-inbox' ),
	pink: __( 'Pink', 'space-inbox' ),
};

/**
 * A label as a pill: its colour's dot, and its name.
 *
 * @param {Object} label `{name, colour}`.
 * @return {HTMLElement} The pill.
 */
export function pill( label ) {
	return h( 'span', {
		class: `space-inbox__label space-inbox__label--${
			COLOURS[ label.colour ] ? label.colour : 'grey'
		}`,
		text: label.name,
	} );
}

/**
 * @param {string} id    The select's id.
 * @param {string} value The colour selected.
 * @return {HTMLSelectElement} A choice of the colours.
 */
export function colourSelect( id, value ) {
	const select = h(
		'select',
		{ id },
		...Object.entries( COLOURS ).map( ( [ key, text ] ) =>
			h( 'option', { value: key, text } )
		)
	);
	select.value = value;
	return select;
}

/**
 * A label's editing, in its row of the panel.
 */
export class LabelEditor {
	/** @param {Object} labels The inbox's labels (labels.js). */
	constructor( labels ) {
		this.labels = labels;
	}

	/**
	 * Change a label in its row: its name, its colour, or delete it.
	 *
	 * @param {Object}      label
	 * @param {HTMLElement} row   Its row in the panel.
	 */
	edit( label, row ) {
		const name = h( 'input', {
			id: `${ this.labels.id }-label-edit-name`,
			type: 'text',
			maxlength: NAME_MAX,
			value: label.name,
			autocomplete: 'off',
		} );
		const colour = colourSelect(
			`${ this.labels.id }-label-edit-colour`,
			label.colour
		);
		this.labels.newForm.hidden = true; // One form at a time.
		row.replaceChildren(
			h(
				'form',
				{
					class: 'space-inbox__label-edit',
					onsubmit: ( event ) => {
						event.preventDefault();
						this.save( label, name.value, colour.value );
					},
				},
				h( 'label', {
					for: name.id,
					text: __( 'Name', 'space-inbox' ),
				} ),
				name,
				h( 'label', {
					for: colour.id,
					text: __( 'Colour', 'space-inbox' ),
				} ),
				colour,
				h( 'button', {
					type: 'submit',
					class: 'button-primary',
					text: __( 'Save', 'space-inbox' ),
				} ),
				h( 'button', {
					type: 'button',
					class: 'space-inbox-button--danger',
					text: __( 'Delete', 'space-inbox' ),
					onclick: ( event ) =>
						this.askDelete( label, event.target.closest( 'form' ) ),
				} ),
				h( 'button', {
					type: 'button',
					class: 'button-link',
					text: __( 'Cancel', 'space-inbox' ),
					onclick: () => {
						this.labels.renderChoices();
						this.labels.button.focus();
					},
				} )
			)
		);
		name.focus();
	}

	/**
	 * @param {Object} label
	 * @param {string} name   Its new name.
	 * @param {string} colour Its new colour.
	 */
	async save( label, name, colour ) {
		try {
			const { data } = await api(
				`spaces/${ this.labels.inbox.spaceId }/labels/${ label.id }`,
				{
					method: 'PATCH',
					body: { name: name.replace( /\s+/g, ' ' ).trim(), colour },
				}
			);
			this.labels.all = this.labels.all.map( ( l ) =>
				l.id === data.id ? data : l
			);
			this.labels.inbox.say(
				/* translators: %s: a label's name. */
				sprintf( __( 'Label %s saved.', 'space-inbox' ), data.name )
			);
			await this.labels.afterChange();
		} catch ( error ) {
			this.labels.inbox.fail( error );
		}
	}

	/**
	 * Delete asks first, in place of the edit form.
	 *
	 * @param {Object}      label
	 * @param {HTMLElement} form  The label's edit form.
	 */
	askDelete( label, form ) {
		const keep = h( 'button', {
			type: 'button',
			class: 'button-link',
			text: __( 'Keep it', 'space-inbox' ),
			onclick: () => {
				this.labels.renderChoices();
				this.labels.button.focus();
			},
		} );
		form.replaceChildren(
			h( 'span', {
				text: sprintf(
					/* translators: 1: a label's name, 2: how many conversations carry it. */
					_n(
						'Delete the label “%1$s”? It comes off the %2$s conversation that has it.',
						'Delete the label “%1$s”? It comes off the %2$s conversations that have it.',
						label.conversations,
						'space-inbox'
					),
					label.name,
					num( label.conversations )
				),
			} ),
			h( 'button', {
				type: 'button',
				class: 'space-inbox-button--danger',
				text: __( 'Delete', 'space-inbox' ),
				onclick: () => this.remove( label ),
			} ),
			keep
		);
		keep.focus();
	}

	/** @param {Object} label Delete it (the user said so). */
	async remove( label ) {
		try {
			await api(
				`spaces/${ this.labels.inbox.spaceId }/labels/${ label.id }`,
				{
					method: 'DELETE',
				}
			);
			this.labels.all = this.labels.all.filter(
				( l ) => l.id !== label.id
			);
			this.labels.inbox.say(
				/* translators: %s: a label's name. */
				sprintf( __( 'Label %s deleted.', 'space-inbox' ), label.name )
			);
			await this.labels.afterChange();
		} catch ( error ) {
			this.labels.inbox.fail( error );
		}
	}
}
