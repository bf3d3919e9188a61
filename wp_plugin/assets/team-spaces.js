/**
 * Space Inbox: the Spaces a team inbox (team-inbox.js) offers, and which of them the user
 * is on the team of. On wp-admin the page names the Spaces
 * (`data-space-inbox-spaces='[{"id","name"}]'`: site administrators read every Space) and
 * the toolbar has a picker, each Space with its unread count; the front end's team view
 * shows one Space. The summary says which Spaces the user answers for: the others are
 * read only (oversight).
 *
 * @module space-inbox/team-spaces
 */

const { __, sprintf } = window.wp.i18n;
const { num, h } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/**
 * The Spaces of a team inbox.
 */
export class TeamSpaces {
	/**
	 * @param {Object}   inbox    The team inbox (its `root` and `uid`).
	 * @param {number}   spaceId  The one Space of the front end's team view (0: wp-admin).
	 * @param {Function} onSelect Called with the Space picked.
	 */
	constructor( inbox, spaceId, onSelect ) {
		/** One Space, chosen by the front end's switcher. */
		this.fixed = spaceId > 0;
		/** The Spaces offered ({id, name, unread}). */
		this.all = this.fixed
			? [ { id: spaceId, name: '', unread: 0 } ]
			: given( inbox.root );
		/** Ids of the Spaces whose team the user is on, per the bridge (null: not known yet). */
		this.team = null;
		const id = `${ inbox.uid }-space`;
		this.select = this.fixed
			? null
			: h( 'select', {
					id,
					onchange: () => onSelect( Number( this.select.value ) ),
			  } );
		this.field =
			this.select &&
			h(
				'div',
				{ class: 'space-inbox__field' },
				h( 'label', { for: id, text: __( 'Space', 'space-inbox' ) } ),
				this.select
			);
	}

	/**
	 * @param {number} spaceId
	 * @return {Object|undefined} The Space.
	 */
	get( spaceId ) {
		return this.all.find( ( s ) => s.id === spaceId );
	}

	/**
	 * @param {number} wanted The Space the address names (0: none).
	 * @return {Object|undefined} The Space to show first: the one named, else one with unread
	 *                            messages, else the first.
	 */
	first( wanted ) {
		return (
			this.get( wanted ) ||
			this.all.find( ( s ) => s.unread > 0 ) ||
			this.all[ 0 ]
		);
	}

	/**
	 * @param {number} spaceId
	 * @return {boolean} Whether the user may only read (oversight).
	 */
	readOnly( spaceId ) {
		return this.team !== null && ! this.team.has( spaceId );
	}

	/** @param {number} spaceId A Space the bridge says the user no longer answers for. */
	leave( spaceId ) {
		this.team?.delete( spaceId );
	}

	/** @param {Object} data Merge the summary's Spaces (team and unread). */
	apply( data ) {
		const mine = Array.isArray( data.spaces ) ? data.spaces : [];
		this.team = new Set( mine.map( ( s ) => Number( s.id ) ) );
		for ( const s of mine ) {
			if ( this.fixed && Number( s.id ) !== this.all[ 0 ].id ) {
				continue;
			} // One Space in view.
			const known = this.get( Number( s.id ) );
			if ( known ) {
				known.unread = Number( s.unread ) || 0;
				known.name = String( s.name );
			} else {
				this.all.push( {
					id: Number( s.id ),
					name: String( s.name ),
					unread: Number( s.unread ) || 0,
				} );
			}
		}
		for ( const s of this.all ) {
			if ( ! this.team.has( s.id ) ) {
				s.unread = 0;
			}
		}
	}

	/** @param {number} spaceId Draw the picker, this Space selected. */
	render( spaceId ) {
		const select = this.select;
		if ( ! select ) {
			return;
		}
		const options = this.all.map( ( s ) => {
			const label =
				s.unread > 0
					? `${ s.name } (${ sprintf(
							/* translators: %s: number of unread messages. */
							__( '%s unread', 'space-inbox' ),
							num( s.unread )
					  ) })`
					: s.name;
			const existing = [ ...select.options ].find(
				( o ) => Number( o.value ) === s.id
			);
			if ( existing ) {
				if ( existing.textContent !== label ) {
					existing.textContent = label;
				}
				return existing;
			}
			return h( 'option', { value: String( s.id ), text: label } );
		} );
		if (
			options.length !== select.options.length ||
			options.some( ( o, i ) => select.options[ i ] !== o )
		) {
			select.replaceChildren( ...options );
		}
		if ( spaceId ) {
			select.value = String( spaceId );
		}
	}
}

/**
 * @param {HTMLElement} root The inbox's container.
 * @return {Array<Object>} The Spaces the page names.
 */
function given( root ) {
	try {
		const spaces = JSON.parse( root.dataset.spaceInboxSpaces || '[]' );
		return Array.isArray( spaces )
			? spaces.map( ( s ) => ( {
					id: Number( s.id ),
					name: String( s.name ),
					unread: 0,
			  } ) )
			: [];
	} catch {
		return [];
	}
}
