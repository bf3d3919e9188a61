/**
 * Space Inbox: the dashboard's saved replies manager: a Space's saved replies, with a form
 * to add or change one. Loaded with the dashboard, when it is first opened.
 *
 * @module space-inbox/saved-replies
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ num, h, api, parseTime },
	{ teamConfig, errorText, field, stampFormat },
] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

const SAVED_MAX = Number( teamConfig.savedRepliesMax ) || 100;
const TITLE_MAX = Number( teamConfig.savedReplyTitleMax ) || 100;

/** @typedef {import('./reply-picker.js').SavedReplies} SavedReplies */
/** @typedef {import('./dashboard-saving.js').Notices} Notices */

/**
 * The saved replies manager: the list, with a form to add or change one.
 */
export class RepliesManager {
	/**
	 * @param {Object}       options
	 * @param {string}       options.uid
	 * @param {SavedReplies} options.store
	 * @param {Notices}      options.notices
	 */
	constructor( { uid, store, notices } ) {
		this.store = store;
		/** What happened to the list (a deletion, a failed load), above it. */
		this.listNotice = notices.make();
		/** A failed deletion, in the row it failed in. */
		this.rowNotice = notices.make();
		/** What happened to the form's reply, under its buttons. */
		this.formNotice = notices.make();
		this.spaceId = 0;
		this.canWrite = false;
		/** The saved reply being changed, or null (adding). */
		this.editing = null;
		this.heading = h( 'h3', {
			id: `${ uid }-replies-title`,
			tabindex: '-1',
			text: __( 'Saved replies', 'space-inbox' ),
		} );
		this.count = h( 'p', { class: 'space-inbox-dashboard__note' } );
		this.list = h( 'ul', {
			class: 'space-inbox-replies',
			'aria-labelledby': `${ uid }-replies-title`,
		} );
		this.title = h( 'input', {
			type: 'text',
			id: `${ uid }-reply-title`,
			maxlength: String( TITLE_MAX ),
			required: true,
		} );
		this.body = h( 'textarea', {
			id: `${ uid }-reply-body`,
			rows: '4',
			required: true,
		} );
		this.formTitle = h( 'h4', {
			text: __( 'Add a saved reply', 'space-inbox' ),
		} );
		this.saveButton = h( 'button', {
			type: 'submit',
			class: 'space-inbox-dashboard__button button-primary',
			text: __( 'Save reply', 'space-inbox' ),
		} );
		this.cancelButton = h( 'button', {
			type: 'button',
			class: 'space-inbox-dashboard__button',
			hidden: true,
			text: __( 'Cancel', 'space-inbox' ),
			onclick: () => this.edit( null ),
		} );
		this.form = h(
			'form',
			{
				class: 'space-inbox-form space-inbox-replies__form',
				novalidate: true,
				onsubmit: ( event ) => {
					event.preventDefault();
					this.save();
				},
			},
			this.formTitle,
			field(
				__( 'Title', 'space-inbox' ),
				this.title,
				__(
					'Only the team sees it; type "/" and part of it in the reply box to find the reply.',
					'space-inbox'
				)
			),
			field( __( 'Text', 'space-inbox' ), this.body ),
			h(
				'div',
				{ class: 'space-inbox-form__actions' },
				this.saveButton,
				this.cancelButton
			),
			this.formNotice.node
		);
		this.formNotice.describe( this.title );
		this.formNotice.describe( this.body );
		this.root = h(
			'section',
			{
				class: 'space-inbox-dashboard__section space-inbox-dashboard__replies',
				'aria-labelledby': `${ uid }-replies-title`,
			},
			this.heading,
			this.count,
			this.listNotice.node,
			this.list,
			this.form
		);
		store.subscribe( () => this.render() );
	}

	/**
	 * @param {number}  spaceId
	 * @param {boolean} canWrite
	 */
	use( spaceId, canWrite ) {
		if ( spaceId !== this.spaceId ) {
			this.edit( null );
		}
		this.spaceId = spaceId;
		this.canWrite = canWrite;
		this.form.hidden = ! canWrite;
		this.render();
	}

	render() {
		const items = this.store.items;
		if ( items === null ) {
			this.count.textContent = __( 'Loading…', 'space-inbox' );
			this.list.replaceChildren();
			return;
		}
		this.count.textContent = items.length
			? sprintf(
					/* translators: 1: number of saved replies, 2: the most a Space may keep. */
					__( '%1$s of %2$s saved replies.', 'space-inbox' ),
					num( items.length ),
					num( SAVED_MAX )
			  )
			: __( 'No saved replies yet.', 'space-inbox' );
		this.list.replaceChildren(
			...items.map( ( reply ) => this.row( reply ) )
		);
	}

	/**
	 * @param {Object} reply
	 * @return {HTMLElement} The reply's row.
	 */
	row( reply ) {
		const when = parseTime( reply.updated_at );
		const by =
			reply.updated_by && reply.updated_by.name
				? reply.updated_by.name
				: __( 'Deleted user', 'space-inbox' );
		const actions = h( 'div', { class: 'space-inbox-replies__actions' } );
		const item = h(
			'li',
			{
				class: 'space-inbox-replies__item',
				'data-saved-reply': String( reply.id ),
			},
			h( 'strong', {
				class: 'space-inbox-replies__title',
				text: reply.title,
			} ),
			h( 'p', { class: 'space-inbox-replies__body', text: reply.body } ),
			h( 'p', {
				class: 'space-inbox-replies__meta',
				text: sprintf(
					/* translators: 1: name of the admin who last changed a saved reply, 2: when. */
					__( 'Changed by %1$s · %2$s', 'space-inbox' ),
					by,
					when ? stampFormat.format( when ) : ''
				),
			} ),
			actions
		);
		if ( this.canWrite ) {
			this.showActions( actions, reply );
		}
		return item;
	}

