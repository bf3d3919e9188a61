/**
 * Space Inbox: the dashboard's record: what the Space's team did, newest first (who
 * answered, noted, assigned, labelled, marked done, blocked, changed a setting, and the
 * Space's own away answers), filtered by what and by days, a page at a time; and its
 * download, as CSV or JSON, for the days chosen (the team only: site administrators read
 * it here). Loaded with the dashboard.
 *
 * @module space-inbox/dashboard-record
 */

const { __, sprintf } = window.wp.i18n;
const [ { h, api, parseTime }, { errorText, field, stampFormat, excerpt } ] =
	await Promise.all(
		[ 'badge.js', 'team-common.js' ].map( ( name ) =>
			import(
				new URL(
					`${ name }${ new URL( import.meta.url ).search }`,
					import.meta.url
				).href
			)
		)
	);

/** @typedef {import('./dashboard-saving.js').Notices} Notices */

/** The kinds of entry the filter offers, as the API names them. */
const KINDS = [
	[ '', __( 'Everything but reads', 'space-inbox' ) ],
	[ 'reply', __( 'Answers', 'space-inbox' ) ],
	[ 'away_answer', __( 'Away answers', 'space-inbox' ) ],
	[ 'note', __( 'Private notes', 'space-inbox' ) ],
	[ 'assign', __( 'Assignments', 'space-inbox' ) ],
	[ 'label', __( 'Labels on conversations', 'space-inbox' ) ],
	[ 'labels', __( 'The Space’s labels', 'space-inbox' ) ],
	[ 'status', __( 'Done and reopened', 'space-inbox' ) ],
	[ 'block', __( 'Blocks', 'space-inbox' ) ],
	[ 'unblock', __( 'Unblocks', 'space-inbox' ) ],
	[ 'settings', __( 'Settings', 'space-inbox' ) ],
	[ 'answer_hidden', __( 'Answers hidden by moderators', 'space-inbox' ) ],
	[
		'answer_shown',
		__( 'Answers shown again by moderators', 'space-inbox' ),
	],
	[ 'read', __( 'Reads', 'space-inbox' ) ],
];

/**
 * @param {Date} day
 * @return {string} The day as YYYY-MM-DD, in the browser's time zone.
 */
const isoDay = ( day ) =>
	`${ day.getFullYear() }-${ String( day.getMonth() + 1 ).padStart(
		2,
		'0'
	) }-${ String( day.getDate() ).padStart( 2, '0' ) }`;

/**
 * What an entry says happened.
 *
 * @param {Object} e An entry of the record.
 * @return {string} A sentence: who did what.
 */
