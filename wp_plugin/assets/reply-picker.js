/**
 * Space Inbox: a Space's saved replies in the team's composer.
 *
 * - `SavedReplies`: the Space's saved replies, shared by the composer's list and the
 *   dashboard's manager (saved-replies.js);
 * - `ReplyPicker`: the composer's list of them ("Saved replies", or "/" typed first in an
 *   empty box).
 *
 * @module space-inbox/reply-picker
 */

const { __, _n, sprintf } = window.wp.i18n;
const [ { num, h, api }, { errorText, excerpt } ] = await Promise.all(
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
 * A Space's saved replies, shared by the composer's list and the manager.
 */
export class SavedReplies {
	constructor() {
		this.spaceId = 0;
		/** @type {Array<Object>|null} null until loaded. */
		this.items = null;
		/** @type {Set<function(): void>} */
		this.listeners = new Set();
	}

	/**
	 * @param {function(): void} listener
	 * @return {function(): void} Stops calling it.
	 */
	subscribe( listener ) {
		this.listeners.add( listener );
		return () => this.listeners.delete( listener );
	}

	/** @param {number} spaceId The Space in view (its list is forgotten when it changes). */
	use( spaceId ) {
		if ( spaceId === this.spaceId ) {
			return;
		}
		this.spaceId = spaceId;
		this.items = null;
		this.changed();
	}

	changed() {
		for ( const listener of this.listeners ) {
			listener();
		}
	}

	/**
	 * @param {number} spaceId
	 * @return {Promise<Array<Object>>} The Space's saved replies.
	 */
	async load( spaceId ) {
		this.use( spaceId );
		const { data } = await api( `spaces/${ spaceId }/saved-replies` );
		if ( spaceId === this.spaceId ) {
			this.items = Array.isArray( data && data.saved_replies )
				? data.saved_replies
				: [];
			this.changed();
		}
		return this.items || [];
	}
}

/**
 * The composer's list of saved replies. Opened by its button (a filter box takes the
 * keys) or by "/" typed first in an empty composer (what follows filters, the composer
 * keeps the keys). Arrows move, Enter or a click inserts, Escape closes.
 */
export class ReplyPicker {
	/**
	 * @param {Object}              options
	 * @param {HTMLTextAreaElement} options.textarea The composer.
	 * @param {SavedReplies}        options.store
	 * @param {function(): number}  options.spaceId  The Space in view.
	 * @param {function(): void}    options.onManage Show the saved replies manager.
	 * @param {string}              options.uid      A prefix for element ids.
	 */
	constructor( { textarea, store, spaceId, onManage, uid } ) {
		this.textarea = textarea;
		this.store = store;
		this.spaceId = spaceId;
		/** null (closed), "button" or "slash". */
		this.mode = null;
		this.matches = [];
		this.active = 0;
		/** The composer's selection when the list was opened: where a reply goes. */
		this.range = [ 0, 0 ];
		const listId = `${ uid }-saved-list`;
		this.button = h( 'button', {
			type: 'button',
			class: 'button space-inbox__saved-button',
			'aria-expanded': 'false',
			'aria-controls': `${ uid }-picker`,
			text: __( 'Saved replies', 'space-inbox' ),
			onclick: () =>
				this.mode === 'button'
					? this.close( { focus: true } )
					: this.open( 'button' ),
		} );
		this.filter = h( 'input', {
			type: 'text',
			id: `${ uid }-saved-filter`,
			class: 'space-inbox__picker-filter',
			role: 'combobox',
			'aria-autocomplete': 'list',
			'aria-expanded': 'true',
			'aria-controls': listId,
			autocomplete: 'off',
			oninput: () => {
				this.active = 0;
				this.render();
			},
			onkeydown: ( event ) => this.onKey( event ),
		} );
		this.listbox = h( 'ul', {
			id: listId,
			class: 'space-inbox__picker-list',
			role: 'listbox',
			'aria-label': __( 'Saved replies', 'space-inbox' ),
		} );
		this.note = h( 'p', {
			class: 'space-inbox__picker-note',
			'aria-live': 'polite',
		} );
		this.filterField = h(
			'div',
			{ class: 'space-inbox__picker-field' },
			h( 'label', {
				for: this.filter.id,
				text: __( 'Find a saved reply', 'space-inbox' ),
			} ),
			this.filter
		);
		this.panel = h(
			'div',
			{
				id: `${ uid }-picker`,
				class: 'space-inbox__picker',
				hidden: true,
			},
			this.filterField,
			this.listbox,
			this.note,
			h( 'button', {
				type: 'button',
				class: 'button-link space-inbox__picker-manage',
				text: __( 'Manage saved replies', 'space-inbox' ),
				onclick: () => {
					this.close();
					onManage();
				},
			} )
		);
		this.unsubscribe = store.subscribe( () => {
			if ( this.mode ) {
				this.render();
			}
		} );
		this.onOutside = ( event ) => {
			if (
				this.mode &&
				! this.panel.contains( event.target ) &&
				! this.button.contains( event.target ) &&
				event.target !== this.textarea
			) {
				this.close();
			}
		};
	}

	/** @param {'button'|'slash'} mode */
	open( mode ) {
		this.mode = mode;
		this.active = 0;
		this.range = [
			this.textarea.selectionStart,
			this.textarea.selectionEnd,
		];
		this.panel.hidden = false;
		this.filterField.hidden = mode === 'slash';
		this.button.setAttribute( 'aria-expanded', 'true' );
		if ( mode === 'slash' ) {
			this.textarea.setAttribute( 'aria-controls', this.listbox.id );
		} else {
			this.filter.value = '';
			this.filter.focus();
		}
		document.addEventListener( 'mousedown', this.onOutside );
		this.render();
		this.store.load( this.spaceId() ).catch( ( error ) => {
			if ( this.mode ) {
				this.note.textContent = errorText( error );
			}
		} );
	}

	/** @param {{focus?: boolean}} [options] focus: back to the composer. */
	close( { focus = false } = {} ) {
		if ( ! this.mode ) {
			return;
		}
		this.mode = null;
		this.panel.hidden = true;
		this.button.setAttribute( 'aria-expanded', 'false' );
		this.textarea.removeAttribute( 'aria-controls' );
		this.textarea.removeAttribute( 'aria-activedescendant' );
		document.removeEventListener( 'mousedown', this.onOutside );
		if ( focus ) {
			this.textarea.focus();
		}
	}

	/** @return {string} What the list is filtered by. */
	query() {
		return this.mode === 'slash'
			? this.textarea.value.slice( 1 )
			: this.filter.value;
	}

	render() {
		const wanted = this.query().trim().toLocaleLowerCase();
		const items = this.store.items || [];
		const inTitle = items.filter( ( r ) =>
			r.title.toLocaleLowerCase().includes( wanted )
		);
		const inBody = items.filter(
			( r ) =>
				! inTitle.includes( r ) &&
				r.body.toLocaleLowerCase().includes( wanted )
		);
		this.matches = [ ...inTitle, ...inBody ];
		this.active = Math.min(
			this.active,
			Math.max( 0, this.matches.length - 1 )
		);
		this.listbox.replaceChildren(
			...this.matches.map( ( reply, i ) =>
				h(
					'li',
					{
						id: `${ this.listbox.id }-${ reply.id }`,
						role: 'option',
						class: 'space-inbox__picker-option',
						'aria-selected': i === this.active ? 'true' : 'false',
						onmousedown: ( event ) => event.preventDefault(), // The focus stays where it is.
						onclick: () => this.insert( reply ),
					},
					h( 'span', {
						class: 'space-inbox__picker-title',
						text: reply.title,
					} ),
					h( 'span', {
						class: 'space-inbox__picker-excerpt',
						text: excerpt( reply.body ),
					} )
				)
			)
		);
		this.listbox.hidden = ! this.matches.length;
		let note = '';
		if ( this.store.items === null ) {
			note = __( 'Loading…', 'space-inbox' );
		} else if ( ! items.length ) {
			note = __( 'No saved replies yet.', 'space-inbox' );
		} else if ( ! this.matches.length ) {
			note = sprintf(
				/* translators: %s: what the admin typed to find a saved reply. */
				__( 'No saved reply matches “%s”.', 'space-inbox' ),
				this.query().trim()
			);
		} else {
			note = sprintf(
				/* translators: %s: number of saved replies. */
				_n(
					/* translators: %s: number of saved replies. */
					'%s saved reply',
					'%s saved replies',
					this.matches.length,
					'space-inbox'
				),
				num( this.matches.length )
			);
		}
		if ( this.note.textContent !== note ) {
			this.note.textContent = note;
		}
		this.markActive();
	}

	markActive() {
		[ ...this.listbox.children ].forEach( ( option, i ) =>
			option.setAttribute(
				'aria-selected',
				i === this.active ? 'true' : 'false'
			)
		);
		const option = this.listbox.children[ this.active ];
		const owner = this.mode === 'slash' ? this.textarea : this.filter;
		if ( option ) {
			owner.setAttribute( 'aria-activedescendant', option.id );
			option.scrollIntoView?.( { block: 'nearest' } );
		} else {
			owner.removeAttribute( 'aria-activedescendant' );
		}
	}

	/**
	 * Keys in the filter box, or in the composer while "/" holds the list open.
	 *
	 * @param {KeyboardEvent} event
	 * @return {boolean} Whether the list took the key.
	 */
	onKey( event ) {
		if ( ! this.mode || event.isComposing ) {
			return false;
		}
		const plain =
			! event.shiftKey &&
			! event.ctrlKey &&
			! event.metaKey &&
			! event.altKey;
		if (
			( event.key === 'ArrowDown' || event.key === 'ArrowUp' ) &&
			this.matches.length
		) {
			event.preventDefault();
			const step = event.key === 'ArrowDown' ? 1 : -1;
			this.active =
				( this.active + step + this.matches.length ) %
				this.matches.length;
			this.markActive();
			return true;
		}
		if ( event.key === 'Enter' && ( plain || this.mode === 'button' ) ) {
			const reply = this.matches[ this.active ];
			if ( this.mode === 'button' ) {
				event.preventDefault();
			} // Never the form's submit.
			if ( ! reply ) {
				return this.mode === 'button';
			}
			event.preventDefault();
			this.insert( reply );
			return true;
		}
		if ( event.key === 'Escape' ) {
			event.preventDefault();
			event.stopPropagation();
			this.close( { focus: true } );
			return true;
		}
		return false;
	}

	/**
	 * @param {KeyboardEvent} event A key in the composer.
	 * @return {boolean} Taken by the list.
	 */
	onComposerKey( event ) {
		return this.mode === 'slash' && this.onKey( event );
	}

	/** The composer changed: "/" in an empty box opens the list, what follows filters it. */
	onComposerInput() {
		const value = this.textarea.value;
		if ( ! this.mode && value === '/' ) {
			this.open( 'slash' );
		} else if ( this.mode === 'slash' ) {
			if ( ! value.startsWith( '/' ) || value.includes( '\n' ) ) {
				this.close();
			} else {
				this.active = 0;
				this.render();
			}
		}
	}

	/** @param {Object} reply Put its text in the composer, where the cursor was; the admin edits it. */
	insert( reply ) {
		const box = this.textarea;
		if ( this.mode === 'slash' ) {
			box.value = reply.body; // In place of "/" and the filter.
			box.setSelectionRange( box.value.length, box.value.length );
		} else {
			const end = box.value.length;
			box.setRangeText(
				reply.body,
				Math.min( this.range[ 0 ], end ),
				Math.min( this.range[ 1 ], end ),
				'end'
			);
		}
		this.close();
		box.focus();
		box.dispatchEvent( new Event( 'input', { bubbles: true } ) );
	}

	/** The view is gone. */
	stop() {
		this.close();
		this.unsubscribe();
	}
}
