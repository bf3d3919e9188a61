/**
 * Settings → Space Inbox: "Resync all Spaces", one page per request, with progress.
 *
 * Without JavaScript the same form posts to admin-post.php and resyncs in one request.
 */
( function () {
	'use strict';

	const form = document.getElementById( 'space-inbox-resync' );
	const settings = window.spaceInboxSettings;
	if ( ! form || ! settings || ! window.wp || ! window.wp.apiFetch ) {
		return;
	}
	const sprintf = window.wp.i18n.sprintf;
	const button = form.querySelector( 'button[type="submit"]' );
	const progress = form.querySelector( 'progress' );
	const status = form.querySelector( '.space-inbox-resync-status' );

	/**
	 * One of the form's messages (its format translated by PHP), placeholders filled.
	 *
	 * @param {string}    key  The message's key in `settings.i18n`.
	 * @param {...number} args The values of its placeholders.
	 * @return {string} The message.
	 */
	function say( key, ...args ) {
		const format = settings.i18n[ key ];
		return sprintf( format, ...args );
	}

	function step( page ) {
		return window.wp
			.apiFetch( {
				path: settings.path,
				method: 'POST',
				data: { page },
			} )
			.then( function ( result ) {
				progress.max = Math.max( result.total, 1 );
				progress.value = result.done;
				if ( result.next_page ) {
					status.textContent = say(
						'progress',
						result.done,
						result.total
					);
					return step( result.next_page );
				}
				status.textContent = say( 'done', result.total );
				return result;
			} );
	}

	form.addEventListener( 'submit', function ( event ) {
		event.preventDefault();
		button.disabled = true;
		progress.hidden = false;
		progress.value = 0;
		status.textContent = '';
		step( 1 )
			.catch( function ( error ) {
				status.textContent =
					settings.i18n.failed +
					' ' +
					( error && error.message ? error.message : '' );
			} )
			.then( function () {
				button.disabled = false;
			} );
	} );
} )();