	/**
	 * @param {HTMLElement} actions
	 * @param {Object}      reply
	 */
	showActions( actions, reply ) {
		actions.replaceChildren(
			h( 'button', {
				type: 'button',
				class: 'space-inbox-dashboard__button',
				'aria-label': sprintf(
					/* translators: %s: title of a saved reply. */
					__( 'Edit “%s”', 'space-inbox' ),
					reply.title
				),
				text: __( 'Edit', 'space-inbox' ),
				onclick: () => this.edit( reply ),
			} ),
			h( 'button', {
				type: 'button',
				class: 'space-inbox-dashboard__button',
				'aria-label': sprintf(
					/* translators: %s: title of a saved reply. */
					__( 'Delete “%s”', 'space-inbox' ),
					reply.title
				),
				text: __( 'Delete', 'space-inbox' ),
				onclick: () => this.askDelete( actions, reply ),
			} )
		);
	}

	/**
	 * Delete asks first, in place.
	 *
	 * @param {HTMLElement} actions
	 * @param {Object}      reply
	 */
	askDelete( actions, reply ) {
		const keep = h( 'button', {
			type: 'button',
			class: 'space-inbox-dashboard__button',
			text: __( 'Keep it', 'space-inbox' ),
			onclick: () => {
				this.showActions( actions, reply );
				actions.querySelector( 'button' )?.focus();
			},
		} );
		actions.replaceChildren(
			h( 'span', {
				class: 'space-inbox-replies__ask',
				text: sprintf(
					/* translators: %s: title of a saved reply. */
					__( 'Delete “%s”?', 'space-inbox' ),
					reply.title
				),
			} ),
			h( 'button', {
				type: 'button',
				class: 'space-inbox-dashboard__button space-inbox-button--danger',
				text: __( 'Delete', 'space-inbox' ),
				onclick: () => this.remove( reply, actions ),
			} ),
			keep
		);
		keep.focus();
	}

	/** @param {Object|null} reply Change it in the form; null: the form adds a new one. */
	edit( reply ) {
		this.editing = reply;
		this.title.value = reply ? reply.title : '';
		this.body.value = reply ? reply.body : '';
		this.formTitle.textContent = reply
			? /* translators: %s: title of a saved reply. */
			  sprintf( __( 'Change “%s”', 'space-inbox' ), reply.title )
			: __( 'Add a saved reply', 'space-inbox' );
		this.cancelButton.hidden = ! reply;
		this.mark( [] );
		this.formNotice.clear();
		if ( reply ) {
			this.title.focus();
		}
	}

	/** @param {Array<HTMLElement>} wrong The form's fields to mark aria-invalid (the others are not). */
	mark( wrong ) {
		for ( const control of [ this.title, this.body ] ) {
			if ( wrong.includes( control ) ) {
				control.setAttribute( 'aria-invalid', 'true' );
			} else {
				control.removeAttribute( 'aria-invalid' );
			}
		}
	}

	/** The list afresh; a failure says so above it. */
	async reload() {
		try {
			await this.store.load( this.spaceId );
		} catch ( error ) {
			this.listNotice.show( errorText( error ), 'error' );
		}
	}

	async save() {
		const title = this.title.value.trim();
		const body = this.body.value.trim();
		const missing = [ ! title && this.title, ! body && this.body ].filter(
			Boolean
		);
		this.mark( missing );
		if ( missing.length ) {
			this.formNotice.show(
				__(
					'Not saved: a saved reply needs a title and a text.',
					'space-inbox'
				),
				'error'
			);
			missing[ 0 ].focus();
			return;
		}
		const editing = this.editing;
		const path = `spaces/${ this.spaceId }/saved-replies${
			editing ? `/${ editing.id }` : ''
		}`;
		this.saveButton.disabled = true;
		this.formNotice.show( __( 'Saving…', 'space-inbox' ), 'saving' );
		try {
			await api( path, {
				method: editing ? 'PUT' : 'POST',
				body: { title, body },
			} );
		} catch ( error ) {
			// The form keeps what was written, to be sent again.
			this.formNotice.show( errorText( error ), 'error' );
			return;
		} finally {
			this.saveButton.disabled = false;
		}
		this.edit( null );
		this.formNotice.show(
			editing
				? __( 'Saved reply changed.', 'space-inbox' )
				: __( 'Saved reply added.', 'space-inbox' ),
			'saved'
		);
		await this.reload();
		// The list grew above the form: the notice stays in sight.
		this.formNotice.node.scrollIntoView?.( { block: 'nearest' } );
	}

	/**
	 * @param {Object}      reply
	 * @param {HTMLElement} actions Its row's actions, where a failure shows.
	 */
	async remove( reply, actions ) {
		try {
			await api( `spaces/${ this.spaceId }/saved-replies/${ reply.id }`, {
				method: 'DELETE',
			} );
		} catch ( error ) {
			actions.append( this.rowNotice.node );
			this.rowNotice.show( errorText( error ), 'error' );
			return;
		}
		if ( this.editing && this.editing.id === reply.id ) {
			this.edit( null );
		}
		this.rowNotice.clear();
		this.listNotice.show(
			__( 'Saved reply deleted.', 'space-inbox' ),
			'saved'
		);
		await this.reload();
		this.heading.focus();
	}
}
