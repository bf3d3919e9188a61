/**
 * Space Inbox: how fast a Space typically replies, as members see it ("Typically replies
 * within …" and "Very responsive", from the public `GET spaces/{id}/response-time`). The
 * member's inbox shows it under the open Space's name; a team's dashboard shows its own.
 *
 * @module space-inbox/reply-time
 */

const { __ } = window.wp.i18n;
const { h, api } = await import(
	new URL( `badge.js${ new URL( import.meta.url ).search }`, import.meta.url )
		.href
);

/**
 * "Typically replies within …" for a reply time of the API.
 *
 * @param {string|null} typically "minutes", "hour", "hours", "day" or null.
 * @return {string} '' for none.
 */
export function typicallyText( typically ) {
	switch ( typically ) {
		case 'minutes':
			return __( 'Typically replies within minutes', 'space-inbox' );
		case 'hour':
			return __( 'Typically replies within an hour', 'space-inbox' );
		case 'hours':
			return __( 'Typically replies within a few hours', 'space-inbox' );
		case 'day':
			return __( 'Typically replies within a day', 'space-inbox' );
		default:
			return '';
	}
}

/**
 * Fill a reply-time line; hidden when the Space has no reply time to show.
 *
 * @param {HTMLElement}                                             node
 * @param {{typically: string|null, very_responsive: boolean}|null} data
 */
export function fillReplyTime( node, data ) {
	const text = typicallyText( data && data.typically );
	node.replaceChildren(
		text
			? h( 'span', { class: 'space-inbox-reply-time__text', text } )
			: '',
		text && data.very_responsive ? ' ' : '',
		text && data.very_responsive
			? h( 'span', {
					class: 'space-inbox-very-responsive',
					text: __( 'Very responsive', 'space-inbox' ),
			  } )
			: ''
	);
	node.hidden = ! text;
}

/** @type {Map<number, Promise<Object|null>>} Each Space's reply time, asked once per page. */
const replyTimes = new Map();

/**
 * A Space's reply time, as members see it (public; the browser may keep it 5 minutes).
 *
 * @param {number} spaceId
 * @return {Promise<Object|null>} null when it could not be had.
 */
export function replyTimeOf( spaceId ) {
	if ( ! replyTimes.has( spaceId ) ) {
		const asked = api( `spaces/${ spaceId }/response-time`, {
			cache: 'default',
		} ).then(
			( { data } ) => data,
			() => {
				replyTimes.delete( spaceId ); // Asked again next time.
				return null;
			}
		);
		replyTimes.set( spaceId, asked );
	}
	return replyTimes.get( spaceId );
}
