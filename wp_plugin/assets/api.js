/**
 * Space Inbox: the API client every module calls the bridge with, directly (direct mode)
 * or through the plugin's proxy (proxy mode), and its error, which says what to tell the
 * user. Imported through badge.js, which re-exports it.
 *
 * @module space-inbox/api
 */

const { __, sprintf } = window.wp.i18n;

const config = window.spaceInboxConfig || {};

let numberFormat;
try {
	numberFormat = new Intl.NumberFormat( config.locale || undefined );
} catch {
	numberFormat = new Intl.NumberFormat();
}

/** An error answer of the API ({code, message}), or a network failure (status 0). */
export class ApiError extends Error {
	/**
	 * @param {number} status       HTTP status, 0 for a network failure.
	 * @param {string} code         The API's error code.
	 * @param {string} message
	 * @param {number} [retryAfter] Seconds, from Retry-After.
	 */
	constructor( status, code, message, retryAfter = 0 ) {
		super( message );
		this.status = status;
		this.code = code;
		this.retryAfter = retryAfter;
	}

	/** @return {boolean} Whether trying the same request again later may work. */
	get transient() {
		return this.status === 0 || this.status === 429 || this.status >= 500;
	}

	/** @return {string} What to tell the user. */
	get userMessage() {
		if (
			this.status === 0 ||
			this.status === 502 ||
			this.status === 503 ||
			this.status === 504
		) {
			return __(
				'The inbox cannot be reached right now. Check your connection; we will keep trying.',
				'space-inbox'
			);
		}
		if ( this.code === 'not_logged_in' || this.status === 401 ) {
			return __(
				'You are logged out. Log in again to see your messages.',
				'space-inbox'
			);
		}
		if (
			this.code === 'invalid_nonce' ||
			this.code === 'rest_cookie_invalid_nonce'
		) {
			return __(
				'This page has expired. Reload it to continue.',
				'space-inbox'
			);
		}
		if ( this.status === 429 ) {
			return sprintf(
				/* translators: %s: seconds. */
				__(
					/* translators: %s: seconds. */
					'Too many messages at once. Try again in %s seconds.',
					'space-inbox'
				),
				numberFormat.format( this.retryAfter || 5 )
			);
		}
		return (
			this.message ||
			__( 'Something went wrong. Please try again.', 'space-inbox' )
		);
	}
}

/**
 * Call the bridge (directly, or through the plugin's proxy).
 *
 * @param {string}  path                Path under /api/v1/, without a query string, e.g. "me/summary".
 * @param {Object}  [options]
 * @param {string}  [options.method]
 * @param {Object}  [options.query]     Query parameters; empty values are left out.
 * @param {*}       [options.body]      JSON body.
 * @param {string}  [options.etag]      Sent as If-None-Match.
 * @param {string}  [options.cache]     fetch()'s cache mode: "no-store" unless the answer may
 *                                      be kept as its Cache-Control says ("default").
 * @param {boolean} [options.keepalive] Let the request outlive the page (sent as it closes).
 * @param {boolean} [options.blob]      The answer is a file (a download): its body as a Blob.
 * @return {Promise<{status: number, data: *, etag: (string|null)}>} The answer: its status, its JSON (null for none; a Blob for a file), its ETag.
 * @throws {ApiError}
 */
export async function api(
	path,
	{
		method = 'GET',
		query = null,
		body,
		etag = null,
		cache = 'no-store',
		keepalive = false,
		blob = false,
	} = {}
) {
	let url = config.apiBase + path;
	if ( query ) {
		const params = new URLSearchParams();
		for ( const [ key, value ] of Object.entries( query ) ) {
			if ( value !== null && value !== undefined && value !== '' ) {
				params.set( key, String( value ) );
			}
		}
		const search = params.toString();
		// With plain permalinks the REST base is "...?rest_route=/...": add with "&".
		if ( search ) {
			url += ( url.includes( '?' ) ? '&' : '?' ) + search;
		}
	}
	const headers = { Accept: 'application/json' };
	if ( config.nonce ) {
		headers[ 'X-WP-Nonce' ] = config.nonce;
	}
	if ( body !== undefined ) {
		headers[ 'Content-Type' ] = 'application/json';
	}
	if ( etag ) {
		headers[ 'If-None-Match' ] = etag;
	}

	let response;
	try {
		response = await fetch( url, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify( body ),
			credentials: 'same-origin',
			cache,
			keepalive,
		} );
	} catch {
		throw new ApiError( 0, 'network', '' );
	}
	const fresh = response.headers.get( 'X-WP-Nonce' );
	if ( fresh ) {
		config.nonce = fresh;
	} // WordPress hands a refreshed nonce to the proxy's callers.
	if ( response.status === 304 ) {
		return { status: 304, data: null, etag };
	}

	if ( blob && response.ok ) {
		return { status: response.status, data: await response.blob() };
	}
	let data = null;
	const text = await response.text().catch( () => '' );
	if ( text ) {
		try {
			data = JSON.parse( text );
		} catch {
			data = null;
		}
	}
	if ( ! response.ok ) {
		const isError =
			data && typeof data === 'object' && typeof data.code === 'string';
		throw new ApiError(
			response.status,
			isError ? data.code : `http_${ response.status }`,
			isError && typeof data.message === 'string' ? data.message : '',
			Number( response.headers.get( 'Retry-After' ) ) || 0
		);
	}
	return {
		status: response.status,
		data,
		etag: response.headers.get( 'ETag' ),
	};
}
