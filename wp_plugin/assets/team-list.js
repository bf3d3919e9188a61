/**
 * Space Inbox: a team inbox's conversation list (team-inbox.js): its search (team-search.js)
 * and filters in the toolbar (status; assignee, assignment.js; label, labels.js) and what
 * each row says (the
 * member, the last message, how long the member waits or waited, done, whose it is, its
 * labels, who is at it).
 *
 * @module space-inbox/team-list
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ api, h, parseTime },
	{ duration },
	{ presenceNote },
	{ TeamSearch },
] = await Promise.all(
	[ 'badge.js', 'team-common.js', 'team-presence.js', 'team-search.js' ].map(
		( name ) =>
			import(
				new URL(
					`${ name }${ new URL( import.meta.url ).search }`,
					import.meta.url
				).href
			)
	)
);

/**
 * The team's response line of a conversation: how long the first answer took, or how
 * long the member has been waiting.
 *
 * @param {Object} row A team-side API conversation.
 * @return {string} The line, or '' for neither.
 */
function responseLine( row ) {
	const waiting = parseTime( row.awaiting_since );
	if ( waiting ) {
		return sprintf(
			/* translators: %s: a span of time, e.g. "12 min". */
			__( 'Waiting %s', 'space-inbox' ),
			duration( Date.now() - waiting.getTime() )
		);
	}
	const first = parseTime( row.first_message_at );
	const answered = parseTime( row.first_response_at );
	if ( first && answered ) {
		return sprintf(
			/* translators: %s: a span of time, e.g. "12 min". */
			__( 'First answer in %s', 'space-inbox' ),
			duration( answered.getTime() - first.getTime() )
		);
	}
	return '';
}

/**
 * A row's excerpt of the conversation's last message (the Space's answers say so).
 *
 * @param {Object|null} last The conversation's last message, if any.
 * @return {string} The excerpt, or ''.
 */
function excerptOf( last ) {
	if ( ! last ) {
		return '';
	}
	if ( last.from !== 'space' ) {
		return last.excerpt;
	}
	return sprintf(
		/* translators: %s: excerpt of the Space's last answer, in its team's list. */
		__( 'Answered: %s', 'space-inbox' ),
		// Empty: the site's moderators hid the answer from the member.
		last.excerpt ||
			__(
				'hidden from the member by the site’s moderators',
				'space-inbox'
			)
	);
}

/**
 * The list's filters and rows.
 */
export class TeamList {
	/** @param {Object} inbox The team inbox (its `assignment` and `labels` made before). */
	constructor( inbox ) {
		this.inbox = inbox;
		const id = inbox.uid;
		/** The status shown: 'open', 'done' or '' (all). */
		this.status = 'open';
		this.statusSelect = h(
			'select',
			{
				id: `${ id }-filter`,
				onchange: () => {
					this.status = this.statusSelect.value;
					inbox.loadList();
				},
			},
			h( 'option', { value: 'open', text: __( 'Open', 'space-inbox' ) } ),
			h( 'option', { value: 'done', text: __( 'Done', 'space-inbox' ) } ),
			h( 'option', { value: '', text: __( 'All', 'space-inbox' ) } )
		);
		this.search = new TeamSearch( inbox );
		/** The toolbar's fields, shown with the conversations. */
		this.fields = [
			this.search.field,
			h(
				'div',
				{ class: 'space-inbox__field' },
				h( 'label', {
					for: `${ id }-filter`,
					text: __( 'Show', 'space-inbox' ),
				} ),
				this.statusSelect
			),
			inbox.assignment.filterField,
			inbox.labels.filterField,
		];
	}

	/** @param {boolean} hidden Whether the filters hide (the Dashboard shows). */
	hide( hidden ) {
		for ( const field of this.fields ) {
			field.hidden = hidden;
		}
		this.inbox.labels.renderFilter(); // Shown only once the Space has labels.
	}

	/** @param {boolean} on A search shows: the filters wait (it covers every conversation). */
	searching( on ) {
		const inbox = this.inbox;
		for ( const select of [
			this.statusSelect,
			inbox.assignment.filterSelect,
			inbox.labels.filterSelect,
		] ) {
			select.disabled = on;
		}
	}

	/**
	 * @param {string|null} cursor The page's cursor.
	 * @return {Promise<Object>} The API's page of the Space's conversations, or what the
	 *                           search found.
	 */
	fetch( cursor ) {
		if ( this.search.query ) {
			return this.search.fetch();
		}
		return api( `spaces/${ this.inbox.spaceId }/conversations`, {
			query: {
				status: this.status,
				cursor,
				...this.inbox.assignment.listQuery(),
				...this.inbox.labels.listQuery(),
			},
		} );
	}

	/**
	 * @param {Object} row A team-side API conversation.
	 * @return {Object} Its row in the list.
	 */
	item( row ) {
		const last = row.last_message;
		const item = {
			key: row.id,
			title: row.member
				? row.member.name
				: __( 'Deleted user', 'space-inbox' ),
			excerpt: excerptOf( last ),
			time: last ? last.created_at : row.created_at,
			unread: Number( row.unread ) || 0,
			done: row.status === 'done',
			response: responseLine( row ),
			row,
		};
		if ( this.search.query ) {
			this.search.dress( item );
		}
		return item;
	}

	/** @return {string} What an empty list says. */
	emptyText() {
		return this.search.query
			? __( 'Nothing found.', 'space-inbox' )
			: __( 'No conversations here.', 'space-inbox' );
	}

	/**
	 * @param {Object} item A row.
	 * @return {Array<Node|string>} Its notes after the time.
	 */
	notes( item ) {
		return [
			item.response
				? h( 'span', {
						class: 'space-inbox__response',
						text: item.response,
				  } )
				: '',
			item.done
				? h( 'span', {
						class: 'space-inbox__pill',
						text: __( 'Done', 'space-inbox' ),
				  } )
				: '',
			this.inbox.assignment.itemNote( item.row ),
			this.inbox.labels.itemNote( item.row ),
			presenceNote( item.row ),
		];
	}
}
