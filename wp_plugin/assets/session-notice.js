/**
 * Space Inbox: what an inbox says of its session and connection, at its top: logged out
 * (here, in another tab, or the session ended: "Log in again" comes back to the same
 * conversation, whose draft is kept), the page expired, offline, or the bridge out of
 * reach. Logged out or expired, the inbox is locked: its conversations are hidden and
 * nothing can be sent.
 *
 * @module space-inbox/session-notice
 */

const { __ } = window.wp.i18n;
const { config, h, summary } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/**
 * @return {string} The login screen, coming back to this page as it is now (the Space
 *   or conversation in view is in its query string).
 */
function loginHref() {
	try {
		const url = new URL( config.loginUrl, window.location.href );
		url.searchParams.set( 'redirect_to', window.location.href );
		return url.href;
	} catch {
		return window.location.href;
	}
}

/** What each state says. */
const TEXTS = {
	logged_out: () =>
		__(
			'You are logged out. Log in again to see your messages; what you were writing is kept.',
			'space-inbox'
		),
	expired: () =>
		__(
			'This page has expired. Reload it to continue; what you were writing is kept.',
			'space-inbox'
		),
	offline: () =>
		__(
			'You are offline. What you send waits here and goes when you are back.',
			'space-inbox'
		),
	unreachable: () =>
		__(
			'The inbox cannot be reached right now. We keep trying; what you send waits here.',
			'space-inbox'
		),
};

/**
 * The notice of one inbox.
 */
export class SessionNotice {
	/**
	 * @param {function(boolean): void} onLock Called with true when the inbox must lock.
	 * @param {HTMLElement}             root   The inbox: acting on it asks for the session.
	 */
	constructor( onLock, root ) {
		this.onLock = onLock;
		this.text = h( 'span', { class: 'space-inbox__session-text' } );
		this.action = h( 'span', { class: 'space-inbox__session-action' } );
		// Announced as it changes; an alert when the user must act.
		this.node = h(
			'div',
			{
				class: 'space-inbox__session',
				role: 'status',
				'aria-live': 'polite',
				hidden: true,
			},
			this.text,
			this.action
		);
		this.stopState = summary.onState( ( state ) => this.show( state ) );
		for ( const type of [ 'focusin', 'keydown', 'pointerdown' ] ) {
			root.addEventListener( type, () => summary.freshen() );
		}
		this.show( summary.state );
	}

	/** @param {string} state The summary's state. */
	show( state ) {
		const says = TEXTS[ state ];
		const locked = state === 'logged_out' || state === 'expired';
		this.node.hidden = ! says;
		this.node.dataset.state = state;
		this.node.classList.toggle( 'is-error', locked );
		this.node.setAttribute( 'role', locked ? 'alert' : 'status' );
		this.text.textContent = says ? says() : '';
		this.action.replaceChildren(
			state === 'logged_out'
				? h( 'a', {
						class: 'button space-inbox__login',
						href: loginHref(),
						text: __( 'Log in again', 'space-inbox' ),
						// The conversation in view may have changed since: go back to it.
						onclick: ( event ) => {
							event.currentTarget.href = loginHref();
						},
				  } )
				: '',
			state === 'expired'
				? h( 'button', {
						type: 'button',
						class: 'button space-inbox__reload',
						text: __( 'Reload', 'space-inbox' ),
						onclick: () => window.location.reload(),
				  } )
				: ''
		);
		this.onLock( locked );
	}

	/** The view is gone. */
	stop() {
		this.stopState();
	}
}
