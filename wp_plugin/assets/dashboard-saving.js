/**
 * Space Inbox: what the Dashboard's parts share: notices shown next to what caused them
 * (announced, and gone when the view changes), and settings that save themselves, each on
 * its own, one request after the other. Loaded with the dashboard, when it is first opened.
 *
 * @module space-inbox/dashboard-saving
 */

const { __ } = window.wp.i18n;
const [ { h, api }, { errorText } ] = await Promise.all(
	[ 'badge.js', 'team-common.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

let made = 0;

/**
 * A notice beside a form or a control: a polite live region that is always in the page
 * (empty when there is nothing to say), so that what it is given is announced.
 */
export class Notice {
	/**
	 * @param {string} uid          The inbox's id, for a unique id.
	 * @param {string} [extraClass]
	 */
	constructor( uid, extraClass = '' ) {
		this.node = h( 'p', {
			id: `${ uid }-notice-${ ++made }`,
			class: `space-inbox-notice ${ extraClass }`.trim(),
			role: 'status',
			'aria-live': 'polite',
			'aria-atomic': 'true',
		} );
	}

	/** @return {string} The notice's id, for aria-describedby. */
	get id() {
		return this.node.id;
	}

	/**
	 * @param {string}      text
	 * @param {string}      [kind]   "info", "saving", "saved" or "error".
	 * @param {HTMLElement} [action] A button beside the text ("Try again").
	 */
	show( text, kind = 'info', action = null ) {
		this.node.dataset.kind = kind;
		this.node.replaceChildren(
			h( 'span', { class: 'space-inbox-notice__text', text } ),
			...( action ? [ action ] : [] )
		);
	}

	clear() {
		delete this.node.dataset.kind;
		this.node.replaceChildren();
	}

	/**
	 * Describe a control by this notice too (its hint, if any, stays first).
	 *
	 * @param {HTMLElement} control
	 * @return {HTMLElement} The control.
	 */
	describe( control ) {
		const ids = ( control.getAttribute( 'aria-describedby' ) || '' )
			.split( /\s+/ )
			.filter( Boolean );
		control.setAttribute(
			'aria-describedby',
			[ ...ids, this.id ].join( ' ' )
		);
		return control;
	}
}

/** Every notice of a view, to clear them all when the view changes. */
export class Notices {
	/** @param {string} uid */
	constructor( uid ) {
		this.uid = uid;
		/** @type {Set<Notice>} */
		this.all = new Set();
	}

	/**
	 * @param {string} [extraClass]
	 * @return {Notice} A new notice of this view.
	 */
	make( extraClass = '' ) {
		const notice = new Notice( this.uid, extraClass );
		this.all.add( notice );
		return notice;
	}

	clear() {
		for ( const notice of this.all ) {
			notice.clear();
		}
	}
}

/** Requests that run one after the other, in the order they were asked for. */
export class Queue {
	constructor() {
		this.tail = Promise.resolve();
	}

	/**
	 * @param {function(): Promise<*>} task
	 * @return {Promise<*>} What the task gives, once the earlier ones are done.
	 */
	run( task ) {
		const done = this.tail.then( task );
		this.tail = done.catch( () => {} );
		return done;
	}

	/** @return {Promise<void>} Once every task asked for so far is done. */
	idle() {
		return this.tail;
	}
}

/**
 * One of a Space's settings that saves itself (PATCH spaces/{id}/settings with only it):
 * what the user gives is checked first (a fault is shown next to it, and nothing is sent),
 * then sent; "Saving…", "Saved" or the bridge's refusal show in its notice. A refused or
 * failed change stays in the control until it is saved: a refusal is marked on it; a
 * bridge that cannot be reached is tried again by itself (and at once with "Try again").
 */
export class AutoSave {
	/**
	 * @param {Object}                         options
	 * @param {Notice}                         options.notice
	 * @param {Queue}                          options.queue
	 * @param {function(): number}             options.spaceId
	 * @param {function(): *}                  options.read     The control's value.
	 * @param {function(*): Object}            options.body     The PATCH body for a value (built when it is sent).
	 * @param {function(*): string}            [options.check]  What is wrong with a value, or ''.
	 * @param {function(Object, *): void}      [options.saved]  Told the settings the bridge answered with.
	 * @param {function(): Array<HTMLElement>} [options.marked] The controls aria-invalid goes on.
	 */
	constructor( {
		notice,
		queue,
		spaceId,
		read,
		body,
		check,
		saved,
		marked,
	} ) {
		this.notice = notice;
		this.queue = queue;
		this.spaceId = spaceId;
		this.read = read;
		this.body = body;
		this.check = check || ( () => '' );
		this.saved = saved || ( () => {} );
		this.marked = marked || ( () => [] );
		/** The value the bridge holds, as JSON. */
		this.stored = undefined;
		/** The value on its way, as JSON. */
		this.sending = null;
		/** Whether the control holds a value the bridge refused, failed to take or was not sent. */
		this.failed = false;
		this.timer = 0;
		/** How long before trying a change again that the bridge could not take (ms). */
		this.backoff = 0;
	}

	/** @param {*} value What the bridge holds now (from a load). */
	settle( value ) {
		clearTimeout( this.timer );
		this.timer = 0;
		this.stored = JSON.stringify( value );
		this.failed = false;
		this.mark( false );
	}

	/** @return {boolean} Whether the control holds what the bridge does not. */
	get dirty() {
		return (
			Boolean( this.timer ) ||
			this.failed ||
			this.sending !== null ||
			( this.stored !== undefined &&
				JSON.stringify( this.read() ) !== this.stored )
		);
	}

	/**
	 * Save after a pause (typing), unless saved before.
	 *
	 * @param {number} [ms]
	 */
	later( ms = 900 ) {
		clearTimeout( this.timer );
		this.timer = setTimeout( () => this.now(), ms );
	}

	/** @param {boolean} wrong */
	mark( wrong ) {
		for ( const control of this.marked() ) {
			if ( wrong ) {
				control.setAttribute( 'aria-invalid', 'true' );
			} else {
				control.removeAttribute( 'aria-invalid' );
			}
		}
	}

	/**
	 * Check and send the control's value now (nothing when the bridge holds it already).
	 *
	 * @return {Promise<boolean>} Whether the bridge holds it.
	 */
	now() {
		clearTimeout( this.timer );
		this.timer = 0;
		const value = this.read();
		const wrong = this.check( value );
		if ( wrong ) {
			this.failed = true;
			this.mark( true );
			this.notice.show( wrong, 'error' );
			return Promise.resolve( false );
		}
		this.mark( false );
		const json = JSON.stringify( value );
		if ( json === this.sending ) {
			return this.inFlight;
		}
		if ( json === this.stored && this.sending === null ) {
			if ( this.failed ) {
				this.failed = false;
				this.notice.clear();
			}
			return Promise.resolve( true );
		}
		const spaceId = this.spaceId();
		this.sending = json;
		this.notice.show( __( 'Saving…', 'space-inbox' ), 'saving' );
		this.inFlight = this.queue
			.run( () =>
				api( `spaces/${ spaceId }/settings`, {
					method: 'PATCH',
					body: this.body( value ),
				} )
			)
			.then(
				( { data } ) => this.done( spaceId, json, data, value ),
				( error ) => this.refused( spaceId, json, error )
			);
		return this.inFlight;
	}

	/**
	 * @param {number} spaceId
	 * @param {string} json
	 * @param {Object} data    The settings now.
	 * @param {*}      value
	 * @return {boolean} The bridge holds it.
	 */
	done( spaceId, json, data, value ) {
		if ( this.sending === json ) {
			this.sending = null;
		}
		if ( spaceId !== this.spaceId() ) {
			return true;
		}
		this.stored = json;
		this.backoff = 0;
		this.saved( data, value );
		if ( JSON.stringify( this.read() ) === json ) {
			this.failed = false;
			this.notice.show( __( 'Saved', 'space-inbox' ), 'saved' );
		}
		return true;
	}

	/**
	 * @param {number} spaceId
	 * @param {string} json
	 * @param {*}      error
	 * @return {boolean} The bridge does not hold it.
	 */
	refused( spaceId, json, error ) {
		if ( this.sending === json ) {
			this.sending = null;
		}
		if ( spaceId !== this.spaceId() ) {
			return false;
		}
		this.failed = true;
		const again = error && error.transient;
		if ( again ) {
			// Unreachable or busy: tried again by itself, less and less often.
			this.backoff = Math.min( ( this.backoff || 2500 ) * 2, 60000 );
			this.later( this.backoff );
		} else {
			this.mark( true );
		}
		this.notice.show(
			errorText( error ),
			'error',
			again
				? h( 'button', {
						type: 'button',
						class: 'button-link',
						text: __( 'Try again', 'space-inbox' ),
						onclick: () => this.now(),
				  } )
				: null
		);
		return false;
	}
}
