/**
 * Space Inbox: a member reports a Space's answer to the site's moderators (member-inbox.js).
 * Beside each answer, "Report" opens a dialog: why (a reason) and, if they like, a few
 * words. The moderators see which admin wrote the answer; the member is only told that
 * the report was received, and the answer then says "Reported".
 *
 * @module space-inbox/report
 */

const { __ } = window.wp.i18n;
const { api, h, ApiError } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/** The reasons, as the bridge names them (REPORT_REASONS), in the member's words. */
const REASONS = [
	[
		'harassment',
		__( 'It is rude, threatening or harassing', 'space-inbox' ),
	],
	[ 'hate', __( 'It is hateful', 'space-inbox' ) ],
	[ 'scam', __( 'It looks like a scam or fraud', 'space-inbox' ) ],
	[ 'spam', __( 'It is spam', 'space-inbox' ) ],
	[
		'inappropriate',
		__( 'It is inappropriate in another way', 'space-inbox' ),
	],
	[ 'other', __( 'Something else', 'space-inbox' ) ],
];
const DETAILS_MAX = 500;

/** @return {HTMLElement} What an answer the member reported says. */
const reportedMark = () =>
	h( 'span', {
		class: 'space-inbox-msg__reported',
		text: __( 'Reported', 'space-inbox' ),
	} );

/**
 * The member's reports: the answers reported, and the dialog (the inbox lays it out after
 * its panes).
 */
export class Reports {
	/** @param {Object} inbox The member's inbox. */
	constructor( inbox ) {
		this.inbox = inbox;
		const id = `${ inbox.uid }-report`;
		/** The message being reported, while the dialog is open. */
		this.message = null;
		/** What opened the dialog, for the focus to go back to. */
		this.opener = null;
		this.details = h( 'textarea', {
			id: `${ id }-details`,
			rows: '3',
			maxlength: String( DETAILS_MAX ),
		} );
		this.said = h( 'p', {
			class: 'space-inbox__status',
			role: 'status',
			'aria-live': 'polite',
		} );
		this.form = h(
			'form',
			{
				method: 'dialog',
				onsubmit: ( event ) => {
					event.preventDefault();
					this.send();
				},
			},
			h( 'h2', {
				id: `${ id }-title`,
				text: __( 'Report this answer', 'space-inbox' ),
			} ),
			h( 'p', {
				text: __(
					'The site’s moderators will read it, with the whole conversation. The Space is not told who reported it.',
					'space-inbox'
				),
			} ),
			h(
				'fieldset',
				{},
				h( 'legend', {
					text: __( 'What is wrong with it?', 'space-inbox' ),
				} ),
				...REASONS.map( ( [ value, text ], i ) =>
					h(
						'div',
						{ class: 'space-inbox-report__reason' },
						h( 'input', {
							type: 'radio',
							name: 'reason',
							id: `${ id }-${ value }`,
							value,
							required: i === 0,
						} ),
						h( 'label', { for: `${ id }-${ value }`, text } )
					)
				)
			),
			h( 'label', {
				for: this.details.id,
				text: __( 'Anything to add? (optional)', 'space-inbox' ),
			} ),
			this.details,
			this.said,
			h(
				'div',
				{ class: 'space-inbox-report__buttons' },
				h( 'button', {
					type: 'button',
					text: __( 'Cancel', 'space-inbox' ),
					onclick: () => this.close(),
				} ),
				h( 'button', {
					type: 'submit',
					class: 'button-primary',
					text: __( 'Send report', 'space-inbox' ),
				} )
			)
		);
		this.dialog = h(
			'dialog',
			{
				class: 'space-inbox-report',
				'aria-labelledby': `${ id }-title`,
				onclose: () => this.opener?.focus(),
			},
			this.form
		);
	}

	/**
	 * What a Space's answer shows after its time: "Report", or "Reported".
	 *
	 * @param {Object} c The open conversation (its `reported` ids).
	 * @param {Object} m The answer.
	 * @return {Node|string} The control, or ''.
	 */
	control( c, m ) {
		if ( m.from !== 'space' || m.pending || ! m.id ) {
			return '';
		}
		if ( c.reported?.has( m.id ) ) {
			return reportedMark();
		}
		return h( 'button', {
			type: 'button',
			class: 'button-link space-inbox-msg__report',
			text: __( 'Report', 'space-inbox' ),
			'aria-label': __( 'Report this answer', 'space-inbox' ),
			onclick: ( event ) => this.open( m, event.currentTarget ),
		} );
	}

	/**
	 * @param {Object}      m      The answer to report.
	 * @param {HTMLElement} opener Its Report button.
	 */
	open( m, opener ) {
		this.message = m;
		this.opener = opener;
		this.form.reset();
		this.said.textContent = '';
		this.dialog.showModal();
		this.form.querySelector( 'input[type="radio"]' ).focus();
	}

	close() {
		this.dialog.close();
	}

	async send() {
		const inbox = this.inbox;
		const c = inbox.current;
		const m = this.message;
		const reason = this.form.querySelector(
			'input[name="reason"]:checked'
		);
		if ( ! c || ! m || ! reason ) {
			return;
		}
		try {
			await api( `me/spaces/${ c.spaceId }/messages/${ m.id }/report`, {
				method: 'POST',
				body: { reason: reason.value, details: this.details.value },
			} );
		} catch ( error ) {
			if (
				! (
					error instanceof ApiError &&
					error.code === 'already_reported'
				)
			) {
				this.said.textContent =
					error instanceof ApiError
						? error.userMessage
						: __(
								'Something went wrong. Please try again.',
								'space-inbox'
						  );
				return;
			}
		}
		c.reported = c.reported || new Set();
		c.reported.add( m.id );
		const button = this.opener;
		this.opener = null;
		this.close();
		button?.replaceWith( reportedMark() );
		inbox.say(
			__(
				'Thank you: the site’s moderators will look at this answer.',
				'space-inbox'
			)
		);
		inbox.threadTitle.focus();
	}
}
