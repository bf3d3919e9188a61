/**
 * Space Inbox: the page an inbox is on: its query string (what a reload keeps in view), and
 * the modules and stylesheets an inbox loads when it first needs them, from this folder with
 * this module's version query (the one every module of the page is loaded with), so that
 * the page holds one instance of each.
 *
 * A module loaded later comes with its translations when it has any: PHP says where they
 * are (`window.spaceInboxTranslations` = `{ <module>: <REST URL> }`, on a team's pages
 * only), and they are handed to wp.i18n before the module is used.
 *
 * @module space-inbox/inbox-page
 */

const { config, h } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/** Where the translations of the modules loaded later are, by module name. */
const translationsAt = window.spaceInboxTranslations || {};

/**
 * Read a positive integer from the page's query string.
 *
 * @param {string} name
 * @return {number} The integer, or 0 for none.
 */
export function queryId( name ) {
	const value = Number(
		new URLSearchParams( window.location.search ).get( name )
	);
	return Number.isInteger( value ) && value > 0 ? value : 0;
}

/**
 * Put values in the page's query string without reloading (so a reload keeps the view).
 *
 * @param {Object<string, number|string|null>} values
 */
export function setQuery( values ) {
	const url = new URL( window.location.href );
	for ( const [ key, value ] of Object.entries( values ) ) {
		if ( value ) {
			url.searchParams.set( key, String( value ) );
		} else {
			url.searchParams.delete( key );
		}
	}
	window.history.replaceState( window.history.state, '', url );
}

/**
 * A file of this folder, with the version query every module is loaded with.
 *
 * @param {string} name e.g. "team-inbox.js".
 * @return {string} Its URL.
 */
const assetUrl = ( name ) =>
	new URL(
		`${ name }${ new URL( import.meta.url ).search }`,
		import.meta.url
	).href;

/** @type {Map<string, Promise<void>>} The translations asked for, by module name. */
const translated = new Map();

/**
 * Hand wp.i18n the translations of a module loaded later, as WordPress does for the
 * modules it prints (once; without them, the module speaks English).
 *
 * @param {string} module A module's name, e.g. "dashboard".
 * @return {Promise<void>}
 */
function translate( module ) {
	if ( ! translationsAt[ module ] ) {
		return Promise.resolve();
	}
	if ( ! translated.has( module ) ) {
		const asked = fetch( translationsAt[ module ], {
			credentials: 'same-origin',
			headers: {
				Accept: 'application/json',
				'X-WP-Nonce': config.nonce || '',
			},
		} )
			.then( ( response ) =>
				response.ok ? response.json() : { translations: [] }
			)
			.then( ( data ) => {
				for ( const translations of Array.isArray( data.translations )
					? data.translations
					: [] ) {
					const localeData =
						translations.locale_data[ 'space-inbox' ] ||
						translations.locale_data.messages;
					localeData[ '' ].domain = 'space-inbox';
					window.wp.i18n.setLocaleData( localeData, 'space-inbox' );
				}
			} )
			.catch( () => {} );
		translated.set( module, asked );
	}
	return translated.get( module );
}

/**
 * Import a module of this folder (the same instance as any other import of it), with its
 * translations.
 *
 * @param {string} name e.g. "dashboard.js".
 * @return {Promise<Object>} The module's exports.
 */
export async function loadModule( name ) {
	const [ exports ] = await Promise.all( [
		import( assetUrl( name ) ),
		translate( name.replace( /\.js$/, '' ) ),
	] );
	return exports;
}

/** @type {Map<string, Promise<void>>} The stylesheets asked for, by element id. */
const stylesheets = new Map();

/**
 * Add a stylesheet of this folder to the page, once (not when PHP printed it already).
 *
 * @param {string} name e.g. "team.css".
 * @param {string} id   The element's id, as WordPress gives it: "<handle>-css".
 * @return {Promise<void>} Resolves once it applies (or failed to load: the view still works).
 */
export function loadStylesheet( name, id ) {
	if ( ! stylesheets.has( id ) ) {
		if ( document.getElementById( id ) ) {
			stylesheets.set( id, Promise.resolve() );
		} else {
			const link = h( 'link', {
				rel: 'stylesheet',
				id,
				href: assetUrl( name ),
				media: 'all',
			} );
			stylesheets.set(
				id,
				new Promise( ( done ) => {
					link.addEventListener( 'load', () => done() );
					link.addEventListener( 'error', () => done() );
				} )
			);
			document.head.append( link );
		}
	}
	return stylesheets.get( id );
}
