/**
 * Space Inbox: what the team's modules share (team-inbox.js, typing.js, reply-picker.js and
 * the dashboard's): the team's configuration, who is on a Space's team, spans of time in
 * words, error text, and the fields of the dashboard's forms.
 *
 * The team's configuration, set by PHP only on the pages of a Space's team:
 * `window.spaceInboxTeamConfig` = `{ savedRepliesMax, savedReplyTitleMax,
 * replyTimes, weekdays, intervalsPerDay, viewingSeconds, hereSeconds, labelNameMax }` (the
 * bridge's limits, from Space_Inbox_Limits).
 *
 * @module space-inbox/team-common
 */

const { __, _n, sprintf } = window.wp.i18n;
const { api, config, num, h, ApiError } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/** The team tools' limits (defaults where a page was not given them). */
export const teamConfig = window.spaceInboxTeamConfig || {};

/** @type {Map<number, Promise<Array<Object>>>} Each Space's team, asked once a page. */
const teams = new Map();

/**
 * A Space's admins, by name: `{id, name, mention}` (`mention`: the name a note's `@` takes).
 *
 * @param {number} spaceId
 * @return {Promise<Array<Object>>} The admins ([] when they could not be had: asked again next time).
 */
export function teamOf( spaceId ) {
	if ( ! teams.has( spaceId ) ) {
		teams.set(
			spaceId,
			api( `spaces/${ spaceId }/team` ).then(
				( { data } ) =>
					Array.isArray( data.admins ) ? data.admins : [],
				() => {
					teams.delete( spaceId );
					return [];
				}
			)
		);
	}
	return teams.get( spaceId );
}

/** @return {number} The user's own id. */
export const myId = () => Number( config.userId ) || 0;

/**
 * A span of time in words: "under a minute", "4 min", "3 hours", "2 days".
 *
 * @param {number} ms Milliseconds.
 * @return {string} The span in words.
 */
export function duration( ms ) {
	if ( ms < 60000 ) {
		return __( 'under a minute', 'space-inbox' );
	}
	const minutes = Math.round( ms / 60000 );
	if ( minutes < 60 ) {
		return sprintf(
			/* translators: %s: number of minutes. */
			_n( '%s min', '%s min', minutes, 'space-inbox' ),
			num( minutes )
		);
	}
	const hours = Math.round( minutes / 60 );
	if ( hours < 48 ) {
		return sprintf(
			/* translators: %s: number of hours. */
			_n( '%s hour', '%s hours', hours, 'space-inbox' ),
			num( hours )
		);
	}
	const days = Math.round( hours / 24 );
	return sprintf(
		/* translators: %s: number of days. */
		_n( '%s day', '%s days', days, 'space-inbox' ),
		num( days )
	);
}

let stamps;
try {
	stamps = new Intl.DateTimeFormat( config.locale || undefined, {
		dateStyle: 'medium',
		timeStyle: 'short',
	} );
} catch {
	stamps = new Intl.DateTimeFormat( undefined, {
		dateStyle: 'medium',
		timeStyle: 'short',
	} );
}
/** Date and time, e.g. of a saved reply's last change. */
export const stampFormat = stamps;

/**
 * @param {string} text
 * @param {number} [length]
 * @return {string} The start of a text, on one line.
 */
export function excerpt( text, length = 90 ) {
	const line = String( text ).replace( /\s+/g, ' ' ).trim();
	const chars = [ ...line ];
	return chars.length > length
		? `${ chars.slice( 0, length - 1 ).join( '' ) }…`
		: line;
}

/**
 * @param {*} error
 * @return {string} What to tell the user about a failed call.
 */
export const errorText = ( error ) =>
	error instanceof ApiError
		? error.userMessage
		: __( 'Something went wrong. Please try again.', 'space-inbox' );

/**
 * A form field: a label above its control.
 *
 * @param {string}      label
 * @param {HTMLElement} control It must have an id.
 * @param {string}      [hint]  A line under it (linked with aria-describedby).
 * @return {HTMLElement} The label and its control.
 */
export function field( label, control, hint = '' ) {
	const hintNode = hint
		? h( 'span', {
				id: `${ control.id }-hint`,
				class: 'space-inbox-form__hint',
				text: hint,
		  } )
		: '';
	if ( hint ) {
		control.setAttribute( 'aria-describedby', `${ control.id }-hint` );
	}
	return h(
		'div',
		{ class: 'space-inbox-form__field' },
		h( 'label', { for: control.id, text: label } ),
		control,
		hintNode
	);
}

/**
 * A checkbox with its label after it.
 *
 * @param {string}           label
 * @param {HTMLInputElement} box    It must have an id.
 * @param {string}           [hint] A line under it (linked with aria-describedby).
 * @return {HTMLElement} The box and its label.
 */
export function checkbox( label, box, hint = '' ) {
	if ( hint ) {
		box.setAttribute( 'aria-describedby', `${ box.id }-hint` );
	}
	return h(
		'div',
		{ class: 'space-inbox-form__check' },
		box,
		h( 'label', { for: box.id, text: label } ),
		hint
			? h( 'span', {
					id: `${ box.id }-hint`,
					class: 'space-inbox-form__hint',
					text: hint,
			  } )
			: ''
	);
}

/**
 * The words of an admin's own choices of how a Space's new messages reach them (the
 * Dashboard's "Your notifications", drawn by notify-choices.js).
 *
 * @return {Object} Its legend, boxes and note.
 */
export function choiceWords() {
	return {
		legend: __( 'Tell me of new messages to this Space', 'space-inbox' ),
		boxes: [
			{
				name: 'email',
				label: __( 'By e-mail', 'space-inbox' ),
				hint: __(
					'Messages that come together arrive in one e-mail, and none the team has already read.',
					'space-inbox'
				),
			},
			{
				name: 'push',
				label: __( 'On my devices', 'space-inbox' ),
				hint: __(
					'Each device where you turn notifications on below: one for each new message.',
					'space-inbox'
				),
			},
			{
				name: 'outside_hours',
				label: __( 'Also outside the opening hours', 'space-inbox' ),
				hint: __(
					'Otherwise, what comes while the Space is closed reaches you when it opens.',
					'space-inbox'
				),
			},
		],
		note: __(
			'Only you: each admin chooses for themselves. With neither e-mail nor devices, this Space is muted for you.',
			'space-inbox'
		),
	};
}
