/**
 * Space Inbox: what a team inbox (team-inbox.js) does beside its conversations: the
 * Dashboard view (dashboard.js and dashboard.css, loaded the first time it is opened),
 * marking a conversation done or open again, blocking or unblocking its member.
 *
 * @module space-inbox/team-actions
 */

const { __ } = window.wp.i18n;
const [ { api, ApiError }, { setQuery, loadModule, loadStylesheet } ] =
	await Promise.all(
		[ 'badge.js', 'inbox-page.js' ].map( ( name ) =>
			import(
				new URL(
					`${ name }${ new URL( import.meta.url ).search }`,
					import.meta.url
				).href
			)
		)
	);

/**
 * @return {Promise<Object>} The Dashboard, loaded (with its stylesheet) the first time.
 *
 * @param {Object} inbox The team inbox.
 */
export function loadDashboard( inbox ) {
	if ( ! inbox.dashboardLoad ) {
		inbox.dashboardLoad = Promise.all( [
			loadModule( 'dashboard.js' ),
			loadStylesheet( 'dashboard.css', 'space-inbox-dashboard-css' ),
		] ).then( ( [ { Dashboard } ] ) => {
			inbox.dashboard = new Dashboard( {
				uid: inbox.uid,
				store: inbox.store,
				onOpen: ( conversationId ) => {
					inbox.showView( 'inbox' );
					inbox.openAdmin( conversationId );
				},
			} );
			inbox.root.append( inbox.dashboard.root );
			return inbox.dashboard;
		} );
		inbox.dashboardLoad.catch( () => {
			inbox.dashboardLoad = null; // Tried again next time.
		} );
	}
	return inbox.dashboardLoad;
}

/**
 * The conversations, or the Space's dashboard.
 *
 * @param {Object}              inbox The team inbox.
 * @param {'inbox'|'dashboard'} view
 * @return {Promise<void>} Once it shows.
 */
export async function showView( inbox, view ) {
	inbox.view = view === 'dashboard' ? 'dashboard' : 'inbox';
	const dashboard = inbox.view === 'dashboard';
	for ( const [ name, button ] of Object.entries( inbox.viewButtons ) ) {
		button.setAttribute(
			'aria-pressed',
			name === inbox.view ? 'true' : 'false'
		);
	}
	inbox.panes.hidden = dashboard;
	inbox.teamList.hide( dashboard );
	inbox.hush();
	if ( inbox.dashboard ) {
		inbox.dashboard.root.hidden = ! dashboard;
	}
	setQuery( { view: dashboard ? 'dashboard' : null } );
	inbox.presence.follow();
	if ( ! dashboard ) {
		return;
	}
	inbox.picker.close();
	try {
		await inbox.loadDashboard();
	} catch ( error ) {
		await showView( inbox, 'inbox' ); // Said beside the conversations.
		inbox.fail( error );
		return;
	}
	if ( inbox.view !== 'dashboard' ) {
		return;
	}
	inbox.dashboard.root.hidden = false;
	if ( inbox.spaceId ) {
		inbox.dashboard.show(
			inbox.spaceId,
			! inbox.isReadOnly( inbox.spaceId )
		);
	}
}

/**
 * The saved replies manager, in the dashboard (from the composer's list).
 *
 * @param {Object} inbox The team inbox.
 */
export async function manageReplies( inbox ) {
	await inbox.showView( 'dashboard' );
	if ( inbox.view === 'dashboard' && inbox.dashboard ) {
		inbox.dashboard.focusReplies();
	}
}

/**
 * @param {Object} inbox The team inbox.
 */
export async function toggleStatus( inbox ) {
	const c = inbox.current;
	if ( ! c ) {
		return;
	}
	const status = c.status === 'done' ? 'open' : 'done';
	inbox.statusButton.disabled = true;
	try {
		const { data } = await api(
			`spaces/${ c.spaceId }/conversations/${ c.conversationId }/status`,
			{ method: 'POST', body: { status } }
		);
		c.status = data.status;
		inbox.renderHead();
		inbox.say(
			data.status === 'done'
				? __( 'Conversation marked done.', 'space-inbox' )
				: __( 'Conversation reopened.', 'space-inbox' )
		);
		await inbox.loadList();
	} catch ( error ) {
		if (
			error instanceof ApiError &&
			error.code === 'oversight_read_only'
		) {
			inbox.spaces.leave( c.spaceId );
			inbox.renderHead();
		}
		inbox.fail( error );
	} finally {
		inbox.statusButton.disabled = false;
		inbox.statusButton.focus();
	}
}

/**
 * @param {Object} inbox The team inbox.
 */
export async function toggleBlock( inbox ) {
	const c = inbox.current;
	if ( ! c ) {
		return;
	}
	inbox.blockButton.disabled = true;
	try {
		const { data } = await api(
			`spaces/${ c.spaceId }/conversations/${ c.conversationId }/block`,
			{ method: 'POST', body: { blocked: ! c.blocked } }
		);
		c.blocked = data.blocked;
		inbox.renderHead();
		inbox.say(
			data.blocked
				? __(
						'Member blocked: the Space takes no more messages from them.',
						'space-inbox'
				  )
				: __( 'Member unblocked.', 'space-inbox' )
		);
		await inbox.loadList();
	} catch ( error ) {
		inbox.fail( error );
	} finally {
		inbox.blockButton.disabled = false;
		inbox.blockButton.focus();
	}
}
