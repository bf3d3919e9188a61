/**
 * Space Inbox: a Space's dashboard for its team: the response figures over 7 and 30 days, a
 * bar per day, each admin's answers, the conversations waiting longest, the reply time
 * members see; then the away settings (away-settings.js) and the saved replies
 * (saved-replies.js). Imported by team-inbox.js, with dashboard.css, the first time the
 * Dashboard is opened.
 *
 * @module space-inbox/dashboard
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, num, h, api },
	{ duration, errorText },
	{ fillReplyTime },
	{ AwaySettings },
	{ RepliesManager },
] = await Promise.all(
	[
		'badge.js',
		'team-common.js',
		'reply-time.js',
		'away-settings.js',
		'saved-replies.js',
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
let dayFormat;
try {
	percentFormat = new Intl.NumberFormat( config.locale || undefined, {
		style: 'percent',
		maximumFractionDigits: 0,
	} );
	dayFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		month: 'short',
		day: 'numeric',
		timeZone: 'UTC',
	} );
} catch {
	percentFormat = new Intl.NumberFormat( undefined, {
		style: 'percent',
		maximumFractionDigits: 0,
	} );
	dayFormat = new Intl.DateTimeFormat( undefined, {
		month: 'short',
		day: 'numeric',
		timeZone: 'UTC',
	} );
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
 * @param {string} date "YYYY-MM-DD"
 * @return {string} e.g. "Mar 3".
 */
function dayLabel( date ) {
	const when = new Date( `${ date }T00:00:00Z` );
	return Number.isNaN( when.getTime() ) ? date : dayFormat.format( when );
}

/**
 * A Space's dashboard for its team: the response figures over 7 and 30 days, a bar per
 * day, each admin's answers, the conversations waiting longest, the reply time members
 * see; then the away settings and the saved replies.
 */
export class Dashboard {
	/**
	 * @param {Object}                          options
	 * @param {string}                          options.uid
	 * @param {SavedReplies}                    options.store
	 * @param {function(string, string=): void} options.say
	 * @param {function(number): void}          options.onOpen Open a conversation of the inbox.
	 */
	constructor( { uid, store, say, onOpen } ) {
		this.uid = uid;
		this.store = store;
		this.say = say;
		this.onOpen = onOpen;
		this.spaceId = 0;
		this.ticket = 0;
		this.title = h( 'h2', {
			id: `${ uid }-dashboard-title`,
			class: 'space-inbox__heading',
			tabindex: '-1',
			text: __( 'Dashboard', 'space-inbox' ),
		} );
		this.replyTime = h( 'p', { class: 'space-inbox-reply-time' } );
		this.replyNote = h( 'p', { class: 'space-inbox-dashboard__note' } );
		this.figures = h( 'div', { class: 'space-inbox-dashboard__figures' } );
		this.settings = new AwaySettings( {
			uid,
			say,
			onSaved: () => this.loadFigures().catch( () => {} ),
		} );
		this.replies = new RepliesManager( { uid, store, say } );
		this.root = h(
			'section',
			{
				class: 'space-inbox-dashboard',
				'aria-labelledby': this.title.id,
				hidden: true,
			},
			this.title,
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
			this.settings.root,
			this.replies.root
		);
	}

