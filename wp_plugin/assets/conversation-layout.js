/**
 * Space Inbox: the layout of a conversation view (conversation.js), made once: the list
 * and the open conversation side by side (one at a time on a phone), with the live regions
 * where the view speaks next to what it is about.
 *
 * @module space-inbox/conversation-layout
 */

const { __ } = window.wp.i18n;
const [ { h }, { MessageLog }, { Composer }, { Sending }, { SessionNotice } ] =
	await Promise.all(
		[
			'badge.js',
			'message-log.js',
			'composer.js',
			'sending.js',
			'session-notice.js',
		].map( ( name ) =>
			import(
				new URL(
					`${ name }${ new URL( import.meta.url ).search }`,
					import.meta.url
				).href
			)
		)
	);

/**
 * Lay out a conversation view: the session notice, the audience's toolbar, the list
 * pane, and the conversation pane (its head, what the view says, the messages, the reply
 * box).
 *
 * @param {Object} view The conversation view (conversation.js).
 */
export function buildLayout( view ) {
	const id = view.uid;
	// What the view says, next to what it is about: the list's loading, and the open
	// conversation's (its head's buttons; the reply box says its own, composer.js).
	view.listStatus = h( 'p', {
		class: 'space-inbox__status',
		role: 'status',
		'aria-live': 'polite',
	} );
	view.status = h( 'p', {
		class: 'space-inbox__status',
		role: 'status',
		'aria-live': 'polite',
	} );
	view.session = new SessionNotice(
		( locked ) => view.lock( locked ),
		view.root
	);
	view.sending = new Sending( view );

	view.list = h( 'ul', {
		class: 'space-inbox__list-items',
		'aria-labelledby': `${ id }-list-title`,
	} );
	view.moreButton = h( 'button', {
		type: 'button',
		class: 'space-inbox__more button',
		hidden: true,
		text: __( 'Load more conversations', 'space-inbox' ),
		onclick: () => view.loadList( true ),
	} );
	view.listPane = h(
		'section',
		{ class: 'space-inbox__list' },
		h( 'h2', {
			id: `${ id }-list-title`,
			class: 'space-inbox__heading',
			text: __( 'Conversations', 'space-inbox' ),
		} ),
		view.listStatus,
		view.list,
		view.moreButton
	);

	view.backButton = h( 'button', {
		type: 'button',
		class: 'space-inbox__back button-link',
		text: `← ${ __( 'Back to conversations', 'space-inbox' ) }`,
		onclick: () => view.closeThread(),
	} );
	view.threadTitle = h( 'h2', {
		id: `${ id }-thread-title`,
		class: 'space-inbox__heading',
		tabindex: '-1',
	} );
	view.threadPicture = h( 'img', {
		class: 'space-inbox__picture',
		alt: '',
		width: '32',
		height: '32',
		hidden: true,
	} );
	view.notice = h( 'p', { class: 'space-inbox__notice', hidden: true } );
	view.olderButton = h( 'button', {
		type: 'button',
		class: 'space-inbox__older button-link',
		hidden: true,
		text: __( 'Load older messages', 'space-inbox' ),
		onclick: () => view.loadOlder(),
	} );
	view.messages = new MessageLog( {
		labelledBy: `${ id }-thread-title`,
		isMine: ( m ) => view.isMine( m ),
		kindOf: ( m ) => view.rowKind( m ),
		sentMeta: ( m ) => view.sentMeta( m ),
		retry: ( m ) => view.deliver( m ),
	} );
	view.log = view.messages.node;
	view.placeholder = h( 'p', {
		class: 'space-inbox__placeholder',
		text: __( 'Pick a conversation to read it.', 'space-inbox' ),
	} );

	view.composer = new Composer( {
		uid: id,
		onSend: () => view.send(),
		onKey: ( e ) => view.composerKey( e ),
		onInput: () => {
			if ( view.current ) {
				view.sending.setDraft( view.current.key, view.textarea.value );
			}
			view.composerInput();
		},
		onBlur: () => view.composerBlur(),
	} );
	view.textarea = view.composer.textarea;
	view.composeLabel = view.composer.label;
	const parts = view.parts();
	view.listPane.append( ...( parts.list || [] ) );
	view.compose = view.composer.form( {
		top: parts.composeTop,
		buttons: parts.composeButtons,
		hint: parts.hint,
	} );

	view.threadHead = h(
		'div',
		{ class: 'space-inbox__thread-head' },
		view.backButton,
		view.threadPicture,
		view.threadTitle,
		...( parts.head || [] )
	);
	view.threadPane = h(
		'section',
		{
			class: 'space-inbox__thread',
			'aria-labelledby': `${ id }-thread-title`,
		},
		view.threadHead,
		view.status,
		view.notice,
		view.olderButton,
		view.log,
		view.placeholder,
		...( parts.thread || [] ),
		view.compose
	);

	view.panes = h(
		'div',
		{ class: 'space-inbox__panes' },
		view.listPane,
		view.threadPane
	);
	view.root.replaceChildren(
		view.session.node,
		parts.toolbar || '',
		view.panes,
		...( parts.after || [] )
	);
	view.root.classList.add( 'space-inbox--ready' );
	view.showThread( false );
}
