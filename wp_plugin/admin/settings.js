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
					status.textContent = sprintf(
						settings.i18n.progress,
						result.done,
						result.total
					);
					return step( result.next_page );
				}
				status.textContent = sprintf(
					settings.i18n.done,
					result.total
				);
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
