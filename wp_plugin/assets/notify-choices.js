/**
 * Space Inbox: how a person wants to be told, as boxes that save themselves: a member's
 * for the answers of every Space (in their inbox), an admin's for one Space's new messages
 * (in its Dashboard). Each box sends its own change at once ("Saving…", "Saved", or what
 * went wrong, announced beside them); a change the bridge did not take is put back. The
 * caller gives the boxes and their words, so that a member's page holds none of the team's.
 * Where the site sends pushes, "Notify me on this device" (push-device.js) comes with them.
 *
 * @module space-inbox/notify-choices
 */

const { __ } = window.wp.i18n;
const [ { config, h, api }, { PushDevice } ] = await Promise.all(
	[ 'badge.js', 'push-device.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

let made = 0;

/**
 * @typedef {Object} Box
 * @property {string} name   The choice's key in the API (email, push, outside_hours).
 * @property {string} label  What the box says.
 * @property {string} [hint] A line under it.
 */

export class NotifyChoices {
	/**
	 * @param {Object}     options
	 * @param {string}     options.legend What the boxes are about.
	 * @param {Array<Box>} options.boxes
	 * @param {string}     [options.note] A line under them.
	 */
	constructor( { legend, boxes, note = '' } ) {
		const uid = `space-inbox-choices-${ ++made }`;
		// Push is offered where the site sends it; this device is turned on beside it.
		boxes = boxes.filter( ( box ) => box.name !== 'push' || config.push );
		this.device = config.push ? new PushDevice() : null;
		this.path = '';
		this.ticket = 0;
		this.status = h( 'p', {
			id: `${ uid }-status`,
			class: 'space-inbox-choices__status',
			role: 'status',
			'aria-live': 'polite',
			'aria-atomic': 'true',
		} );
		/** @type {Map<string, HTMLInputElement>} */
		this.boxes = new Map();
		const rows = boxes.map( ( box ) => {
			const input = h( 'input', {
				type: 'checkbox',
				id: `${ uid }-${ box.name }`,
				name: box.name,
				disabled: true,
				'aria-describedby': [
					box.hint ? `${ uid }-${ box.name }-hint` : '',
					this.status.id,
				]
					.join( ' ' )
					.trim(),
				onchange: () => this.change( input ),
			} );
			this.boxes.set( box.name, input );
			return h(
				'div',
				{ class: 'space-inbox-choices__box' },
				input,
				h( 'label', { for: input.id, text: box.label } ),
				box.hint
					? h( 'span', {
							id: `${ uid }-${ box.name }-hint`,
							class: 'space-inbox-choices__hint',
							text: box.hint,
					  } )
					: ''
			);
		} );
		this.root = h(
			'fieldset',
			{ class: 'space-inbox-choices' },
			h( 'legend', { text: legend } ),
			...rows,
			this.device ? this.device.root : '',
			note
				? h( 'p', { class: 'space-inbox-choices__hint', text: note } )
				: '',
			this.status
		);
	}

	/**
	 * Show the choices kept at *path* (loaded afresh).
	 *
	 * @param {string} path The API path: me/notifications or spaces/{id}/notifications.
	 * @return {Promise<void>}
	 */
	async use( path ) {
		const ticket = ++this.ticket;
		this.path = path;
		this.say( '' );
		for ( const box of this.boxes.values() ) {
			box.disabled = true;
		}
		this.device?.refresh();
		try {
			const { data } = await api( path );
			if ( ticket === this.ticket ) {
				this.fill( data );
			}
		} catch ( error ) {
			if ( ticket === this.ticket ) {
				this.say( this.fault( error ), 'error' );
			}
		}
	}

	/** @param {Object} data The choices, as the bridge keeps them. */
	fill( data ) {
		for ( const [ name, box ] of this.boxes ) {
			box.checked = Boolean( data[ name ] );
			box.disabled = false;
		}
	}

	/** @param {HTMLInputElement} box A box the person changed. */
	async change( box ) {
		const ticket = this.ticket;
		const wanted = box.checked;
		this.say( __( 'Saving…', 'space-inbox' ), 'saving' );
		try {
			const { data } = await api( this.path, {
				method: 'PATCH',
				body: { [ box.name ]: wanted },
			} );
			if ( ticket === this.ticket ) {
				this.fill( data );
				this.say( __( 'Saved', 'space-inbox' ), 'saved' );
			}
		} catch ( error ) {
			if ( ticket === this.ticket && box.checked === wanted ) {
				box.checked = ! wanted;
				this.say( this.fault( error ), 'error' );
			}
		}
	}

	/**
	 * @param {*} error
	 * @return {string} What went wrong, for the person.
	 */
	fault( error ) {
		return error && error.userMessage
			? error.userMessage
			: __( 'Something went wrong. Please try again.', 'space-inbox' );
	}

	/**
	 * @param {string} text
	 * @param {string} [kind] "saving", "saved" or "error".
	 */
	say( text, kind = '' ) {
		this.status.textContent = text;
		if ( kind ) {
			this.status.dataset.kind = kind;
		} else {
			delete this.status.dataset.kind;
		}
	}
}
