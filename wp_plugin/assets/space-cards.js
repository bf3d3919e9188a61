/**
 * Space Inbox: the Message button on the cards of Spaces Engine's Spaces archive.
 *
 * Spaces Engine's own script fetches the cards (search, categories, pages) and puts them in
 * the archive; each card (`li.type-wpe_wpspace#post-<id>`) gets the link the Space page has:
 * "Message" (the inbox opened on the Space, the cursor in the box), "Open this Space’s
 * inbox" with its unread count for the Space's admins, "Log in to message" for a visitor
 * (back to the box once logged in). It carries Spaces Engine's `button primary` classes.
 *
 * Configuration, set by PHP before this module runs: `window.spaceInboxCards` =
 * `{ loggedIn, inboxUrl, loginUrl, redirect, mine }`: the member inbox page, the login page
 * whose redirect is the placeholder `redirect`, and the ids of the Spaces the reader
 * answers for. Logged in, the counts come from the badge module's summary.
 *
 * @module space-inbox/space-cards
 */

const { __, sprintf } = window.wp.i18n;
const cards = window.spaceInboxCards || {};
const mine = new Set( ( cards.mine || [] ).map( Number ) );
// One badge module per page: the same file and version query as the page's own.
const badges = cards.loggedIn
	? await import(
			new URL(
				`badge.js${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
	  )
	: null;

/**
 * The inbox page with one query argument set.
 *
 * @param {string} name "space" (the member's conversation) or "team" (the Space's inbox).
 * @param {number} id   The Space.
 * @return {string} The URL.
 */
function inboxUrl( name, id ) {
	const url = new URL( cards.inboxUrl, window.location.href );
	url.searchParams.set( name, String( id ) );
	return url.href;
}

/**
 * The link of one card.
 *
 * @param {number} id   The Space.
 * @param {string} name Its name, as the card shows it.
 * @return {HTMLAnchorElement} The link.
 */
function link( id, name ) {
	const a = document.createElement( 'a' );
	a.className = 'button primary space-inbox-action';
	if ( ! cards.loggedIn ) {
		a.classList.add( 'space-inbox-button--login' );
		a.href = cards.loginUrl.replace(
			cards.redirect,
			encodeURIComponent( inboxUrl( 'space', id ) )
		);
		a.textContent = __( 'Log in to message', 'space-inbox' );
		a.setAttribute(
			'aria-label',
			/* translators: %s: Space name. */
			sprintf( __( 'Log in to message %s', 'space-inbox' ), name )
		);
	} else if ( mine.has( id ) ) {
		a.classList.add( 'space-inbox-button--admin' );
		a.href = inboxUrl( 'team', id );
		a.textContent = __( 'Open this Space’s inbox', 'space-inbox' );
		// The Space's name for screen readers, which an aria-label would give without the count.
		const which = document.createElement( 'span' );
		which.className = 'space-inbox-sr';
		which.textContent = ` (${ name })`;
		const badge = document.createElement( 'span' );
		badge.className = 'space-inbox-badge';
		badge.dataset.spaceInboxCount = `space-${ id }`;
		badge.hidden = true;
		a.append( which, badge );
	} else {
		a.href = inboxUrl( 'space', id );
		a.textContent = __( 'Message', 'space-inbox' );
		a.setAttribute(
			'aria-label',
			/* translators: %s: Space name. */
			sprintf( __( 'Message %s', 'space-inbox' ), name )
		);
	}
	return a;
}

/** Give every card without one its link; fill the admins' counts known so far. */
function complete() {
	let added = false;
	for ( const card of document.querySelectorAll(
		'li.type-wpe_wpspace[id^="post-"]'
	) ) {
		if ( card.querySelector( '.space-inbox-card-action' ) ) {
			continue;
		}
		const id = Number( card.id.slice( 'post-'.length ) );
		if ( ! ( id > 0 ) ) {
			continue;
		}
		const title = card.querySelector( 'h3' );
		const name = ( title ? title.textContent : '' ).trim();
		const holder = document.createElement( 'p' );
		holder.className = 'space-inbox-card-action';
		holder.append( link( id, name ) );
		( card.querySelector( '.space-content-wrap' ) || card ).append(
			holder
		);
		added = true;
	}
	if ( added && badges && mine.size ) {
		const known = badges.counts( badges.summary.data );
		for ( const badge of document.querySelectorAll(
			'.space-inbox-card-action [data-space-inbox-count]'
		) ) {
			badges.setBadge(
				badge,
				known[ badge.dataset.spaceInboxCount ] || 0
			);
		}
		// The summary keeps every count on the page fresh from now on.
		if ( ! badges.summary.started ) {
			badges.summary.start();
		}
	}
}

function main() {
	if ( ! cards.inboxUrl ) {
		return;
	}
	complete();
	const archive =
		document.getElementById( 'space-archive-container' ) || document.body;
	new MutationObserver( complete ).observe( archive, {
		childList: true,
		subtree: true,
	} );
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', main );
} else {
	main();
}
