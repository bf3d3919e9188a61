/**
 * Space Inbox: a Space's dashboard for its team: the response figures over 7 and 30 days, a
 * bar per day, each admin's answers, the conversations waiting longest, the reply time
 * members see; then how the admin is told of the Space's messages (notify-choices.js, their
 * own), the away settings (away-settings.js), the saved replies (saved-replies.js) and the
 * record (dashboard-record.js). Imported by team-inbox.js, with dashboard.css, the first
 * time the Dashboard is opened.
 *
 * @module space-inbox/dashboard
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, num, h, api, parseTime },
	{ choiceWords, duration, errorText, stampFormat },
	{ fillReplyTime },
	{ AwaySettings },
	{ RepliesManager },
	{ Notices },
	{ chart },
	{ RecordView },
	{ NotifyChoices },
] = await Promise.all(
	[
		'badge.js',
		'team-common.js',
		'reply-time.js',
		'away-settings.js',
		'saved-replies.js',
		'dashboard-saving.js',
		'dashboard-chart.js',
		'dashboard-record.js',
		'notify-choices.js',
	].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** @typedef {import('./reply-picker.js').SavedReplies} SavedReplies */

let percentFormat;
let clockFormat;
try {
	percentFormat = new Intl.NumberFormat( config.locale || undefined, {
		style: 'percent',
		maximumFractionDigits: 0,
	} );
	clockFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		timeStyle: 'short',
	} );
} catch {
	percentFormat = new Intl.NumberFormat( undefined, {
		style: 'percent',
		maximumFractionDigits: 0,
	} );
	clockFormat = new Intl.DateTimeFormat( undefined, { timeStyle: 'short' } );
}

/** What a figure shows when there is none yet. */
const NONE = '—';

/**
 * @param {number|null} value Seconds.
 * @return {string} A span of time in words, or a dash.
 */
const seconds = ( value ) =>
	value === null || value === undefined
		? NONE
		: duration( Number( value ) * 1000 );

/**
 * @param {number|null} share 0 to 1
 * @return {string} A percentage in the user's locale, or a dash.
 */
const percent = ( share ) =>
	share === null || share === undefined
		? NONE
		: percentFormat.format( share );

/**
 * @param {Date} when
 * @return {string} Its time of day when it is today, else its date and time.
 */
const moment = ( when ) =>
	when.toDateString() === new Date().toDateString()
		? clockFormat.format( when )
		: stampFormat.format( when );

/**
 * A Space's dashboard for its team: the response figures over 7 and 30 days, a bar per
 * day, each admin's answers, the conversations waiting longest, the reply time members
 * see; then the away settings and the saved replies. Its notices show beside what caused
 * them and go when the view changes: when it is hidden, shown again or shows another Space.
 */
export class Dashboard {
	/**
	 * @param {Object}                 options
	 * @param {string}                 options.uid
	 * @param {SavedReplies}           options.store
	 * @param {function(number): void} options.onOpen Open a conversation of the inbox.
	 */
	constructor( { uid, store, onOpen } ) {
		this.uid = uid;
		this.store = store;
		this.onOpen = onOpen;
		this.spaceId = 0;
		this.ticket = 0;
		this.notices = new Notices( uid );
		this.title = h( 'h2', {
			id: `${ uid }-dashboard-title`,
			class: 'space-inbox__heading',
			tabindex: '-1',
			text: __( 'Dashboard', 'space-inbox' ),
		} );
		/** The figures' notice (a failed load), above them. */
		this.notice = this.notices.make( 'space-inbox-dashboard__notice' );
		this.replyTime = h( 'p', { class: 'space-inbox-reply-time' } );
		this.replyNote = h( 'p', { class: 'space-inbox-dashboard__note' } );
		this.figures = h( 'div', { class: 'space-inbox-dashboard__figures' } );
		this.settings = new AwaySettings( {
			uid,
			notices: this.notices,
			onSaved: () => this.loadFigures().catch( () => {} ),
		} );
		this.replies = new RepliesManager( {
			uid,
			store,
			notices: this.notices,
		} );
		this.record = new RecordView( { uid, notices: this.notices } );
		this.choices = new NotifyChoices( choiceWords() );
		this.yours = this.section(
			'yours',
			__( 'Your notifications', 'space-inbox' ),
			this.choices.root
		);
		this.root = h(
			'section',
			{
				class: 'space-inbox-dashboard',
				'aria-labelledby': this.title.id,
				hidden: true,
			},
			this.title,
			this.notice.node,
			h(
				'div',
				{
					class: 'space-inbox-dashboard__section space-inbox-dashboard__members-see',
				},
				h( 'h3', { text: __( 'What members see', 'space-inbox' ) } ),
				this.replyTime,
				this.replyNote
			),
			this.figures,
			this.yours,
			this.settings.root,
			this.replies.root,
			this.record.root
		);
		// However the inbox hides the view, its notices go with it.
		new window.MutationObserver( () => {
			if ( this.root.hidden ) {
				this.hide();
			}
		} ).observe( this.root, {
			attributes: true,
			attributeFilter: [ 'hidden' ],
		} );
	}

