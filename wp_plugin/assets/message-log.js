/**
 * Space Inbox: the open conversation's messages, as a live log (`role="log"`): in order,
 * existing rows kept in place so that screen readers hear only new ones, scrolled to the
 * newest unless the reader scrolled up. Who wrote a message, and when, is the inbox's to
 * say (`sentMeta`): a member and a Space's team see it differently.
 *
 * @module space-inbox/message-log
 */

const { __, sprintf } = window.wp.i18n;
const { config, h, parseTime } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

let dateFormat;
let timeFormat;
try {
	dateFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		dateStyle: 'medium',
		timeStyle: 'short',
	} );
	timeFormat = new Intl.DateTimeFormat( config.locale || undefined, {
		timeStyle: 'short',
	} );
} catch {
	dateFormat = new Intl.DateTimeFormat( undefined, {
		dateStyle: 'medium',
		timeStyle: 'short',
	} );
	timeFormat = new Intl.DateTimeFormat( undefined, { timeStyle: 'short' } );
}

/**
 * A short local time: the time of day for today, else date and time.
 *
 * @param {string} iso
 * @return {string} The time, or '' for none.
 */
function shortTime( iso ) {
	const when = parseTime( iso );
	if ( ! when ) {
		return '';
	}
	return when.toDateString() === new Date().toDateString()
		? timeFormat.format( when )
		: dateFormat.format( when );
}

/**
 * A <time> element.
 *
 * @param {string} iso
 * @return {HTMLElement} The element.
 */
export const timeEl = ( iso ) =>
	h( 'time', { datetime: iso || null, text: shortTime( iso ) } );

/**
 * A "who · time" line with a real <time> element in place of the second placeholder.
 *
 * @param {string} format A translated format with %1$s (who) and %2$s (when).
 * @param {string} who
 * @param {string} iso
 * @return {Array<Node|string>} The line's parts.
 */
export function withTime( format, who, iso ) {
	const marker = '\u0000';
	return sprintf( format, who, marker )
		.split( marker )
		.flatMap( ( part, i ) =>
			i === 0 ? [ part ] : [ timeEl( iso ), part ]
		)
		.filter( ( part ) => part !== '' );
}

/**
 * What a row shows besides its text: on its way, failed, sent; an answer the site's moderators
 * removed (the member's view) or hid from the member (the team's). A change redraws the row.
 *
 * @param {Object} m A message record.
 * @return {string} The row's state.
 */
const stateOf = ( m ) => {
	if ( m.pending ) {
		return m.pending;
	}
	if ( m.removed ) {
		return 'removed';
	}
	return m.hidden ? 'hidden' : 'sent';
};

/**
 * The messages of the open conversation.
 */
export class MessageLog {
	/**
	 * @param {Object}                        options
	 * @param {string}                        options.labelledBy Id of the conversation's title.
	 * @param {function(Object): boolean}     options.isMine     Whether this inbox's side wrote a message.
	 * @param {function(Object): string}      options.kindOf     How a row is drawn ("mine", "theirs", …).
	 * @param {function(Object): HTMLElement} options.sentMeta   Who wrote a stored message, and when.
	 * @param {function(Object): void}        options.retry      Send a message that failed again.
	 */
	constructor( { labelledBy, isMine, kindOf, sentMeta, retry } ) {
		this.isMine = isMine;
		this.kindOf = kindOf;
		this.sentMeta = sentMeta;
		this.retry = retry;
		this.node = h( 'div', {
			class: 'space-inbox__messages',
			role: 'log',
			'aria-live': 'polite',
			'aria-labelledby': labelledBy,
			tabindex: '0',
		} );
		this.scrolledOnce = false;
	}

	/** Another conversation: no rows, and the next drawing scrolls to the newest. */
	reset() {
		this.node.replaceChildren();
		this.scrolledOnce = false;
	}

	/** A message was sent: the next drawing shows it at the bottom. */
	toBottom() {
		this.scrolledOnce = false;
	}

