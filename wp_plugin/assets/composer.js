/**
 * Space Inbox: the reply box of the open conversation: its label, the text (Ctrl+Enter
 * sends), how much is left of the bridge's longest message, and Send. What an audience adds
 * to it (the team's saved replies and its question when a teammate answered meanwhile)
 * comes in when the form is made.
 *
 * @module space-inbox/composer
 */

const { __, sprintf } = window.wp.i18n;
const { config, num, h } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

// The longest message the bridge takes: PHP always puts it in the configuration
// (Space_Inbox_Limits::BODY_MAX, generated from the bridge's own limits).
const MAX_LENGTH = Number( config.maxLength );

/**
 * @param {string} text
 * @return {number} Characters as the bridge counts them (code points).
 */
const charCount = ( text ) => [ ...text.trim() ].length;

/**
 * The reply box.
 */
export class Composer {
	/**
	 * @param {Object}                           options
	 * @param {string}                           options.uid     A prefix for element ids.
	 * @param {function(): void}                 options.onSend  Send what the box holds.
	 * @param {function(KeyboardEvent): boolean} options.onKey   A key the audience may take first.
	 * @param {function(): void}                 options.onInput The text changed (after the count).
	 * @param {function(): void}                 options.onBlur  The box lost the focus.
	 */
	constructor( { uid, onSend, onKey, onInput, onBlur } ) {
		this.uid = uid;
		this.onSend = onSend;
		this.textarea = h( 'textarea', {
			id: `${ uid }-body`,
			rows: '3',
			'aria-describedby': `${ uid }-count ${ uid }-hint`,
			onkeydown: ( e ) => {
				if ( onKey( e ) ) {
					return;
				}
				if ( e.key === 'Enter' && ( e.ctrlKey || e.metaKey ) ) {
					e.preventDefault();
					onSend();
				}
			},
			oninput: () => {
				this.count();
				onInput();
			},
			onblur: () => onBlur(),
		} );
		this.label = h( 'label', {
			for: `${ uid }-body`,
			class: 'space-inbox__compose-label',
		} );
		this.counter = h( 'span', {
			id: `${ uid }-count`,
			class: 'space-inbox__counter',
		} );
		this.sendButton = h( 'button', {
			type: 'submit',
			class: 'button button-primary space-inbox__send',
			text: __( 'Send', 'space-inbox' ),
		} );
		// What the box's last send, or its check, says: under the box, announced.
		this.status = h( 'p', {
			class: 'space-inbox__compose-status',
			role: 'status',
			'aria-live': 'polite',
		} );
	}

	/**
	 * Say something under the box ('' to clear).
	 *
	 * @param {string}         message
	 * @param {'error'|'info'} [kind]
	 */
	say( message, kind = 'info' ) {
		this.status.textContent = message;
		this.status.classList.toggle( 'is-error', kind === 'error' );
	}

	/**
	 * Lock the box (logged out, the page expired) or unlock it; its text stays.
	 *
	 * @param {boolean} locked
	 */
	lock( locked ) {
		this.textarea.readOnly = locked;
		this.textarea.setAttribute(
			'aria-disabled',
			locked ? 'true' : 'false'
		);
		this.sendButton.disabled = locked;
	}

	/**
	 * The form, with what the audience adds.
	 *
	 * @param {{top?: Node[], buttons?: Node[], hint?: string}} parts Above the box; buttons
	 *                                                                before Send; the line under the box.
	 * @return {HTMLFormElement} The form.
	 */
	form( { top = [], buttons = [], hint = '' } ) {
		this.node = h(
			'form',
			{
				class: 'space-inbox__compose',
				novalidate: true,
				onsubmit: ( e ) => {
					e.preventDefault();
					this.onSend();
				},
			},
			...top,
			this.label,
			this.textarea,
			h(
				'div',
				{ class: 'space-inbox__compose-meta' },
				h( 'span', {
					id: `${ this.uid }-hint`,
					class: 'space-inbox__hint',
					text:
						hint ||
						__(
							'Press Ctrl+Enter (⌘+Enter on a Mac) to send.',
							'space-inbox'
						),
				} ),
				this.counter,
				...buttons,
				this.sendButton
			),
			this.status
		);
		this.count();
		return this.node;
	}

	/** Say how many characters are left (or how many too many). */
	count() {
		const left = MAX_LENGTH - charCount( this.textarea.value );
		this.counter.textContent =
			left >= 0
				? sprintf(
						/* translators: %s: number of characters. */
						__( '%s characters left', 'space-inbox' ),
						num( left )
				  )
				: sprintf(
						/* translators: %s: number of characters. */
						__( '%s characters too many', 'space-inbox' ),
						num( -left )
				  );
		this.counter.classList.toggle( 'is-over', left < 0 );
		this.counter.classList.toggle( 'is-near', left >= 0 && left < 100 );
	}

	/** @return {string} Why the text cannot be sent as it is ('' when it can). */
	problem() {
		const length = charCount( this.textarea.value );
		if ( ! length ) {
			return __( 'Write a message first.', 'space-inbox' );
		}
		if ( length > MAX_LENGTH ) {
			return sprintf(
				/* translators: %s: number of characters. */
				__( '%s characters too many', 'space-inbox' ),
				num( length - MAX_LENGTH )
			);
		}
		return '';
	}
}
