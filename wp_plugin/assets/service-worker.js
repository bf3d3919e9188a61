/**
 * Space Inbox: the service worker. It shows a Web Push from the bridge as a notification (a
 * member's message to a Space's team: "New message for <Space>", "<member>: <first
 * words>"; a Space's answer to its member: "<Space> answered you", its first words), one
 * per conversation (a newer one replaces it), and a click opens the conversation, in a
 * tab of the site already open on it if there is one. Served by the plugin from the site's
 * own origin, with the words in the site's language (self.spaceInboxWords).
 */

/* global clients */

const words = self.spaceInboxWords || {};

/**
 * @param {string}        pattern A translated string with %s, or %1$s and %2$s.
 * @param {Array<string>} values
 * @return {string} The pattern with the values in it.
 */
function fill( pattern, values ) {
	let next = 0;
	return String( pattern ).replace( /%(?:(\d)\$)?s/g, ( _, n ) =>
		String( values[ n ? Number( n ) - 1 : next++ ] ?? '' )
	);
}

self.addEventListener( 'push', ( event ) => {
	let data = {};
	try {
		data = event.data ? event.data.json() : {};
	} catch {
		data = {};
	}
	const title = fill( words[ data.kind ] || '%s', [ data.space || '' ] );
	const body = data.from
		? fill( words.from || '%1$s: %2$s', [ data.from, data.text || '' ] )
		: data.text || '';
	event.waitUntil(
		self.registration.showNotification( title, {
			body,
			tag: data.tag || undefined,
			renotify: Boolean( data.tag ),
			data: { url: data.url || '' },
		} )
	);
} );

self.addEventListener( 'notificationclick', ( event ) => {
	event.notification.close();
	let url;
	try {
		url = new URL( event.notification.data.url, self.location.origin );
	} catch {
		return;
	}
	if ( url.origin !== self.location.origin ) {
		return; // Only the site's own pages.
	}
	event.waitUntil(
		clients
			.matchAll( { type: 'window', includeUncontrolled: true } )
			.then( ( open ) => {
				const same = open.find( ( client ) => client.url === url.href );
				return same ? same.focus() : clients.openWindow( url.href );
			} )
	);
} );