	/**
	 * Show a conversation's messages, in order; existing rows are kept in place so that the
	 * live region announces only new ones.
	 *
	 * @param {Object}            c         The open conversation: its messages (records by key) and their rows.
	 * @param {{older?: boolean}} [options] older: keep the view where it is (a page was added above).
	 */
	render( c, { older = false } = {} ) {
		const log = this.node;
		const nearBottom =
			log.scrollHeight - log.scrollTop - log.clientHeight < 80;
		const fromBottom = log.scrollHeight - log.scrollTop;

		const ordered = [ ...c.messages.values() ].sort( ( a, b ) => {
			if ( a.pending !== b.pending ) {
				return a.pending ? 1 : -1;
			}
			if ( a.created_at !== b.created_at ) {
				return a.created_at < b.created_at ? -1 : 1;
			}
			return ( a.id || 0 ) - ( b.id || 0 );
		} );
		if ( ordered.length ) {
			log.querySelector( '.space-inbox__empty' )?.remove();
		}
		const wanted = new Set( ordered.map( ( m ) => m.key ) );
		for ( const [ key, node ] of c.nodes ) {
			if ( ! wanted.has( key ) ) {
				node.remove();
				c.nodes.delete( key );
			}
		}
		let cursor = log.firstElementChild;
		for ( const message of ordered ) {
			let node = c.nodes.get( message.key );
			if ( node && node.dataset.state !== stateOf( message ) ) {
				const fresh = this.row( message );
				node.replaceWith( fresh );
				if ( cursor === node ) {
					cursor = fresh;
				}
				node = fresh;
				c.nodes.set( message.key, node );
			}
			if ( ! node ) {
				node = this.row( message );
				c.nodes.set( message.key, node );
				log.insertBefore( node, cursor );
			} else if ( node === cursor ) {
				cursor = cursor.nextElementSibling;
			} else {
				log.insertBefore( node, cursor );
			}
		}
		if (
			! ordered.length &&
			! log.querySelector( '.space-inbox__empty' )
		) {
			log.append(
				h( 'p', {
					class: 'space-inbox__empty',
					text: __( 'No messages yet. Ask away.', 'space-inbox' ),
				} )
			);
		}
		this.markSeen( c, ordered );
		if ( older ) {
			log.scrollTop = log.scrollHeight - fromBottom;
		} else if ( nearBottom || ! this.scrolledOnce ) {
			log.scrollTop = log.scrollHeight;
			this.scrolledOnce = true;
		}
	}

	/**
	 * "Seen" under this side's last message once the other side has read it (`c.seenId`: the
	 * newest message they read; a member is never told who on the team read it).
	 *
	 * @param {Object}        c       The open conversation.
	 * @param {Array<Object>} ordered Its messages, in order.
	 */
	markSeen( c, ordered ) {
		const seenId = Number( c.seenId ) || 0;
		const last = ordered.filter( ( m ) => this.isMine( m ) ).pop();
		const seen =
			last && ! last.pending && last.id && last.id <= seenId
				? c.nodes.get( last.key )
				: null;
		for ( const mark of this.node.querySelectorAll(
			'.space-inbox-msg__seen'
		) ) {
			if ( ! seen || ! seen.contains( mark ) ) {
				mark.remove();
			}
		}
		if ( seen && ! seen.querySelector( '.space-inbox-msg__seen' ) ) {
			seen.querySelector( '.space-inbox-msg__meta' ).append(
				h( 'span', {
					class: 'space-inbox-msg__seen',
					text: __( 'Seen', 'space-inbox' ),
				} )
			);
		}
	}

	/**
	 * One message row: the text, and who wrote it when (or that it is on its way, or failed).
	 *
	 * @param {Object} m A message record.
	 * @return {HTMLElement} The row.
	 */
	row( m ) {
		let meta;
		if ( m.pending === 'sending' ) {
			meta = h( 'span', { text: __( 'Sending…', 'space-inbox' ) } );
		} else if ( m.pending === 'failed' ) {
			meta = h(
				'span',
				{ class: 'space-inbox__failed' },
				`${ __( 'Not sent.', 'space-inbox' ) } `,
				h( 'button', {
					type: 'button',
					class: 'button-link',
					text: __( 'Try again', 'space-inbox' ),
					onclick: () => this.retry( m ),
				} )
			);
		} else {
			meta = this.sentMeta( m );
		}
		return h(
			'div',
			{
				class: `space-inbox-msg space-inbox-msg--${ this.kindOf( m ) }`,
				'data-state': stateOf( m ),
			},
			m.removed
				? h( 'div', {
						class: 'space-inbox-msg__body space-inbox-msg__removed',
						text: __(
							'Removed by the site’s moderators.',
							'space-inbox'
						),
				  } )
				: h( 'div', { class: 'space-inbox-msg__body', text: m.body } ),
			h( 'div', { class: 'space-inbox-msg__meta' }, meta ),
			m.hidden
				? h( 'div', {
						class: 'space-inbox-msg__hidden',
						text: __(
							'Hidden from the member by the site’s moderators',
							'space-inbox'
						),
				  } )
				: null
		);
	}
}