	/**
	 * Show a Space's dashboard (loaded afresh each time), without the notices of before.
	 *
	 * @param {number}  spaceId
	 * @param {boolean} canWrite Whether the user is on the team (site administrators only read).
	 */
	async show( spaceId, canWrite ) {
		this.notices.clear();
		this.spaceId = spaceId;
		this.settings.use( spaceId, canWrite );
		this.store.use( spaceId );
		this.replies.use( spaceId, canWrite );
		this.record.use( spaceId, canWrite );
		this.yours.hidden = ! canWrite; // site administrators who oversee are not told
		this.root.hidden = false;
		const ticket = ++this.ticket;
		const shown = ( notice ) => ( error ) => {
			if ( ticket === this.ticket ) {
				notice.show( errorText( error ), 'error' );
			}
		};
		// Busy until every part has come: assistive technology waits, and so do the tests.
		this.root.setAttribute( 'aria-busy', 'true' );
		await Promise.all( [
			this.loadFigures().catch( shown( this.notice ) ),
			this.settings.load().catch( shown( this.settings.notice ) ),
			this.store
				.load( spaceId )
				.catch( shown( this.replies.listNotice ) ),
			this.record.load(),
			canWrite
				? this.choices.use( `spaces/${ spaceId }/notifications` )
				: null,
		] );
		if ( ticket === this.ticket ) {
			this.root.removeAttribute( 'aria-busy' );
		}
	}

	/** The view is left: its notices go, and the changes waiting for a pause are sent. */
	hide() {
		this.notices.clear();
		this.settings.flush();
	}

	/** Show the saved replies manager (from the composer's list). */
	focusReplies() {
		this.replies.root.scrollIntoView?.( { block: 'start' } );
		this.replies.heading.focus();
	}

	async loadFigures() {
		const ticket = this.ticket;
		const spaceId = this.spaceId;
		if ( ! this.figures.firstChild ) {
			this.figures.replaceChildren(
				h( 'p', {
					class: 'space-inbox-dashboard__note',
					text: __( 'Loading…', 'space-inbox' ),
				} )
			);
		}
		const { data } = await api( `spaces/${ spaceId }/figures` );
		if ( ticket !== this.ticket || spaceId !== this.spaceId ) {
			return;
		}
		this.renderFigures( data );
	}

	/** @param {Object} data The API's figures. */
	renderFigures( data ) {
		fillReplyTime( this.replyTime, data.response_time );
		const rt = data.response_time || {};
		let note;
		if ( ! rt.typically ) {
			note = __(
				'Members see no reply time yet: set one below, or answer more messages.',
				'space-inbox'
			);
		} else if ( rt.source === 'preset' ) {
			note = __(
				'From your setting below, until the Space has answered enough messages.',
				'space-inbox'
			);
		} else {
			note = __(
				'From the Space’s answers over the last 30 days, in working time: time the Space is away does not count.',
				'space-inbox'
			);
		}
		this.replyNote.textContent = note;
		const days = Array.isArray( data.days ) ? data.days : [];
		this.figures.replaceChildren(
			this.windows( data.space || {} ),
			this.section(
				'chart',
				__( 'Messages to answer per day', 'space-inbox' ),
				chart( this.uid, `${ this.uid }-dashboard-chart`, days )
			),
			this.admins( Array.isArray( data.admins ) ? data.admins : [] ),
			this.waiting( Array.isArray( data.waiting ) ? data.waiting : [] )
		);
	}

