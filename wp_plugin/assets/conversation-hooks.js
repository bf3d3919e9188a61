/**
 * Space Inbox: what an inbox's audience tells the conversation view (conversation.js): the
 * hooks the member's inbox (member-inbox.js) and a team's (team-inbox.js) override.
 *
 * @module space-inbox/conversation-hooks
 */

/**
 * What a subclass defines, for its audience:
 * - `fetchList(cursor)`: the API's answer of a page of the conversation list;
 * - `listItem(row)`: a list row from an API conversation, as `{key, title, picture?,
 *   excerpt, time, unread, done, row}`;
 * - `emptyListText()`, `openItem(key)`: what an empty list says; open a row;
 * - `messagesPath()`, `readPath(c)`: the open conversation's messages; what marks it read
 *   ('' when the user may not);
 * - `composeLabelText(c)`, `side`: the reply box's label; the side it writes for ("me",
 *   "space");
 * - `isMine(m)`, `sentMeta(m)`: whether this side wrote a message; who wrote it, when;
 * - `closedQuery()`: the query string's values once no conversation is open.
 * The methods below that do nothing are for the subclass to override where it needs to.
 */
export class ConversationHooks {
	/** @return {string} The live stream's event about this inbox's conversations. */
	get liveEvent() {
		return 'conversation';
	}

	/**
	 * What the audience adds to the layout, made once the reply box (this.textarea) exists.
	 *
	 * @return {{toolbar?: Node, list?: Node[], head?: Node[], thread?: Node[], composeTop?: Node[], composeButtons?: Node[], hint?: string, after?: Node[]}}
	 *   A toolbar above the panes; what follows the list of conversations; controls after the
	 *   conversation's title; what shows between the messages and the reply box; above the
	 *   box; buttons before Send; the line under the box; what follows the panes.
	 */
	parts() {
		return {};
	}

	// The hooks below name the arguments their overrides receive; the base class uses none.
	/* eslint-disable no-unused-vars */

	/**
	 * A key in the reply box.
	 *
	 * @param {KeyboardEvent} event The key's event.
	 * @return {boolean} Whether the subclass took it.
	 */
	composerKey( event ) {
		return false;
	}

	/** The reply box's text changed (after the counter). */
	composerInput() {}

	/** The reply box lost the focus. */
	composerBlur() {}

	/** The reply box was emptied by a send. */
	composerCleared() {}

	/** Another conversation is about to be shown, or none. */
	leavingThread() {}

	/** Another conversation is shown, or none. */
	threadShown() {}

	/** No conversation is shown: clear the head's own controls. */
	clearHead() {}

	/**
	 * The rows of the list, before they are drawn.
	 *
	 * @param {Array<Object>} items The rows to draw.
	 * @return {Array<Object>} The rows, with any the list adds.
	 */
	listedItems( items ) {
		return items;
	}

	/**
	 * A row's own notes, after its time.
	 *
	 * @param {Object} item The row.
	 * @return {Array<Node>} The notes.
	 */
	itemNotes( item ) {
		return [];
	}

	/**
	 * @param {Object} event A live event.
	 * @return {boolean} Whether it concerns this inbox.
	 */
	concerns( event ) {
		return true;
	}

	/**
	 * A new summary arrived.
	 *
	 * @param {Object}  data  The summary.
	 * @param {boolean} first Whether it is the first.
	 */
	summaryChanged( data, first ) {}

	/**
	 * @param {Object} c The open conversation.
	 * @return {string} Why it cannot be answered ('' if it can).
	 */
	noticeText( c ) {
		return '';
	}

	/**
	 * Draw the head's own controls.
	 *
	 * @param {Object} c The open conversation.
	 */
	renderHeadControls( c ) {}

	/**
	 * Take what a page of messages says of the conversation.
	 *
	 * @param {Object} c    The conversation.
	 * @param {Object} data The page of messages.
	 */
	tookPage( c, data ) {}

	/**
	 * Marking a conversation read was refused (tried again on the next refresh).
	 *
	 * @param {Object} c     The conversation.
	 * @param {*}      error Why.
	 */
	readRefused( c, error ) {}

	/**
	 * A new message on its way, before it is shown.
	 *
	 * @param {Object} message The message.
	 */
	prepare( message ) {}

	/**
	 * Send a message now shown as on its way.
	 *
	 * @param {Object} message The message.
	 */
	async dispatch( message ) {
		await this.deliver( message );
	}

	/**
	 * Add what the audience sends to a message's POST body.
	 *
	 * @param {Object} message The message.
	 * @param {Object} body    The POST's body.
	 */
	addToBody( message, body ) {}

	/**
	 * A message could not be sent.
	 *
	 * @param {Object} c       The conversation it was for.
	 * @param {Object} message The message.
	 * @param {*}      error   Why it was not sent.
	 * @return {Promise<boolean>} Whether the subclass dealt with it.
	 */
	async handled( c, message, error ) {
		return false;
	}

	/**
	 * A message was refused for good (the text went back in the box).
	 *
	 * @param {Object} c     The conversation.
	 * @param {*}      error Why.
	 */
	refused( c, error ) {}

	/* eslint-enable no-unused-vars */
}
