/**
 * Space Inbox: the away settings' weekly opening hours, a row per weekday. A day's hours
 * save themselves once they are complete and in order (an added or removed opening at
 * once, a changed time after a pause or when the focus leaves the day); a day whose hours
 * are wrong says so beside them and is not sent. Loaded with the dashboard.
 *
 * @module space-inbox/dashboard-hours
 */

const { __, sprintf } = window.wp.i18n;
const [ { config, h }, { teamConfig }, { AutoSave } ] = await Promise.all(
	[ 'badge.js', 'team-common.js', 'dashboard-saving.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** @typedef {import('./dashboard-saving.js').Notices} Notices */
/** @typedef {import('./dashboard-saving.js').Queue} Queue */

const WEEK = [ 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' ];
const WEEKDAYS =
	Array.isArray( teamConfig.weekdays ) && teamConfig.weekdays.length
		? teamConfig.weekdays
		: WEEK;
const INTERVALS_PER_DAY = Number( teamConfig.intervalsPerDay ) || 3;

let weekdayFormat;
try {
	weekdayFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		weekday: 'long',
		timeZone: 'UTC',
	} );
} catch {
	weekdayFormat = new Intl.DateTimeFormat( undefined, {
		weekday: 'long',
		timeZone: 'UTC',
	} );
}

/**
 * @param {string} day "mon" … "sun"
 * @return {string} The weekday's name in the user's language.
 */
function weekdayName( day ) {
	const index = WEEK.indexOf( day );
	// 2024-01-01 was a Monday.
	return index < 0
		? day
		: weekdayFormat.format( new Date( Date.UTC( 2024, 0, 1 + index ) ) );
}

/**
 * A time of day for an <input type="time">: the end of the day ("24:00") shows as 00:00.
 *
 * @param {string} clock A time of day, "HH:MM".
 * @return {string} The input's value.
 */
const toInput = ( clock ) => ( clock === '24:00' ? '00:00' : clock );
/**
 * A closing time from an <input type="time">: 00:00 is the end of the day.
 *
 * @param {string} value The input's value, "HH:MM".
 * @return {string} The closing time.
 */
const toClosing = ( value ) => ( value === '00:00' ? '24:00' : value );

/**
 * @param {Array<{opens: string, closes: string}>} openings As sent ("24:00" closes the day).
 * @return {number} The first opening that is incomplete, empty or out of order, or -1.
 */
const wrongOpening = ( openings ) =>
	openings.findIndex(
		( o, i ) =>
			! o.opens ||
			! o.closes ||
			o.opens >= o.closes ||
			( i > 0 && o.opens < openings[ i - 1 ].closes )
	);

/** The weekly opening hours, each day saving itself. */
export class OpeningHours {
	/**
	 * @param {Object}                    options
	 * @param {string}                    options.uid
	 * @param {Notices}                   options.notices
	 * @param {Queue}                     options.queue
	 * @param {function(): number}        options.spaceId
	 * @param {function(): Object}        options.stored  The hours the bridge holds, by day.
	 * @param {function(Object, *): void} options.saved   Told the settings after a save.
	 */
	constructor( { uid, notices, queue, spaceId, stored, saved } ) {
		this.uid = uid;
		/** Each day's openings as the inputs show them. */
		this.hours = {};
		this.days = {};
		this.root = h( 'div', { class: 'space-inbox-hours' } );
		for ( const day of WEEKDAYS ) {
			const notice = notices.make( 'space-inbox-hours__notice' );
			this.days[ day ] = {
				notice,
				save: new AutoSave( {
					notice,
					queue,
					spaceId,
					read: () => this.read( day ),
					check: ( openings ) =>
						wrongOpening( openings ) < 0
							? ''
							: sprintf(
									/* translators: %s: a weekday's name. */
									__(
										'Not saved: on %s, each opening must close after it opens, and after the one before.',
										'space-inbox'
									),
									weekdayName( day )
							  ),
					body: ( openings ) => {
						const hours = { ...( stored() || {} ) };
						if ( openings.length ) {
							hours[ day ] = openings;
						} else {
							delete hours[ day ];
						}
						return { hours };
					},
					saved,
					marked: () => this.culprits( day ),
				} ),
			};
		}
	}

	/**
	 * @param {string} day
	 * @return {Array<{opens: string, closes: string}>} The day's openings as they would be sent.
	 */
	read( day ) {
		return ( this.hours[ day ] || [] ).map( ( o ) => ( {
			opens: o.opens,
			closes: toClosing( o.closes ),
		} ) );
	}

	/**
	 * @param {string} day
	 * @return {Array<HTMLElement>} The inputs of the day's wrong opening (every input when none is).
	 */
	culprits( day ) {
		const inputs = [
			...this.root.querySelectorAll( `input[data-day="${ day }"]` ),
		];
		const wrong = wrongOpening( this.read( day ) );
		return wrong < 0 ? inputs : inputs.slice( wrong * 2, wrong * 2 + 2 );
	}

	/** @return {Array<AutoSave>} Each day's saving. */
	get saves() {
		return Object.values( this.days ).map( ( d ) => d.save );
	}

	/**
	 * Show the hours the bridge holds; a day whose change is not saved yet keeps it.
	 *
	 * @param {Object}  hours By day, as the bridge gives them.
	 * @param {boolean} same  The same Space as before.
	 */
	fill( hours, same ) {
		for ( const day of WEEKDAYS ) {
			const given = Array.isArray( hours && hours[ day ] )
				? hours[ day ]
				: [];
			const { save } = this.days[ day ];
			if ( same && save.dirty ) {
				save.stored = JSON.stringify( given );
				continue;
			}
			this.hours[ day ] = given.map( ( o ) => ( {
				opens: toInput( o.opens ),
				closes: toInput( o.closes ),
			} ) );
			save.settle( given );
		}
		this.render();
		if ( same ) {
			for ( const save of this.saves ) {
				if ( save.dirty ) {
					save.now();
				}
			}
		}
	}

	render() {
		this.root.replaceChildren(
			...WEEKDAYS.map( ( day ) => this.dayRow( day ) )
		);
	}

	/**
	 * @param {string}           day
	 * @param {Object}           opening
	 * @param {'opens'|'closes'} edge
	 * @param {string}           label
	 * @return {HTMLInputElement} The input of one end of an opening.
	 */
	timeInput( day, opening, edge, label ) {
		const { save } = this.days[ day ];
		const input = h( 'input', {
			type: 'time',
			step: '60',
			value: opening[ edge ],
			'data-day': day,
			'data-edge': edge,
			'aria-label': label,
			required: true,
			oninput: () => {
				opening[ edge ] = input.value;
				save.later( 1500 );
			},
			onchange: () => {
				opening[ edge ] = input.value;
				save.later( 700 );
			},
		} );
		this.days[ day ].notice.describe( input );
		return input;
	}

	/**
	 * @param {string} day
	 * @return {HTMLElement} One weekday's openings, with add and remove, and its notice.
	 */
	dayRow( day ) {
		const name = weekdayName( day );
		const nameId = `${ this.uid }-day-${ day }`;
		const openings = this.hours[ day ] || [];
		const { save, notice } = this.days[ day ];
		const rows = openings.map( ( opening, index ) =>
			h(
				'span',
				{ class: 'space-inbox-hours__opening' },
				this.timeInput(
					day,
					opening,
					'opens',
					/* translators: %s: a weekday's name. */
					sprintf( __( '%s, opens', 'space-inbox' ), name )
				),
				h( 'span', { 'aria-hidden': 'true', text: '–' } ),
				this.timeInput(
					day,
					opening,
					'closes',
					/* translators: %s: a weekday's name (the closing time of an opening that day). */
					sprintf( __( '%s, closes', 'space-inbox' ), name )
				),
				h( 'button', {
					type: 'button',
					class: 'button-link',
					'aria-label': sprintf(
						/* translators: %s: a weekday's name. */
						__( 'Remove these hours on %s', 'space-inbox' ),
						name
					),
					text: __( 'Remove', 'space-inbox' ),
					onclick: () => {
						openings.splice( index, 1 );
						this.rerender( day );
						save.now();
					},
				} )
			)
		);
		const add =
			openings.length < INTERVALS_PER_DAY
				? h( 'button', {
						type: 'button',
						class: 'space-inbox-dashboard__button',
						'aria-label': sprintf(
							/* translators: %s: a weekday's name (a button that adds an opening that day). */
							__( 'Add hours on %s', 'space-inbox' ),
							name
						),
						text: __( 'Add hours', 'space-inbox' ),
						onclick: () => {
							const last = openings[ openings.length - 1 ];
							openings.push(
								last
									? {
											opens:
												last.closes === '00:00'
													? '23:00'
													: last.closes,
											closes: '00:00',
									  }
									: { opens: '09:00', closes: '17:00' }
							);
							this.hours[ day ] = openings;
							this.rerender( day, true );
							save.now();
						},
				  } )
				: '';
		return h(
			'div',
			{
				class: 'space-inbox-hours__day',
				role: 'group',
				'aria-labelledby': nameId,
				'data-day': day,
				onfocusout: ( event ) => {
					const row = event.currentTarget;
					if ( ! row.contains( event.relatedTarget ) ) {
						if ( save.timer ) {
							save.now();
						}
					}
				},
			},
			h( 'span', {
				id: nameId,
				class: 'space-inbox-hours__name',
				text: name,
			} ),
			h(
				'span',
				{ class: 'space-inbox-hours__openings' },
				rows.length
					? rows
					: h( 'span', {
							class: 'space-inbox-hours__closed',
							text: __( 'Closed', 'space-inbox' ),
					  } )
			),
			add,
			notice.node
		);
	}

	/**
	 * @param {string}  day
	 * @param {boolean} [focusLast] Put the focus in the newest opening.
	 */
	rerender( day, focusLast = false ) {
		const old = this.root.querySelector(
			`[data-day="${ day }"].space-inbox-hours__day`
		);
		const fresh = this.dayRow( day );
		old.replaceWith( fresh );
		const inputs = fresh.querySelectorAll( 'input' );
		( focusLast && inputs.length
			? inputs[ inputs.length - 2 ]
			: fresh.querySelector( 'button' )
		)?.focus();
	}
}