	/**
	 * @param {string} key      A name for tests and styles.
	 * @param {string} title
	 * @param {...*}   children
	 * @return {HTMLElement} The section.
	 */
	section( key, title, ...children ) {
		const id = `${ this.uid }-dashboard-${ key }`;
		return h(
			'section',
			{
				class: `space-inbox-dashboard__section space-inbox-dashboard__${ key }`,
				'aria-labelledby': id,
			},
			h( 'h3', { id, text: title } ),
			...children
		);
	}

	/**
	 * A table that reads as cards on a narrow screen: each cell says its column's name.
	 *
	 * @param {string}        key          Its section's key (the table's name is its heading).
	 * @param {Array<string>} head         The columns' names (the first names the rows).
	 * @param {Array<Object>} rows         Each {attrs, cells}: the first cell names the row.
	 * @param {string}        [extraClass]
	 * @return {HTMLElement} The table.
	 */
	table( key, head, rows, extraClass = '' ) {
		return h(
			'table',
			{
				class: `space-inbox-table space-inbox-table--cards ${ extraClass }`.trim(),
				role: 'table',
				'aria-labelledby': `${ this.uid }-dashboard-${ key }`,
			},
			h(
				'thead',
				{ role: 'rowgroup' },
				h(
					'tr',
					{ role: 'row' },
					head.map( ( text, i ) =>
						i === 0 && ! text
							? h( 'td', { role: 'cell' } )
							: h( 'th', {
									scope: 'col',
									role: 'columnheader',
									text,
							  } )
					)
				)
			),
			h(
				'tbody',
				{ role: 'rowgroup' },
				rows.map( ( { attrs, cells } ) =>
					h(
						'tr',
						{ role: 'row', ...attrs },
						cells.map( ( cell, i ) =>
							i === 0
								? h( 'th', {
										scope: 'row',
										role: 'rowheader',
										text: cell.text,
								  } )
								: h( 'td', {
										role: 'cell',
										'data-label': head[ i ],
										...cell,
								  } )
						)
					)
				)
			)
		);
	}

	/**
	 * @param {{days_7: Object, days_30: Object}} space
	 * @return {HTMLElement} The Space's figures over 7 and 30 days.
	 */
	windows( space ) {
		const rows = [
			[
				'median',
				__( 'Median response time', 'space-inbox' ),
				( w ) => seconds( w.median_seconds ),
			],
			[
				'p90',
				__( '9 in 10 answered within', 'space-inbox' ),
				( w ) => seconds( w.p90_seconds ),
			],
			[
				'rate',
				__( 'Response rate (answered within a day)', 'space-inbox' ),
				( w ) => percent( w.response_rate ),
			],
			[
				'periods',
				__( 'Messages to answer', 'space-inbox' ),
				( w ) => num( w.periods || 0 ),
			],
			[
				'answered',
				__( 'Answered', 'space-inbox' ),
				( w ) => num( w.answered || 0 ),
			],
			[
				'waiting',
				__( 'Still waiting', 'space-inbox' ),
				( w ) => num( w.waiting || 0 ),
			],
		];
		const windows = [
			[ '7', space.days_7 || {} ],
			[ '30', space.days_30 || {} ],
		];
		return this.section(
			'windows',
			__( 'Response times, in working time', 'space-inbox' ),
			this.table(
				'windows',
				[
					'',
					__( 'Last 7 days', 'space-inbox' ),
					__( 'Last 30 days', 'space-inbox' ),
				],
				rows.map( ( [ key, label, value ] ) => ( {
					attrs: {},
					cells: [
						{ text: label },
						...windows.map( ( [ days, w ] ) => ( {
							'data-figure': `${ key }-${ days }`,
							text: value( w ),
						} ) ),
					],
				} ) )
			),
			h( 'p', {
				class: 'space-inbox-dashboard__note',
				text: __(
					'Working time: time the Space is away (by hand or outside its opening hours) does not count. A message to answer is a member’s message, with any that follow it, until the Space answers.',
					'space-inbox'
				),
			} )
		);
	}

