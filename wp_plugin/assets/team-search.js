/**
 * Space Inbox: search in a team inbox (team-list.js). A search field in the toolbar finds
 * the Space's conversations by the words of their messages (each the start of a word,
 * every word) and by the member's name; while it holds a search, the list shows what was
 * found, each row with the message around the words (the words marked), and the other
 * filters wait (a search covers every conversation).
 *
 * @module space-inbox/team-search
 */

const { __, _n, sprintf } = window.wp.i18n;
const { api, h, num } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/** A word, as the bridge's search sees it. */
const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * Text with the words that start with a term marked.
 *
 * @param {string}        text  An excerpt.
 * @param {Array<string>} terms The query's words, lower case.
 * @return {Array<Node|string>} The text, its matches in `<mark>`.
 */
export function marked( text, terms ) {
	const out = [];
	let from = 0;
	for ( const match of text.matchAll( WORD ) ) {
		const word = match[ 0 ].toLowerCase();
		const term = terms.find( ( t ) => word.startsWith( t ) );
		if ( term ) {
			out.push( text.slice( from, match.index ) );
			out.push(
				h( 'mark', {
					text: match[ 0 ].slice( 0, term.length ),
				} )
			);
			from = match.index + term.length;
		}
	}
	out.push( text.slice( from ) );
	return out.filter( ( part ) => part !== '' );
}

/**
 * A team inbox's search: its field, and what it found.
 */
export class TeamSearch {
	/** @param {Object} inbox The team inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		const id = `${ inbox.uid }-search`;
		/** The search shown ('' for none). */
		this.query = '';
		this.input = h( 'input', {
			id,
			type: 'search',
			maxlength: '100',
			autocomplete: 'off',
			onkeydown: ( event ) => {
				if ( event.key === 'Escape' && this.input.value ) {
					event.preventDefault();
					this.input.value = '';
					this.run();
				}
			},
			onsearch: () => this.run(), // The field's own clear button.
		} );
		this.field = h(
			'form',
			{
				class: 'space-inbox__field space-inbox__search',
				role: 'search',
				onsubmit: ( event ) => {
					event.preventDefault();
					this.run();
				},
			},
			h( 'label', {
				for: id,
				text: __( 'Search', 'space-inbox' ),
			} ),
			this.input,
			h( 'button', {
				type: 'submit',
				text: __( 'Find', 'space-inbox' ),
			} )
		);
	}

	/** @return {Array<string>} The search's words, lower case. */
	get terms() {
		return [ ...this.query.toLowerCase().matchAll( WORD ) ].map(
			( m ) => m[ 0 ]
		);
	}

	/** Search for what the field holds (or show the list again, for nothing). */
	async run() {
		const query = this.input.value.trim();
		if ( query && ! query.match( WORD ) ) {
			this.inbox.say(
				__( 'Search for at least one word.', 'space-inbox' ),
				'error',
				'list'
			);
			return;
		}
		this.query = query;
		this.inbox.teamList.searching( Boolean( query ) );
		if ( ! query ) {
			this.inbox.say( '', 'info', 'list' );
		}
		await this.inbox.loadList(); // Its rows then say what was found (announce()).
	}

	/**
	 * Say what the list shows, once drawn: how many conversations the search found (the
	 * rows of whichever load came last, a live reload's too).
	 */
	announce() {
		if ( ! this.query ) {
			return;
		}
		const found = this.inbox.items.length;
		this.inbox.say(
			found
				? sprintf(
						/* translators: 1: number of conversations, 2: what was searched for. */
						_n(
							'%1$s conversation found for “%2$s”.',
							'%1$s conversations found for “%2$s”.',
							found,
							'space-inbox'
						),
						num( found ),
						this.query
				  )
				: sprintf(
						/* translators: %s: what was searched for. */
						__( 'Nothing found for “%s”.', 'space-inbox' ),
						this.query
				  ),
			'info',
			'list'
		);
	}

	/** @return {Promise<Object>} What the search found, as a page of the list. */
	async fetch() {
		const { data } = await api( `spaces/${ this.inbox.spaceId }/search`, {
			query: { q: this.query },
		} );
		return {
			data: {
				conversations: ( data.results || [] ).map( ( r ) => ( {
					...r.conversation,
					search_match: r.match,
				} ) ),
				next_cursor: null,
			},
		};
	}

	/**
	 * A found row's excerpt and time: the message around the words, or that the name matched.
	 *
	 * @param {Object} item A row of the list (its `row` as fetched).
	 */
	dress( item ) {
		const match = item.row.search_match;
		if ( match ) {
			item.excerpt = h(
				'span',
				{},
				match.from === 'space'
					? /* translators: before the Space's answer a search found, in its team's list. */
					  `${ __( 'Answered:', 'space-inbox' ) } `
					: '',
				...marked( match.excerpt, this.terms )
			);
			item.time = match.created_at;
		} else {
			item.excerpt = __( 'The member’s name matches.', 'space-inbox' );
		}
	}
}