export function said( e ) {
	const who = e.actor
		? e.actor.name
		: __( 'The Space, by itself', 'space-inbox' );
	const member = e.member ? e.member.name : __( 'a member', 'space-inbox' );
	switch ( e.action ) {
		case 'reply':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member. */
				__( '%1$s answered %2$s', 'space-inbox' ),
				who,
				member
			);
		case 'away_answer':
			/* translators: %s: name of a member. */
			return sprintf( __( 'Away answer to %s', 'space-inbox' ), member );
		case 'note':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member. */
				__(
					'%1$s wrote a private note on %2$s’s conversation',
					'space-inbox'
				),
				who,
				member
			);
		case 'status':
			return e.detail === 'done'
				? sprintf(
						/* translators: 1: name of a Space admin, 2: name of a member. */
						__(
							'%1$s marked %2$s’s conversation done',
							'space-inbox'
						),
						who,
						member
				  )
				: sprintf(
						/* translators: 1: name of a Space admin, 2: name of a member. */
						__(
							'%1$s reopened %2$s’s conversation',
							'space-inbox'
						),
						who,
						member
				  );
		case 'block':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member. */
				__( '%1$s blocked %2$s', 'space-inbox' ),
				who,
				member
			);
		case 'unblock':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member. */
				__( '%1$s unblocked %2$s', 'space-inbox' ),
				who,
				member
			);
		case 'assign':
			return sprintf(
				/* translators: 1: who gave it, 2: name of a member, 3: to whom and from whom, e.g. "to Ben, from Ada". */
				__( '%1$s assigned %2$s’s conversation %3$s', 'space-inbox' ),
				who,
				member,
				e.detail
			);
		case 'label':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member, 3: what changed, e.g. "added Big order". */
				__(
					'%1$s changed the labels of %2$s’s conversation: %3$s',
					'space-inbox'
				),
				who,
				member,
				e.detail
			);
		case 'labels':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: what changed, e.g. "created Big order". */
				__( '%1$s changed the Space’s labels: %2$s', 'space-inbox' ),
				who,
				e.detail
			);
		case 'settings':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: the settings changed. */
				__( '%1$s changed the settings: %2$s', 'space-inbox' ),
				who,
				e.detail
			);
		case 'answer_hidden':
			return sprintf(
				/* translators: 1: name of a site moderator, 2: name of a member. */
				__(
					'%1$s, a moderator of the site, hid an answer from %2$s',
					'space-inbox'
				),
				who,
				member
			);
		case 'answer_shown':
			return sprintf(
				/* translators: 1: name of a site moderator, 2: name of a member. */
				__(
					'%1$s, a moderator of the site, showed %2$s an answer again',
					'space-inbox'
				),
				who,
				member
			);
		case 'read':
			return sprintf(
				/* translators: 1: name of a Space admin, 2: name of a member. */
				__( '%1$s read %2$s’s conversation', 'space-inbox' ),
				who,
				member
			);
		default:
			return sprintf(
				/* translators: 1: who did it, 2: what they did (e.g. "assign", "block"), 3: its details. */
				__( '%1$s: %2$s %3$s', 'space-inbox' ),
				who,
				( KINDS.find( ( [ key ] ) => key === e.action ) || [
					'',
					e.action,
				] )[ 1 ],
				[ e.member ? e.member.name : '', e.detail ]
					.filter( Boolean )
					.join( ' · ' )
			);
	}
}

/**
 * The record, with its filters and its download.
 */
export class RecordView {
	/**
	 * @param {Object}  options
	 * @param {string}  options.uid
	 * @param {Notices} options.notices
	 */
	constructor( { uid, notices } ) {
		this.uid = uid;
		this.notice = notices.make();
		this.spaceId = 0;
		this.canWrite = false;
		this.cursor = null;
		this.ticket = 0;
		const today = new Date();
		const monthAgo = new Date( today.getTime() - 29 * 86400000 );
		this.kind = h(
			'select',
			{ id: `${ uid }-record-kind` },
			...KINDS.map( ( [ value, text ] ) =>
				h( 'option', { value, text } )
			)
		);
		this.from = h( 'input', {
			id: `${ uid }-record-from`,
			type: 'date',
			value: isoDay( monthAgo ),
		} );
		this.to = h( 'input', {
			id: `${ uid }-record-to`,
			type: 'date',
			value: isoDay( today ),
		} );
		this.list = h( 'ol', {
			class: 'space-inbox-record',
			'aria-labelledby': `${ uid }-record-title`,
		} );
		this.more = h( 'button', {
			type: 'button',
			hidden: true,
			text: __( 'Show older', 'space-inbox' ),
			onclick: () => this.load( true ),
		} );
		this.downloads = h(
			'p',
			{ class: 'space-inbox-record__downloads' },
			...[ 'csv', 'json' ].map( ( format ) =>
				h( 'button', {
					type: 'button',
					'data-format': format,
					text:
						format === 'csv'
							? __( 'Download CSV', 'space-inbox' )
							: __( 'Download JSON', 'space-inbox' ),
					onclick: () => this.download( format ),
				} )
			)
		);
		this.root = h(
			'section',
			{
				class: 'space-inbox-dashboard__section space-inbox-dashboard__record',
				'aria-labelledby': `${ uid }-record-title`,
			},
			h( 'h3', {
				id: `${ uid }-record-title`,
				text: __( 'The record', 'space-inbox' ),
			} ),
			h( 'p', {
				class: 'space-inbox-dashboard__note',
				text: __(
					'What your team did, and when: for your team only. Days are the Space’s.',
					'space-inbox'
				),
			} ),
			h(
				'form',
				{
					class: 'space-inbox-record__filters',
					onsubmit: ( event ) => {
						event.preventDefault();
						this.load();
					},
				},
				field( __( 'What', 'space-inbox' ), this.kind ),
				field( __( 'From', 'space-inbox' ), this.from ),
				field( __( 'To', 'space-inbox' ), this.to ),
				h( 'button', {
					type: 'submit',
					class: 'button-primary',
					text: __( 'Show', 'space-inbox' ),
				} )
			),
			this.notice.node,
			this.list,
			this.more,
			this.downloads
		);
	}