	/**
	 * @param {Array<Object>} admins
	 * @return {HTMLElement} Each admin's answers (the team only sees this).
	 */
	admins( admins ) {
		const head = [
			__( 'Admin', 'space-inbox' ),
			__( 'Answered, 7 days', 'space-inbox' ),
			__( 'Median, 7 days', 'space-inbox' ),
			__( 'Answered, 30 days', 'space-inbox' ),
			__( 'Median, 30 days', 'space-inbox' ),
			__( '9 in 10 within, 30 days', 'space-inbox' ),
		];
		const rows = admins.map( ( a ) => {
			const d7 = a.days_7 || {};
			const d30 = a.days_30 || {};
			return {
				attrs: { 'data-admin': String( a.admin ? a.admin.id : '' ) },
				cells: [
					{
						text:
							a.admin && a.admin.name
								? a.admin.name
								: __( 'Deleted user', 'space-inbox' ),
					},
					{ text: num( d7.answered || 0 ) },
					{ text: seconds( d7.median_seconds ) },
					{ text: num( d30.answered || 0 ) },
					{ text: seconds( d30.median_seconds ) },
					{ text: seconds( d30.p90_seconds ) },
				],
			};
		} );
		return this.section(
			'admins',
			__( 'By admin, in working time', 'space-inbox' ),
			admins.length
				? this.table(
						'admins',
						head,
						rows,
						'space-inbox-table--admins'
				  )
				: h( 'p', {
						class: 'space-inbox-dashboard__note',
						text: __(
							'No answers in the last 30 days.',
							'space-inbox'
						),
				  } )
		);
	}

	/**
	 * @param {Object} w A waiting conversation.
	 * @return {HTMLElement} Its button: who, how long, since when.
	 */
	waitingItem( w ) {
		const since = parseTime( w.waiting_since );
		// Clock time since the member's message, as the team's list counts it.
		const waited = since
			? Math.max( 0, Date.now() - since.getTime() )
			: Number( w.waited_seconds || 0 ) * 1000;
		return h(
			'button',
			{
				type: 'button',
				class: 'space-inbox-waiting__item',
				'data-conversation': String( w.id ),
				onclick: () => this.onOpen( Number( w.id ) ),
			},
			h( 'span', {
				class: 'space-inbox-waiting__name',
				text:
					w.member && w.member.name
						? w.member.name
						: __( 'Deleted user', 'space-inbox' ),
			} ),
			h( 'span', {
				class: 'space-inbox-waiting__time',
				text: sprintf(
					/* translators: %s: a span of time, e.g. "12 min". */
					__( 'Waiting %s', 'space-inbox' ),
					duration( waited )
				),
			} ),
			since
				? h( 'time', {
						class: 'space-inbox-waiting__since',
						datetime: since.toISOString(),
						text: sprintf(
							/* translators: %s: when a member's unanswered message came, e.g. "10:42 AM". */
							__( 'since %s', 'space-inbox' ),
							moment( since )
						),
				  } )
				: '',
			w.status === 'done'
				? h( 'span', {
						class: 'space-inbox__pill',
						text: __( 'Done', 'space-inbox' ),
				  } )
				: ''
		);
	}

	/**
	 * @param {Array<Object>} waiting Longest first.
	 * @return {HTMLElement} The members waiting for an answer.
	 */
	waiting( waiting ) {
		return this.section(
			'waiting',
			__( 'Waiting longest', 'space-inbox' ),
			h( 'p', {
				class: 'space-inbox-dashboard__note',
				text: __(
					'Clock time since the member’s first unanswered message, away time included: how long the member has waited.',
					'space-inbox'
				),
			} ),
			waiting.length
				? h(
						'ol',
						{ class: 'space-inbox-waiting' },
						waiting.map( ( w ) =>
							h( 'li', {}, this.waitingItem( w ) )
						)
				  )
				: h( 'p', {
						class: 'space-inbox-dashboard__note',
						text: __(
							'No one is waiting for an answer.',
							'space-inbox'
						),
				  } )
		);
	}
}
