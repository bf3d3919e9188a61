/**
 * Space Inbox: the dashboard's chart of the messages to answer per day: a bar per day over
 * a value axis with a few gridlines, each bar's figures in its tooltip, and the same
 * figures as a table, which screen readers read and a button shows. Loaded with the
 * dashboard, when it is first opened.
 *
 * @module space-inbox/dashboard-chart
 */

const { __, sprintf } = window.wp.i18n;
const [ { config, num, h }, { duration } ] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

let dayFormat;
try {
	dayFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		month: 'short',
		day: 'numeric',
		timeZone: 'UTC',
	} );
} catch {
	dayFormat = new Intl.DateTimeFormat( undefined, {
		month: 'short',
		day: 'numeric',
		timeZone: 'UTC',
	} );
}

/**
 * @param {string} date "YYYY-MM-DD"
 * @return {string} e.g. "Mar 3".
 */
export function dayLabel( date ) {
	const when = new Date( `${ date }T00:00:00Z` );
	return Number.isNaN( when.getTime() ) ? date : dayFormat.format( when );
}

/**
 * The value axis: a round step, so that about four gridlines cover the most.
 *
 * @param {number} most The highest bar (at least 1).
 * @return {{top: number, ticks: number[]}} The axis' top and its gridlines' values, from 0.
 */
export function scale( most ) {
	const rough = Math.max( most, 1 ) / 4;
	const power = 10 ** Math.floor( Math.log10( rough ) );
	const step = Math.max(
		1,
		[ 1, 2, 5, 10 ].map( ( f ) => f * power ).find( ( s ) => s >= rough )
	);
	const top = Math.max( step, Math.ceil( most / step ) * step );
	const ticks = [];
	for ( let value = 0; value <= top; value += step ) {
		ticks.push( value );
	}
	return { top, ticks };
}

/**
 * @param {Object} day
 * @return {string} The day's median response time in words, or ''.
 */
const medianOf = ( day ) =>
	day.median_seconds === null || day.median_seconds === undefined
		? ''
		: duration( Number( day.median_seconds ) * 1000 );

/**
 * @param {string}        uid   The inbox's id.
 * @param {string}        title The chart's heading's id.
 * @param {Array<Object>} days  Oldest first.
 * @return {HTMLElement} The chart, a figure: the bars, their axes, the legend and the table.
 */
export function chart( uid, title, days ) {
	const { top, ticks } = scale(
		Math.max( 0, ...days.map( ( d ) => Number( d.periods ) || 0 ) )
	);
	const tableId = `${ uid }-chart-table`;
	const bars = days.map( ( day ) => {
		const periods = Number( day.periods ) || 0;
		const answered = Number( day.answered ) || 0;
		const median = medianOf( day );
		let text = sprintf(
			/* translators: 1: a date, 2: number of messages to answer that day, 3: how many of them were answered. */
			__( '%1$s: %2$s to answer, %3$s answered', 'space-inbox' ),
			dayLabel( day.date ),
			num( periods ),
			num( answered )
		);
		if ( median ) {
			text += `, ${ sprintf(
				/* translators: %s: a span of time. */
				__( 'median %s', 'space-inbox' ),
				median
			) }`;
		}
		const bar = h(
			'span',
			{ class: 'space-inbox-chart__bar' },
			h( 'span', { class: 'space-inbox-chart__answered' } )
		);
		bar.style.height = `${ ( 100 * periods ) / top }%`;
		bar.firstChild.style.height = `${
			periods ? ( 100 * answered ) / periods : 0
		}%`;
		return h(
			'li',
			{
				class: 'space-inbox-chart__day',
				title: text,
				'data-date': day.date,
				'data-periods': String( periods ),
			},
			bar,
			h( 'span', { class: 'space-inbox-sr', text } )
		);
	} );
	const at = ( value ) => `${ ( 100 * value ) / top }%`;
	const first = days[ 0 ];
	const last = days[ days.length - 1 ];
	const table = h(
		'table',
		{ class: 'space-inbox-table space-inbox-chart__table' },
		h( 'caption', {
			text: __(
				'Messages to answer per day, last 30 days',
				'space-inbox'
			),
		} ),
		h(
			'thead',
			{},
			h(
				'tr',
				{},
				[
					__( 'Day', 'space-inbox' ),
					__( 'To answer', 'space-inbox' ),
					__( 'Answered', 'space-inbox' ),
					__( 'Median (working time)', 'space-inbox' ),
				].map( ( text ) => h( 'th', { scope: 'col', text } ) )
			)
		),
		h(
			'tbody',
			{},
			days.map( ( day ) =>
				h(
					'tr',
					{ 'data-date': day.date },
					h( 'th', { scope: 'row', text: dayLabel( day.date ) } ),
					h( 'td', { text: num( Number( day.periods ) || 0 ) } ),
					h( 'td', { text: num( Number( day.answered ) || 0 ) } ),
					h( 'td', { text: medianOf( day ) || '—' } )
				)
			)
		)
	);
	// A table is never narrower than its content: what hides it is around it.
	const numbers = h(
		'div',
		{ id: tableId, class: 'space-inbox-chart__numbers space-inbox-sr' },
		table
	);
	const toggle = h( 'button', {
		type: 'button',
		class: 'space-inbox-dashboard__button is-small',
		'aria-expanded': 'false',
		'aria-controls': tableId,
		text: __( 'Show the numbers', 'space-inbox' ),
		onclick: () => {
			const open = toggle.getAttribute( 'aria-expanded' ) !== 'true';
			toggle.setAttribute( 'aria-expanded', open ? 'true' : 'false' );
			toggle.textContent = open
				? __( 'Hide the numbers', 'space-inbox' )
				: __( 'Show the numbers', 'space-inbox' );
			numbers.classList.toggle( 'space-inbox-sr', ! open );
		},
	} );
	return h(
		'figure',
		{ class: 'space-inbox-chart', 'aria-labelledby': title },
		h(
			'div',
			{ class: 'space-inbox-chart__plot', 'aria-hidden': 'true' },
			h(
				'div',
				{ class: 'space-inbox-chart__scale' },
				ticks.map( ( value ) => {
					const label = h( 'span', {
						class: 'space-inbox-chart__tick',
						text: num( value ),
					} );
					label.style.bottom = at( value );
					return label;
				} )
			),
			h(
				'div',
				{ class: 'space-inbox-chart__area' },
				ticks.map( ( value ) => {
					const line = h( 'span', {
						class: 'space-inbox-chart__grid',
					} );
					line.style.bottom = at( value );
					return line;
				} ),
				h( 'ol', { class: 'space-inbox-chart__bars' }, bars )
			),
			first && last
				? h(
						'div',
						{ class: 'space-inbox-chart__axis' },
						h( 'span', { text: dayLabel( first.date ) } ),
						h( 'span', { text: dayLabel( last.date ) } )
				  )
				: ''
		),
		h(
			'figcaption',
			{ class: 'space-inbox-chart__legend' },
			h(
				'span',
				{ class: 'space-inbox-chart__keys', 'aria-hidden': 'true' },
				h( 'span', { class: 'space-inbox-chart__key' } ),
				__( 'to answer', 'space-inbox' ),
				h( 'span', { class: 'space-inbox-chart__key is-answered' } ),
				__( 'answered', 'space-inbox' )
			),
			toggle
		),
		numbers
	);
}
