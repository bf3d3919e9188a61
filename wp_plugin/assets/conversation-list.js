/**
 * Space Inbox: the conversation list of an inbox (conversation.js): its pages, its rows
 * (the other side, the last message's excerpt and time, the unread count, what the
 * audience adds) and the row in view.
 *
 * @module space-inbox/conversation-list
 */

const [ { h, setBadge }, { timeEl } ] = await Promise.all(
	[ 'badge.js', 'message-log.js' ].map( ( name ) =>
		import(
			new URL(
				`${ name }${ new URL( import.meta.url ).search }`,
				import.meta.url
			).href
		)
	)
);

/**
 * A Space's picture (its logo, from the site), or '' for none or for anything but a web URL.
 *
 * @param {string|null|undefined} url The picture's URL.
 * @return {HTMLImageElement|string} The image, or ''.
 */
export function picture( url ) {
	if ( ! url || ! /^https?:\/\//i.test( url ) ) {
		return '';
	}
	return h( 'img', {
		class: 'space-inbox__picture',
		src: url,
		alt: '',
		width: '24',
		height: '24',
		loading: 'lazy',
	} );
}

/**
 * Load the first page of a view's conversation list, or the next one.
 *
 * @param {Object}  view   The conversation view.
 * @param {boolean} [more] Append the next page instead of reloading.
 */
export async function loadList( view, more = false ) {
	const ticket = ++view.listLoad;
	const cursor = more ? view.nextCursor : null;
	try {
		const { data } = await view.fetchList( cursor );
		if ( ticket !== view.listLoad ) {
			return;
		}
		const rows = ( data.conversations || [] ).map( ( row ) =>
			view.listItem( row )
		);
		view.items = more
			? view.items.concat(
					rows.filter(
						( r ) => ! view.items.some( ( x ) => x.key === r.key )
					)
			  )
			: rows;
		view.nextCursor = data.next_cursor || null;
		view.listFailed = false;
		view.renderList();
	} catch ( error ) {
		if ( ticket === view.listLoad ) {
			view.listFailed = true;
			view.fail( error, 'list' );
		}
	}
}

/**
 * Draw a view's conversation list.
 *
 * @param {Object} view The conversation view.
 */
export function renderList( view ) {
	const focused = view.list.ownerDocument.activeElement;
	const focusedKey =
		focused && view.list.contains( focused ) ? focused.dataset.key : null;
	const items = view.listedItems( view.items.slice() );
	view.list.replaceChildren(
		...items.map( ( item ) => {
			const selected = view.current && view.current.key === item.key;
			const badge = h( 'span', { class: 'space-inbox-badge' } );
			setBadge( badge, selected ? 0 : item.unread );
			return h(
				'li',
				{
					class: `space-inbox__item${
						item.unread && ! selected ? ' is-unread' : ''
					}${ item.done ? ' is-done' : '' }`,
				},
				h(
					'button',
					{
						type: 'button',
						class: 'space-inbox__item-button',
						'data-key': String( item.key ),
						'aria-current': selected ? 'true' : null,
						onclick: () => view.openItem( item.key ),
					},
					h(
						'span',
						{ class: 'space-inbox__item-top' },
						picture( item.picture ),
						h( 'span', {
							class: 'space-inbox__item-title',
							text: item.title,
						} ),
						badge
					),
					item.excerpt // Text, or a node (a search's marked words).
						? h(
								'span',
								{ class: 'space-inbox__item-excerpt' },
								item.excerpt
						  )
						: '',
					h(
						'span',
						{ class: 'space-inbox__item-meta' },
						item.time ? timeEl( item.time ) : '',
						...view.itemNotes( item )
					)
				)
			);
		} )
	);
	if ( ! items.length ) {
		view.list.append(
			h( 'li', {
				class: 'space-inbox__empty',
				text: view.emptyListText(),
			} )
		);
	}
	view.moreButton.hidden = ! view.nextCursor;
	if ( focusedKey ) {
		view.list
			.querySelector( `[data-key="${ CSS.escape( focusedKey ) }"]` )
			?.focus();
	}
}
