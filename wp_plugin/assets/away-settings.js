/**
 * Space Inbox: the dashboard's away settings: away now, opening hours, time zone, away
 * message and the reply time members see until the figures say. Loaded with the dashboard,
 * when it is first opened.
 *
 * @module space-inbox/away-settings
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, h, api, parseTime },
	{ teamConfig, errorText, field, checkbox, stampFormat },
	{ typicallyText },
] = await Promise.all(
	[ 'badge.js', 'team-common.js', 'reply-time.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

const WEEKDAYS =
	Array.isArray( teamConfig.weekdays ) && teamConfig.weekdays.length
		? teamConfig.weekdays
		: [ 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' ];
const INTERVALS_PER_DAY = Number( teamConfig.intervalsPerDay ) || 3;
const REPLY_TIMES =
	Array.isArray( teamConfig.replyTimes ) && teamConfig.replyTimes.length
		? teamConfig.replyTimes
		: [ 'minutes', 'hour', 'hours', 'day' ];

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
	const index = [ 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' ].indexOf(
		day
	);
	// 2024-01-01 was a Monday.
	return index < 0
		? day
		: weekdayFormat.format( new Date( Date.UTC( 2024, 0, 1 + index ) ) );
}

/** @return {string[]} The time zone names the browser knows, for the time zone field's list. */
function timeZones() {
	try {
		return typeof Intl.supportedValuesOf === 'function'
			? Intl.supportedValuesOf( 'timeZone' )
			: [];
	} catch {
		return [];
	}
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
 * The away settings: away now, opening hours, time zone, away message and reply preset.
 */
export class AwaySettings {
	/**
	 * @param {Object}                          options
	 * @param {string}                          options.uid
	 * @param {function(string, string=): void} options.say
	 * @param {function(): void}                options.onSaved The reply time members see may have changed.
	 */
	constructor( { uid, say, onSaved } ) {
		this.uid = uid;
		this.say = say;
		this.onSaved = onSaved;
		this.spaceId = 0;
		/** @type {Object<string, Array<{opens: string, closes: string}>>} */
		this.hours = {};
		this.state = h( 'p', {
			class: 'space-inbox-settings__state',
			'aria-live': 'polite',
		} );
		this.awayNow = h( 'input', {
			type: 'checkbox',
			id: `${ uid }-away-now`,
			onchange: () => this.setAwayNow(),
		} );
		this.hoursEnabled = h( 'input', {
			type: 'checkbox',
			id: `${ uid }-hours-enabled`,
		} );
		this.days = h( 'div', { class: 'space-inbox-hours' } );
		this.timezone = h( 'input', {
			type: 'text',
			id: `${ uid }-timezone`,
			list: `${ uid }-timezones`,
			autocomplete: 'off',
			spellcheck: 'false',
		} );
		this.message = h( 'textarea', {
			id: `${ uid }-away-message`,
			rows: '3',
		} );
		this.preset = h(
			'select',
			{ id: `${ uid }-preset` },
			h( 'option', {
				value: '',
				text: __( 'Nothing until the figures say', 'space-inbox' ),
			} ),
			REPLY_TIMES.map( ( value ) =>
				h( 'option', { value, text: typicallyText( value ) || value } )
			)
		);
		this.saveButton = h( 'button', {
			type: 'submit',
			class: 'button button-primary',
			text: __( 'Save settings', 'space-inbox' ),
		} );
		this.fields = h(
			'fieldset',
			{ class: 'space-inbox-settings__fields' },
			h( 'legend', {
				class: 'space-inbox-sr',
				text: __( 'Away settings', 'space-inbox' ),
			} ),
			checkbox( __( 'Away now', 'space-inbox' ), this.awayNow ),
			h(
				'fieldset',
				{ class: 'space-inbox-settings__hours' },
				h( 'legend', { text: __( 'Opening hours', 'space-inbox' ) } ),
				checkbox(
					__( 'Away outside opening hours', 'space-inbox' ),
					this.hoursEnabled
				),
				h( 'p', {
					class: 'space-inbox-form__hint',
					text: __(
						'A day with no hours is closed. A closing time of 00:00 is midnight.',
						'space-inbox'
					),
				} ),
				this.days
			),
			field(
				__( 'Time zone', 'space-inbox' ),
				this.timezone,
				__(
					'A name such as Europe/Paris, or an offset such as UTC+05:30.',
					'space-inbox'
				)
			),
			h(
				'datalist',
				{ id: `${ uid }-timezones` },
				timeZones().map( ( name ) => h( 'option', { value: name } ) )
			),
			field(
				__( 'Away message', 'space-inbox' ),
				this.message,
				__(
					'Sent as the Space, at most once a day per conversation, to a member who writes while the Space is away.',
					'space-inbox'
				)
			),
			field(
				__( 'Reply time members see', 'space-inbox' ),
				this.preset,
				__(
					'Shown until the Space has answered enough messages for its figures to say.',
					'space-inbox'
				)
			),
			h( 'div', { class: 'space-inbox-form__actions' }, this.saveButton )
		);
		this.readOnly = h( 'p', {
			class: 'space-inbox-dashboard__note',
			hidden: true,
			text: __(
				'Only the Space’s team can change these settings.',
				'space-inbox'
			),
		} );
		this.root = h(
			'section',
			{
				class: 'space-inbox-dashboard__section space-inbox-settings',
				'aria-labelledby': `${ uid }-settings-title`,
			},
			h( 'h3', {
				id: `${ uid }-settings-title`,
				text: __( 'Away and reply time', 'space-inbox' ),
			} ),
			this.state,
			this.readOnly,
			h(
				'form',
				{
					class: 'space-inbox-form',
					novalidate: true,
					onsubmit: ( event ) => {
						event.preventDefault();
						this.save();
					},
				},
				this.fields
			)
		);
	}

	/**
	 * @param {number}  spaceId
	 * @param {boolean} canWrite
	 */
	use( spaceId, canWrite ) {
		this.spaceId = spaceId;
		this.fields.disabled = ! canWrite;
		this.readOnly.hidden = canWrite;
	}

	/** @param {Object} data The API's settings. */
	fill( data ) {
		this.awayNow.checked = Boolean( data.away_now );
		this.hoursEnabled.checked = Boolean( data.hours_enabled );
		this.hours = {};
		for ( const day of WEEKDAYS ) {
			const given =
				data.hours && Array.isArray( data.hours[ day ] )
					? data.hours[ day ]
					: [];
			this.hours[ day ] = given.map( ( o ) => ( {
				opens: toInput( o.opens ),
				closes: toInput( o.closes ),
			} ) );
		}
		this.timezone.value = data.timezone || '';
		this.message.value = data.away_message || '';
		this.preset.value = data.reply_preset || '';
		this.showState( data );
		this.renderDays();
	}

	/** @param {Object} data */
	showState( data ) {
		let text = data.away
			? __(
					'The Space is away now: a member who writes gets the away message.',
					'space-inbox'
			  )
			: __( 'The Space is answering now.', 'space-inbox' );
		const since = data.away_now && parseTime( data.away_since );
		if ( since ) {
			text += ` ${ sprintf(
				/* translators: %s: date and time. */
				__( 'Away since %s.', 'space-inbox' ),
				stampFormat.format( since )
			) }`;
		}
		this.state.textContent = text;
		this.state.classList.toggle( 'is-away', Boolean( data.away ) );
	}

	renderDays() {
		this.days.replaceChildren(
			...WEEKDAYS.map( ( day ) => this.dayRow( day ) )
		);
	}

	/**
	 * @param {string} day
	 * @return {HTMLElement} One weekday's openings, with add and remove.
	 */
	dayRow( day ) {
		const name = weekdayName( day );
		const nameId = `${ this.uid }-day-${ day }`;
		const openings = this.hours[ day ] || [];
		const rows = openings.map( ( opening, index ) => {
			const opens = h( 'input', {
				type: 'time',
				step: '60',
				value: opening.opens,
				'data-day': day,
				'data-edge': 'opens',
				required: true,
				oninput: () => {
					opening.opens = opens.value;
				},
			} );
			const closes = h( 'input', {
				type: 'time',
				step: '60',
				value: opening.closes,
				'data-day': day,
				'data-edge': 'closes',
				required: true,
				oninput: () => {
					opening.closes = closes.value;
				},
			} );
			opens.setAttribute(
				'aria-label',
				/* translators: %s: a weekday's name. */
				sprintf( __( '%s, opens', 'space-inbox' ), name )
			);
			closes.setAttribute(
				'aria-label',
				/* translators: %s: a weekday's name (the closing time of an opening that day). */
				sprintf( __( '%s, closes', 'space-inbox' ), name )
			);
			return h(
				'span',
				{ class: 'space-inbox-hours__opening' },
				opens,
				h( 'span', { 'aria-hidden': 'true', text: '–' } ),
				closes,
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
						this.rerenderDay( day );
					},
				} )
			);
		} );
		return h(
			'div',
			{
				class: 'space-inbox-hours__day',
				role: 'group',
				'aria-labelledby': nameId,
				'data-day': day,
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
			openings.length < INTERVALS_PER_DAY
				? h( 'button', {
						type: 'button',
						class: 'button',
						'aria-label': sprintf(
							/* translators: %s: a weekday's name (a button that adds an opening that day). */
							__( 'Add opening hours on %s', 'space-inbox' ),
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
							this.rerenderDay( day, true );
						},
				  } )
				: ''
		);
	}

	/**
	 * @param {string}  day
	 * @param {boolean} [focusLast] Put the focus in the newest opening.
	 */
	rerenderDay( day, focusLast = false ) {
		const old = this.days.querySelector(
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

	/** @return {Object|null} The hours to send, or null (and the focus on the culprit) when one is wrong. */
	checkedHours() {
		const hours = {};
		for ( const day of WEEKDAYS ) {
			const openings = ( this.hours[ day ] || [] ).map( ( o ) => ( {
				opens: o.opens,
				closes: toClosing( o.closes ),
			} ) );
			const wrong = openings.findIndex(
				( o, i ) =>
					! o.opens ||
					! o.closes ||
					o.opens >= o.closes ||
					( i > 0 && o.opens < openings[ i - 1 ].closes )
			);
			if ( wrong >= 0 ) {
				this.say(
					sprintf(
						/* translators: %s: a weekday's name. */
						__(
							/* translators: %s: a weekday's name. */
							'Check the hours of %s: each opening closes after it opens, in order.',
							'space-inbox'
						),
						weekdayName( day )
					),
					'error'
				);
				this.days
					.querySelectorAll( `input[data-day="${ day }"]` )
					[ wrong * 2 ]?.focus();
				return null;
			}
			if ( openings.length ) {
				hours[ day ] = openings;
			}
		}
		return hours;
	}

	async setAwayNow() {
		const wanted = this.awayNow.checked;
		this.awayNow.disabled = true;
		try {
			const { data } = await api( `spaces/${ this.spaceId }/settings`, {
				method: 'PATCH',
				body: { away_now: wanted },
			} );
			this.awayNow.checked = Boolean( data.away_now );
			this.showState( data );
			this.say(
				data.away_now
					? __( 'The Space is away now.', 'space-inbox' )
					: __( 'The Space is back.', 'space-inbox' )
			);
		} catch ( error ) {
			this.awayNow.checked = ! wanted;
			this.say( errorText( error ), 'error' );
		} finally {
			this.awayNow.disabled = false;
		}
	}

	async save() {
		const hours = this.checkedHours();
		if ( ! hours ) {
			return;
		}
		const message = this.message.value.trim();
		if ( ! message ) {
			this.say( __( 'Write an away message.', 'space-inbox' ), 'error' );
			this.message.focus();
			return;
		}
		const body = {
			hours_enabled: this.hoursEnabled.checked,
			hours,
			timezone: this.timezone.value.trim(),
			away_message: message,
			reply_preset: this.preset.value || null,
		};
		this.saveButton.disabled = true;
		try {
			const { data } = await api( `spaces/${ this.spaceId }/settings`, {
				method: 'PATCH',
				body,
			} );
			this.fill( data );
			this.say( __( 'Settings saved.', 'space-inbox' ) );
			this.onSaved();
		} catch ( error ) {
			this.say( errorText( error ), 'error' );
		} finally {
			this.saveButton.disabled = false;
		}
	}
}