	/**
	 * Show a Space's dashboard (loaded afresh each time).
	 *
	 * @param {number}  spaceId
	 * @param {boolean} canWrite Whether the user is on the team (site administrators only read).
	 */
	async show( spaceId, canWrite ) {
		this.spaceId = spaceId;
		this.settings.use( spaceId, canWrite );
		this.store.use( spaceId );
		this.replies.use( spaceId, canWrite );
		const ticket = ++this.ticket;
		const settings = api( `spaces/${ spaceId }/settings` ).then(
			( { data } ) => {
				if ( ticket === this.ticket ) {
					this.settings.fill( data );
				}
			}
		);
		const failures = await Promise.allSettled( [
			this.loadFigures(),
			settings,
			this.store.load( spaceId ),
		] );
		const failed = failures.find( ( r ) => r.status === 'rejected' );
		if ( failed && ticket === this.ticket ) {
			this.say( errorText( failed.reason ), 'error' );
		}
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
				'From the Space’s answers over the last 30 days.',
				'space-inbox'
			);
		}
		this.replyNote.textContent = note;
		this.figures.replaceChildren(
			this.windows( data.space || {} ),
			this.chart( Array.isArray( data.days ) ? data.days : [] ),
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
			__( 'Response times', 'space-inbox' ),
			h(
				'table',
				{
					class: 'space-inbox-table',
					'aria-labelledby': `${ this.uid }-dashboard-windows`,
				},
				h(
					'thead',
					{},
					h(
						'tr',
						{},
						h( 'td', {} ),
						h( 'th', {
							scope: 'col',
							text: __( 'Last 7 days', 'space-inbox' ),
						} ),
						h( 'th', {
							scope: 'col',
							text: __( 'Last 30 days', 'space-inbox' ),
						} )
					)
				),
				h(
					'tbody',
					{},
					rows.map( ( [ key, label, value ] ) =>
						h(
							'tr',
							{},
							h( 'th', { scope: 'row', text: label } ),
							windows.map( ( [ days, w ] ) =>
								h( 'td', {
									'data-figure': `${ key }-${ days }`,
									text: value( w ),
								} )
							)
						)
					)
				)
			),
			h( 'p', {
				class: 'space-inbox-dashboard__note',
				text: __(
					'A message to answer is a member’s message, with any that follow it, until the Space answers. Time the Space is away does not count.',
					'space-inbox'
				),
			} )
		);
	}

	/**
	 * @param {Array<Object>} days Oldest first.
	 * @return {HTMLElement} A bar per day, each with its figures in words.
	 */
	chart( days ) {
		const most = Math.max(
			1,
			...days.map( ( d ) => Number( d.periods ) || 0 )
		);
		const bars = days.map( ( day ) => {
			const periods = Number( day.periods ) || 0;
			const answered = Number( day.answered ) || 0;
			let text = sprintf(
				/* translators: 1: a date, 2: number of messages to answer that day, 3: how many of them were answered. */
				__( '%1$s: %2$s to answer, %3$s answered', 'space-inbox' ),
				dayLabel( day.date ),
				num( periods ),
				num( answered )
			);
			if (
				day.median_seconds !== null &&
				day.median_seconds !== undefined
			) {
				text += `, ${ sprintf(
					/* translators: %s: a span of time. */
					__( 'median %s', 'space-inbox' ),
					seconds( day.median_seconds )
				) }`;
			}
			const bar = h(
				'span',
				{ class: 'space-inbox-chart__bar', 'aria-hidden': 'true' },
				h( 'span', { class: 'space-inbox-chart__answered' } )
			);
			bar.style.height = `${ ( 100 * periods ) / most }%`;
			bar.firstChild.style.height = `${
				periods ? ( 100 * answered ) / periods : 0
			}%`;
			return h(
				'li',
				{
					class: 'space-inbox-chart__day',
					title: text,
					'data-date': day.date,
				},
				bar,
				h( 'span', { class: 'space-inbox-sr', text } )
			);
		} );
		const first = days[ 0 ];
		const last = days[ days.length - 1 ];
		return this.section(
			'chart',
			__( 'Messages to answer per day', 'space-inbox' ),
			h(
				'ol',
				{
					class: 'space-inbox-chart',
					'aria-label': __(
						'Messages to answer per day, last 30 days',
						'space-inbox'
					),
				},
				bars
			),
			first && last
				? h(
						'div',
						{
							class: 'space-inbox-chart__axis',
							'aria-hidden': 'true',
						},
						h( 'span', { text: dayLabel( first.date ) } ),
						h( 'span', { text: dayLabel( last.date ) } )
				  )
				: '',
			h(
				'p',
				{ class: 'space-inbox-chart__legend', 'aria-hidden': 'true' },
				h( 'span', { class: 'space-inbox-chart__key' } ),
				__( 'to answer', 'space-inbox' ),
				h( 'span', { class: 'space-inbox-chart__key is-answered' } ),
				__( 'answered', 'space-inbox' )
			)
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
		const table = admins.length
			? h(
					'table',
					{
						class: 'space-inbox-table space-inbox-table--admins',
						'aria-labelledby': `${ this.uid }-dashboard-admins`,
					},
					h(
						'thead',
						{},
						h(
							'tr',
							{},
							head.map( ( text ) =>
								h( 'th', { scope: 'col', text } )
							)
						)
					),
					h(
						'tbody',
						{},
						admins.map( ( a ) => {
							const d7 = a.days_7 || {};
							const d30 = a.days_30 || {};
							return h(
								'tr',
								{
									'data-admin': String(
										a.admin ? a.admin.id : ''
									),
								},
								h( 'th', {
									scope: 'row',
									text:
										a.admin && a.admin.name
											? a.admin.name
											: __(
													'Deleted user',
													'space-inbox'
											  ),
								} ),
								h( 'td', { text: num( d7.answered || 0 ) } ),
								h( 'td', {
									text: seconds( d7.median_seconds ),
								} ),
								h( 'td', { text: num( d30.answered || 0 ) } ),
								h( 'td', {
									text: seconds( d30.median_seconds ),
								} ),
								h( 'td', { text: seconds( d30.p90_seconds ) } )
							);
						} )
					)
			  )
			: h( 'p', {
					class: 'space-inbox-dashboard__note',
					text: __(
						'No answers in the last 30 days.',
						'space-inbox'
					),
			  } );
		return this.section(
			'admins',
			__( 'By admin', 'space-inbox' ),
			h( 'div', { class: 'space-inbox-table-wrap' }, table )
		);
	}

	/**
	 * @param {Array<Object>} waiting Longest first.
	 * @return {HTMLElement} The members waiting for an answer.
	 */
	waiting( waiting ) {
		const list = waiting.length
			? h(
					'ol',
					{ class: 'space-inbox-waiting' },
					waiting.map( ( w ) =>
						h(
							'li',
							{},
							h(
								'button',
								{
									type: 'button',
									class: 'space-inbox-waiting__item',
									'data-conversation': String( w.id ),
									onclick: () =>
										this.onOpen( Number( w.id ) ),
								},
								h( 'span', {
									class: 'space-inbox-waiting__name',
									text:
										w.member && w.member.name
											? w.member.name
											: __(
													'Deleted user',
													'space-inbox'
											  ),
								} ),
								h( 'span', {
									class: 'space-inbox-waiting__time',
									text: sprintf(
										/* translators: %s: a span of time, e.g. "12 min". */
										__( 'Waiting %s', 'space-inbox' ),
										seconds( w.waited_seconds )
									),
								} ),
								w.status === 'done'
									? h( 'span', {
											class: 'space-inbox__pill',
											text: __( 'Done', 'space-inbox' ),
									  } )
									: ''
							)
						)
					)
			  )
			: h( 'p', {
					class: 'space-inbox-dashboard__note',
					text: __(
						'No one is waiting for an answer.',
						'space-inbox'
					),
			  } );
		return this.section(
			'waiting',
			__( 'Waiting longest', 'space-inbox' ),
			list
		);
	}
}
