/**
 * Space Inbox: the dashboard's away settings: away now, opening hours (dashboard-hours.js),
 * time zone, away message, the reply time members see until the figures say, and whether
 * new conversations are given in turn to the admins present. Every
 * setting saves itself, the same way (dashboard-saving.js): a box or a choice at once, a
 * text when it loses the focus or after a pause, a day's hours once they are complete and
 * in order; "Saving…", "Saved" or what went wrong shows beside it. Loaded with the
 * dashboard, when it is first opened.
 *
 * @module space-inbox/away-settings
 */

const { __, sprintf } = window.wp.i18n;
const [
	{ config, h, api, parseTime },
	{ teamConfig, field, checkbox, stampFormat },
	{ typicallyText },
	{ AutoSave, Queue },
	{ OpeningHours },
] = await Promise.all(
	[
		'badge.js',
		'team-common.js',
		'reply-time.js',
		'dashboard-saving.js',
		'dashboard-hours.js',
	].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** @typedef {import('./dashboard-saving.js').Notices} Notices */

const REPLY_TIMES =
	Array.isArray( teamConfig.replyTimes ) && teamConfig.replyTimes.length
		? teamConfig.replyTimes
		: [ 'minutes', 'hour', 'hours', 'day' ];
// The longest away message the bridge takes (a message's longest, Space_Inbox_Limits::BODY_MAX).
const MESSAGE_MAX = Number( config.maxLength ) || 0;
/** A fixed offset as the bridge takes it. */
const OFFSET = /^UTC[+-](0\d|1[0-4]):[0-5]\d$/;

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
 * @param {string} zone
 * @return {string} What is wrong with a time zone, or ''.
 */
function zoneFault( zone ) {
	if ( OFFSET.test( zone ) ) {
		return '';
	}
	if ( zone ) {
		try {
			new Intl.DateTimeFormat( 'en', { timeZone: zone } );
			return '';
		} catch {}
	}
	return __(
		'Not saved: give a time zone name such as Europe/Paris, or an offset such as UTC+05:30.',
		'space-inbox'
	);
}

/** Every AwaySettings made on the page: leaving it asks first while one has a change not saved. */
const shown = new Set();
window.addEventListener( 'beforeunload', ( event ) => {
	for ( const settings of shown ) {
		if ( settings.unsaved() ) {
			settings.flush();
			event.preventDefault();
			event.returnValue = ''; // Browsers before the standard ask only for this.
		}
	}
} );

/**
 * The away settings: away now, opening hours, time zone, away message and reply preset,
 * each saving itself.
 */
export class AwaySettings {
	/**
	 * @param {Object}           options
	 * @param {string}           options.uid
	 * @param {Notices}          options.notices
	 * @param {function(): void} options.onSaved The reply time members see may have changed.
	 */
	constructor( { uid, notices, onSaved } ) {
		this.uid = uid;
		this.onSaved = onSaved;
		this.spaceId = 0;
		this.ticket = 0;
		/** The settings the bridge holds, as it last said. */
		this.stored = null;
		this.queue = new Queue();
		this.state = h( 'p', {
			class: 'space-inbox-settings__state',
			'aria-live': 'polite',
		} );
		this.notice = notices.make();
		this.awayNow = h( 'input', {
			type: 'checkbox',
			id: `${ uid }-away-now`,
		} );
		this.hoursEnabled = h( 'input', {
			type: 'checkbox',
			id: `${ uid }-hours-enabled`,
		} );
		this.inTurn = h( 'input', {
			type: 'checkbox',
			id: `${ uid }-in-turn`,
		} );
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
		const spaceId = () => this.spaceId;
		/** Each setting with its control, how it reads and what it sends. */
		this.settings = {
			away_now: this.setting( notices, 'away_now', this.awayNow, {
				read: () => this.awayNow.checked,
			} ),
			hours_enabled: this.setting(
				notices,
				'hours_enabled',
				this.hoursEnabled,
				{
					read: () => this.hoursEnabled.checked,
				}
			),
			timezone: this.setting( notices, 'timezone', this.timezone, {
				read: () => this.timezone.value.trim(),
				check: zoneFault,
			} ),
			away_message: this.setting( notices, 'away_message', this.message, {
				read: () => this.message.value.trim(),
				check: ( text ) => {
					if ( ! text ) {
						return __(
							'Not saved: write an away message.',
							'space-inbox'
						);
					}
					return MESSAGE_MAX && [ ...text ].length > MESSAGE_MAX
						? sprintf(
								/* translators: %s: the most characters an away message may have. */
								__(
									'Not saved: an away message has at most %s characters.',
									'space-inbox'
								),
								MESSAGE_MAX
						  )
						: '';
				},
			} ),
			assign_in_turn: this.setting(
				notices,
				'assign_in_turn',
				this.inTurn,
				{
					read: () => this.inTurn.checked,
				}
			),
			reply_preset: this.setting( notices, 'reply_preset', this.preset, {
				read: () => this.preset.value || null,
				saved: ( data ) => {
					this.took( data );
					this.onSaved();
				},
			} ),
		};
		this.hours = new OpeningHours( {
			uid,
			notices,
			queue: this.queue,
			spaceId,
			stored: () => ( this.stored ? this.stored.hours : {} ),
			saved: ( data ) => this.took( data ),
		} );
		// A checkbox or a choice saves at once; a text when it is left, or after a pause.
		for ( const control of [
			this.awayNow,
			this.hoursEnabled,
			this.inTurn,
			this.preset,
		] ) {
			control.addEventListener( 'change', () => control.save.now() );
		}
		for ( const control of [ this.timezone, this.message ] ) {
			control.addEventListener( 'input', () =>
				control.save.later( 1500 )
			);
			control.addEventListener( 'change', () => control.save.now() );
		}
		this.fields = h(
			'fieldset',
			{ class: 'space-inbox-settings__fields' },
			h( 'legend', {
				class: 'space-inbox-sr',
				text: __( 'Away settings', 'space-inbox' ),
			} ),
			this.withNotice(
				checkbox( __( 'Away now', 'space-inbox' ), this.awayNow ),
				this.awayNow
			),
			h(
				'fieldset',
				{ class: 'space-inbox-settings__hours' },
				h( 'legend', { text: __( 'Opening hours', 'space-inbox' ) } ),
				this.withNotice(
					checkbox(
						__( 'Away outside opening hours', 'space-inbox' ),
						this.hoursEnabled
					),
					this.hoursEnabled
				),
				h( 'p', {
					class: 'space-inbox-form__hint',
					text: __(
						'A day with no hours is closed. A closing time of 00:00 is midnight. Hours are saved once a day’s are complete and in order.',
						'space-inbox'
					),
				} ),
				this.hours.root
			),
			this.withNotice(
				field(
					__( 'Time zone', 'space-inbox' ),
					this.timezone,
					__(
						'A name such as Europe/Paris, or an offset such as UTC+05:30.',
						'space-inbox'
					)
				),
				this.timezone
			),
			h(
				'datalist',
				{ id: `${ uid }-timezones` },
				timeZones().map( ( name ) => h( 'option', { value: name } ) )
			),
			this.withNotice(
				field(
					__( 'Away message', 'space-inbox' ),
					this.message,
					__(
						'Sent as the Space, at most once a day per conversation, to a member who writes while the Space is away.',
						'space-inbox'
					)
				),
				this.message
			),
			this.withNotice(
				field(
					__( 'Reply time members see', 'space-inbox' ),
					this.preset,
					__(
						'Shown until the Space has answered enough messages for its figures to say.',
						'space-inbox'
					)
				),
				this.preset
			),
			this.withNotice(
				checkbox(
					__(
						'Give each new conversation, in turn, to one of the team with the inbox open',
						'space-inbox'
					),
					this.inTurn,
					__(
						'The one given one longest ago goes first. With nobody there, new conversations are left to the team.',
						'space-inbox'
					)
				),
				this.inTurn
			),
			h( 'p', {
				class: 'space-inbox-form__hint',
				text: __(
					'Each change is saved by itself, as you make it.',
					'space-inbox'
				),
			} )
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
			this.notice.node,
			this.readOnly,
			h(
				'form',
				{
					class: 'space-inbox-form',
					novalidate: true,
					onsubmit: ( event ) => event.preventDefault(),
				},
				this.fields
			)
		);
		shown.add( this );
	}

	/**
	 * @param {Notices}     notices
	 * @param {string}      key     The API's name of the setting.
	 * @param {HTMLElement} control
	 * @param {Object}      options AutoSave's read, check and saved.
	 * @return {AutoSave} The control's saving (also its `save`).
	 */
	setting( notices, key, control, options ) {
		const notice = notices.make();
		control.save = new AutoSave( {
			notice,
			queue: this.queue,
			spaceId: () => this.spaceId,
			saved: ( data ) => this.took( data ),
			marked: () => [ control ],
			body: ( value ) => ( { [ key ]: value } ),
			...options,
		} );
		return control.save;
	}

	/**
	 * @param {HTMLElement} wrap    A field or a checkbox with its label.
	 * @param {HTMLElement} control Its control, whose notice goes in it.
	 * @return {HTMLElement} The wrap.
	 */
	withNotice( wrap, control ) {
		control.save.notice.describe( control ); // After its hint, which the wrap set.
		wrap.append( control.save.notice.node );
		return wrap;
	}

	/** @return {Array<AutoSave>} Every setting's saving. */
	get saves() {
		return [ ...Object.values( this.settings ), ...this.hours.saves ];
	}

	/** @return {boolean} Whether a change is not in the bridge yet. */
	unsaved() {
		return this.saves.some( ( save ) => save.dirty );
	}

	/** Send every change that waits for a pause or for the focus to leave. */
	flush() {
		for ( const save of this.saves ) {
			if ( save.timer ) {
				save.now();
			}
		}
	}

	/**
	 * @param {number}  spaceId
	 * @param {boolean} canWrite
	 */
	use( spaceId, canWrite ) {
		if ( spaceId !== this.spaceId ) {
			this.flush(); // Sent for the Space they were made in.
		}
		this.spaceId = spaceId;
		this.canWrite = canWrite;
		// Nothing changes before the Space's settings are shown: they would undo it.
		this.fields.disabled = ! canWrite || this.filledFor !== spaceId;
		this.readOnly.hidden = canWrite;
	}

	/** @return {Promise<void>} The settings of the Space in use, shown once the changes on their way are in. */
	async load() {
		const ticket = ++this.ticket;
		const spaceId = this.spaceId;
		// In turn with the changes: none is sent before it is read, or read before it is in.
		const { data } = await this.queue.run( () =>
			api( `spaces/${ spaceId }/settings` )
		);
		if ( ticket === this.ticket && spaceId === this.spaceId ) {
			this.fill( data );
		}
	}

	/** @param {Object} data The API's settings. */
	fill( data ) {
		const same = Boolean( this.stored ) && this.filledFor === this.spaceId;
		this.filledFor = this.spaceId;
		this.stored = data;
		const values = {
			away_now: Boolean( data.away_now ),
			hours_enabled: Boolean( data.hours_enabled ),
			timezone: data.timezone || '',
			away_message: data.away_message || '',
			reply_preset: data.reply_preset || null,
			assign_in_turn: Boolean( data.assign_in_turn ),
		};
		const show = {
			away_now: ( v ) => ( this.awayNow.checked = v ),
			hours_enabled: ( v ) => ( this.hoursEnabled.checked = v ),
			timezone: ( v ) => ( this.timezone.value = v ),
			away_message: ( v ) => ( this.message.value = v ),
			reply_preset: ( v ) => ( this.preset.value = v || '' ),
			assign_in_turn: ( v ) => ( this.inTurn.checked = v ),
		};
		for ( const [ key, save ] of Object.entries( this.settings ) ) {
			if ( same && save.dirty ) {
				// The user's change stays, and is tried again.
				save.stored = JSON.stringify( values[ key ] );
				save.now();
				continue;
			}
			show[ key ]( values[ key ] );
			save.settle( values[ key ] );
		}
		this.hours.fill( data.hours || {}, same );
		this.showState( data );
		this.fields.disabled = ! this.canWrite;
	}

	/** @param {Object} data The settings after a save. */
	took( data ) {
		this.stored = data;
		this.showState( data );
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
}
