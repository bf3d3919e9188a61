/**
 * Space Inbox: "Notify me on this device": Web Push turned on or off for the browser the
 * person is using. On: the browser's permission, the site's service worker (served by the
 * plugin, scoped to the inbox page), a subscription with the site's public key, handed to
 * the bridge (which sends to it while this login lasts). Off: the subscription is ended
 * here and forgotten by the bridge. What the button cannot do is said beside it: a browser
 * without push, notifications blocked, a push service out of reach.
 *
 * @module space-inbox/push-device
 */

const { __ } = window.wp.i18n;
const [ { config, h, api } ] = await Promise.all(
	[ 'badge.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/** @type {{key: string, worker: string, scope: string}|null} */
const PUSH = config.push || null;

/** @return {boolean} Whether this browser can take pushes (and the site sends them). */
export function pushable() {
	return Boolean(
		PUSH &&
			window.isSecureContext &&
			'serviceWorker' in navigator &&
			'PushManager' in window &&
			'Notification' in window
	);
}

/**
 * @param {string} text The public key, base64url.
 * @return {Uint8Array} Its bytes.
 */
function bytes( text ) {
	const plain = window.atob(
		text.replace( /-/g, '+' ).replace( /_/g, '/' ) +
			'='.repeat( ( 4 - ( text.length % 4 ) ) % 4 )
	);
	return Uint8Array.from( plain, ( c ) => c.charCodeAt( 0 ) );
}

export class PushDevice {
	constructor() {
		this.status = h( 'p', {
			class: 'space-inbox-choices__status',
			role: 'status',
			'aria-live': 'polite',
		} );
		this.button = h( 'button', {
			type: 'button',
			class: 'button space-inbox-push-device__button',
			onclick: () => ( this.on ? this.turnOff() : this.turnOn() ),
		} );
		this.on = false;
		this.root = h(
			'div',
			{ class: 'space-inbox-push-device', hidden: ! pushable() },
			this.button,
			this.status
		);
		this.show( false );
	}

	/** @return {Promise<PushSubscription|null>} This device's subscription, if any. */
	async subscription() {
		const registration = await navigator.serviceWorker
			.getRegistration( PUSH.scope )
			.catch( () => null );
		return registration
			? registration.pushManager.getSubscription().catch( () => null )
			: null;
	}

	/** Say whether this device is on (from the browser's own subscription). */
	async refresh() {
		if ( ! pushable() ) {
			return;
		}
		if ( window.Notification.permission === 'denied' ) {
			this.blocked();
			return;
		}
		const subscription = await this.subscription();
		this.show( Boolean( subscription ) );
	}

	/** @param {boolean} on */
	show( on ) {
		this.on = on;
		this.button.disabled = false;
		this.button.textContent = on
			? __( 'Stop notifying this device', 'space-inbox' )
			: __( 'Notify me on this device', 'space-inbox' );
	}

	/**
	 * @param {string} text
	 * @param {string} [kind] "saving", "saved" or "error".
	 */
	say( text, kind = '' ) {
		this.status.textContent = text;
		this.status.dataset.kind = kind;
	}

	blocked() {
		this.button.disabled = true;
		this.say(
			__(
				'Notifications are blocked for this site in this browser: allow them in its settings to turn them on.',
				'space-inbox'
			),
			'error'
		);
	}

	async turnOn() {
		this.button.disabled = true;
		this.say( __( 'Turning on…', 'space-inbox' ), 'saving' );
		const permission = await window.Notification.requestPermission();
		if ( permission !== 'granted' ) {
			this.show( false );
			if ( permission === 'denied' ) {
				this.blocked();
			} else {
				this.say(
					__(
						'Not turned on: the browser did not allow notifications.',
						'space-inbox'
					),
					'error'
				);
			}
			return;
		}
		let subscription;
		try {
			await navigator.serviceWorker.register( PUSH.worker, {
				scope: PUSH.scope,
			} );
			const registration = await navigator.serviceWorker.getRegistration(
				PUSH.scope
			);
			subscription = await registration.pushManager.subscribe( {
				userVisibleOnly: true,
				applicationServerKey: bytes( PUSH.key ),
			} );
		} catch {
			this.show( false );
			this.say(
				__(
					'Not turned on: this browser could not subscribe with its push service (a private window cannot). Try again later.',
					'space-inbox'
				),
				'error'
			);
			return;
		}
		try {
			await api( 'me/push-subscriptions', {
				method: 'POST',
				body: subscription.toJSON(),
			} );
		} catch ( error ) {
			await subscription.unsubscribe().catch( () => {} );
			this.show( false );
			this.say( error.userMessage || String( error ), 'error' );
			return;
		}
		this.show( true );
		this.say(
			__( 'This device will be notified.', 'space-inbox' ),
			'saved'
		);
	}

	async turnOff() {
		this.button.disabled = true;
		const subscription = await this.subscription();
		if ( subscription ) {
			await api( 'me/push-subscriptions', {
				method: 'DELETE',
				query: { endpoint: subscription.endpoint },
			} ).catch( () => {} ); // Ended below anyway: its push service forgets it.
			await subscription.unsubscribe().catch( () => {} );
		}
		this.show( false );
		this.say(
			__( 'This device will not be notified.', 'space-inbox' ),
			'saved'
		);
	}
}