	/**
	 * @param {number}  spaceId
	 * @param {boolean} canWrite On the team: only they download it.
	 */
	use( spaceId, canWrite ) {
		this.spaceId = spaceId;
		this.canWrite = canWrite;
		this.downloads.hidden = ! canWrite;
	}

	/** @return {Object} The query of the filters. */
	query() {
		return {
			action: this.kind.value || null,
			from: this.from.value || null,
			to: this.to.value || null,
		};
	}

	/**
	 * Show the newest entries, or the next older ones.
	 *
	 * @param {boolean} [older] Add the next page.
	 */
	async load( older = false ) {
		const ticket = ++this.ticket;
		const spaceId = this.spaceId;
		this.notice.clear();
		try {
			const { data } = await api( `spaces/${ spaceId }/record`, {
				query: { ...this.query(), cursor: older ? this.cursor : null },
			} );
			if ( ticket !== this.ticket || spaceId !== this.spaceId ) {
				return;
			}
			const items = data.entries.map( ( e ) => this.item( e ) );
			if ( older ) {
				this.list.append( ...items );
			} else {
				this.list.replaceChildren( ...items );
			}
			if ( ! this.list.children.length ) {
				this.list.append(
					h( 'li', {
						class: 'space-inbox-dashboard__note',
						text: __( 'Nothing in these days.', 'space-inbox' ),
					} )
				);
			}
			this.cursor = data.next_cursor;
			this.more.hidden = ! data.next_cursor;
		} catch ( error ) {
			if ( ticket === this.ticket ) {
				this.notice.show( errorText( error ), 'error' );
			}
		}
	}

	/**
	 * @param {Object} e An entry.
	 * @return {HTMLElement} Its line: when, who did what, and the text.
	 */
	item( e ) {
		const when = parseTime( e.created_at );
		return h(
			'li',
			{ class: `space-inbox-record__entry is-${ e.action }` },
			when
				? h( 'time', {
						datetime: when.toISOString(),
						text: stampFormat.format( when ),
				  } )
				: '',
			h( 'span', { class: 'space-inbox-record__what', text: said( e ) } ),
			e.text
				? h( 'q', {
						class: 'space-inbox-record__text',
						text: excerpt( e.text, 140 ),
				  } )
				: ''
		);
	}

	/**
	 * Download the record of the days chosen.
	 *
	 * @param {'csv'|'json'} format
	 */
	async download( format ) {
		const { from, to } = this.query();
		if ( ! from || ! to ) {
			this.notice.show(
				__( 'Choose the first and the last day.', 'space-inbox' ),
				'error'
			);
			return;
		}
		try {
			const { data } = await api(
				`spaces/${ this.spaceId }/record/export`,
				{ query: { format, from, to }, blob: true }
			);
			const link = h( 'a', {
				href: URL.createObjectURL( data ),
				download: `space-${ this.spaceId }-record-${ from }-to-${ to }.${ format }`,
				hidden: true,
			} );
			this.root.append( link );
			link.click();
			link.remove();
			window.setTimeout( () => URL.revokeObjectURL( link.href ), 60000 );
		} catch ( error ) {
			this.notice.show( errorText( error ), 'error' );
		}
	}
}
