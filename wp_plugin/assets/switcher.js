/**
 * Space Inbox: the front-end inbox's switcher, for a user on a Space's team: "My
 * conversations" and one entry per Space they answer for, each with its unread count. A
 * Space's entry shows its team inbox (team-inbox.js, loaded when first shown).
 *
 * Loaded by member-inbox.js, with team.css, only when the summary says the user answers for
 * a Space.
 *
 * @module space-inbox/switcher
 */

const { __ } = window.wp.i18n;
const [
	{ h, setBadge, summary, counts },
	{ loadModule, loadStylesheet, queryId },
] = await Promise.all(
	[ 'badge.js', 'inbox-page.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * The Spaces of a summary that the user answers for, sorted as the summary sends them.
 *
 * @param {Object|null} data
 * @return {Array<{id: number, name: string, unread: number}>} The Spaces.
 */
function teamSpaces( data ) {
	const spaces = data && Array.isArray( data.spaces ) ? data.spaces : [];
	return spaces.map( ( s ) => ( {
		id: Number( s.id ),
		name: String( s.name ),
		unread: Number( s.unread ) || 0,
	} ) );
}

/**
 * The switch between the member's own inbox and each Space's team inbox.
 */
export class Switcher {
	/**
	 * @param {Object} front The front-end inbox (member-inbox.js): its root, holder, active
	 *                       view and show().
	 * @param {Object} data  The summary.
	 */
	constructor( front, data ) {
		this.front = front;
		/** The user's Spaces, from the summary. */
		this.spaces = teamSpaces( data );
		this.memberUnread = counts( data ).member;
		this.nav = h( 'nav', {
			class: 'space-inbox-switcher',
			'aria-label': __( 'Switch inbox', 'space-inbox' ),
			hidden: true,
		} );
		front.root.insertBefore( this.nav, front.holder );
		summary.subscribe( ( fresh ) => this.onSummary( fresh ) );
		if ( front.active !== null ) {
			this.render();
		} // Put on a team while the page was open.
	}

	/**
	 * What to show first: the Space of `?team=`, the member's own for `?space=`; else where
	 * the unread messages are (the member's own first), else the first Space's team inbox.
	 *
	 * @return {number} A Space's id (its team inbox), or 0 (the member's own).
	 */
	initial() {
		const team = queryId( 'team' );
		if ( team && this.spaces.some( ( s ) => s.id === team ) ) {
			return team;
		}
		if (
			queryId( 'space' ) ||
			! this.spaces.length ||
			this.memberUnread > 0
		) {
			return 0;
		}
		return ( this.spaces.find( ( s ) => s.unread > 0 ) || this.spaces[ 0 ] )
			.id;
	}

	/** @param {Object} data A new summary. */
	onSummary( data ) {
		this.spaces = teamSpaces( data );
		this.memberUnread = counts( data ).member;
		const active = this.front.active;
		if ( active && ! this.spaces.some( ( s ) => s.id === active ) ) {
			this.front.show( 0 ); // Taken off the team: back to their own conversations.
		} else {
			this.render();
		}
	}

	/**
	 * A Space's team inbox, once its module and stylesheet are loaded.
	 *
	 * @param {number} spaceId
	 * @return {Promise<function(HTMLElement): Object>} Makes the inbox in a view.
	 */
	async teamInbox( spaceId ) {
		const [ { TeamInbox } ] = await Promise.all( [
			loadModule( 'team-inbox.js' ),
			loadStylesheet( 'team.css', 'space-inbox-team-css' ),
		] );
		return ( root ) => new TeamInbox( root, { spaceId } );
	}

	/** @param {number} id Show the member's own inbox (0) or a Space's. */
	choose( id ) {
		this.front
			.show( id )
			.catch(
				( error ) => this.front.inbox && this.front.inbox.fail( error )
			);
	}

	render() {
		this.nav.hidden = ! this.spaces.length;
		const entries = [
			{
				id: 0,
				name: __( 'My conversations', 'space-inbox' ),
				unread: this.memberUnread,
			},
			...this.spaces,
		];
		this.nav.replaceChildren(
			h( 'span', {
				class: 'space-inbox-switcher__label',
				text: __( 'Inbox of', 'space-inbox' ),
			} ),
			h(
				'ul',
				{ class: 'space-inbox-switcher__items' },
				entries.map( ( entry ) => {
					const badge = h( 'span', { class: 'space-inbox-badge' } );
					setBadge( badge, entry.unread );
					return h(
						'li',
						{},
						h(
							'button',
							{
								type: 'button',
								class: `space-inbox-switcher__item${
									entry.id ? ' is-space' : ''
								}`,
								'data-space-inbox-view': String( entry.id ),
								'aria-pressed':
									this.front.active === entry.id
										? 'true'
										: 'false',
								onclick: () => this.choose( entry.id ),
							},
							h( 'span', {
								class: 'space-inbox-switcher__name',
								text: entry.name,
							} ),
							badge
						)
					);
				} )
			)
		);
	}
}
