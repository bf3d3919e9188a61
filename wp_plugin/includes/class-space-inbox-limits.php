<?php
/**
 * The limits of the inbox API, for the plugin and the browser.
 *
 * Generated from bridge/limits.py by tools/make-limits: do not edit by hand. Change the
 * limit there and run `make limits` (tests/test_limits.py fails while this file is out
 * of date).
 *
 * @package Space_Inbox
 */

if ( ! defined( 'ABSPATH' ) && ! defined( 'SPACE_INBOX_PROXY' ) ) {
	exit;
}

/**
 * Every limit of the inbox API the plugin or the browser can use, as the bridge checks it.
 */
final class Space_Inbox_Limits {

	/** The longest message, in characters (after trimming; line breaks count as one). */
	const BODY_MAX = 2000;

	/** How much of a message lists and notifications show, in characters. */
	const EXCERPT_LEN = 140;

	/** A client key, which makes a send idempotent: a UUID fits. */
	const CLIENT_KEY_PATTERN = '[A-Za-z0-9._:-]{1,64}';

	/** A client key, which makes a send idempotent: a UUID fits. */
	const CLIENT_KEY_MAX = 64;

	/** The statuses of a conversation in a Space's inbox. */
	const STATUSES = array( 'open', 'done' );

	/**
	 * The most rows a page of a list may ask for (`limit`); the default is the `PAGE_SIZE`
	 * setting.
	 */
	const PAGE_MAX = 100;

	/** The longest cursor this API gives out. */
	const CURSOR_MAX = 64;

	/** Events per signed call from the plugin. */
	const EVENTS_PER_CALL = 500;

	/** The largest team a `space.upserted` event may name. */
	const TEAM_MAX = 1000;

	/** The longest text of each field of a `space.upserted` event. */
	const SPACE_FIELD_MAX = array(
		'name'       => 255,
		'slug'       => 200,
		'url'        => 2048,
		'avatar_url' => 2048,
	);

	/**
	 * Items per page of WordPress' personal data exporter, and the highest page asked for.
	 */
	const PRIVACY_PAGE = 100;

	/**
	 * Items per page of WordPress' personal data exporter, and the highest page asked for.
	 */
	const PRIVACY_PAGE_MAX = 100000;

	/** Saved replies a Space may keep, and the longest title of one. */
	const SAVED_REPLIES_MAX = 100;

	/** Saved replies a Space may keep, and the longest title of one. */
	const SAVED_REPLY_TITLE_MAX = 100;

	/**
	 * Labels a Space may keep, the longest name of one, and the colours a label may take
	 * (the inbox draws each in its own readable light and dark pair).
	 */
	const LABELS_MAX = 50;

	/**
	 * Labels a Space may keep, the longest name of one, and the colours a label may take
	 * (the inbox draws each in its own readable light and dark pair).
	 */
	const LABEL_NAME_MAX = 40;

	/**
	 * Labels a Space may keep, the longest name of one, and the colours a label may take
	 * (the inbox draws each in its own readable light and dark pair).
	 */
	const LABEL_COLOURS = array( 'grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple', 'pink' );

	/**
	 * What a Space's record holds, as its audit names them (`read` only when asked for).
	 */
	const RECORD_ACTIONS = array( 'reply', 'away_answer', 'note', 'assign', 'label', 'labels', 'status', 'block', 'unblock', 'settings', 'answer_hidden', 'answer_shown', 'read' );

	/**
	 * Why a member reports a Space's answer to the site's moderators, and the longest note
	 * they may add.
	 */
	const REPORT_REASONS = array( 'spam', 'harassment', 'hate', 'scam', 'inappropriate', 'other' );

	/**
	 * Why a member reports a Space's answer to the site's moderators, and the longest note
	 * they may add.
	 */
	const REPORT_DETAILS_MAX = 500;

	/** The longest outcome a moderator writes when closing a report. */
	const REPORT_OUTCOME_MAX = 255;

	/**
	 * The longest Web Push endpoint a device may give (push services' are a few hundred).
	 */
	const PUSH_ENDPOINT_MAX = 2048;

	/** A device's P-256 public key, base64url (65 bytes: 87 characters), with room. */
	const PUSH_KEY_MAX = 100;

	/**
	 * A device's authentication secret, base64url (16 bytes: 22 characters), with room.
	 */
	const PUSH_AUTH_MAX = 32;

	/** The longest search query, and the most words of it searched for. */
	const SEARCH_QUERY_MAX = 100;

	/** The longest search query, and the most words of it searched for. */
	const SEARCH_WORDS_MAX = 8;

	/** Seconds an admin counts as typing after their page last said so. */
	const TYPING_SECONDS = 8;

	/**
	 * Seconds an admin counts as viewing a conversation after their page last said so
	 * (pages say so every third of it), and seconds their answering claims it after their
	 * last keystroke, unless they send or leave first.
	 */
	const VIEWING_SECONDS = 45;

	/**
	 * Seconds an admin counts as viewing a conversation after their page last said so
	 * (pages say so every third of it), and seconds their answering claims it after their
	 * last keystroke, unless they send or leave first.
	 */
	const CLAIM_SECONDS = 180;

	/**
	 * Seconds an admin counts as present in a Space's inbox after their page last said so
	 * (a page with the team's inbox says so every quarter of it): who new conversations
	 * are given to, in turn, where the Space asks for it.
	 */
	const HERE_SECONDS = 120;

	/**
	 * What "Typically replies within ..." may say (a preset, or what the figures show).
	 */
	const REPLY_TIMES = array( 'minutes', 'hour', 'hours', 'day' );

	/** The days of weekly opening hours, and the opening intervals a day may have. */
	const WEEKDAYS = array( 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' );

	/** The days of weekly opening hours, and the opening intervals a day may have. */
	const INTERVALS_PER_DAY = 3;

	/**
	 * The largest request body the bridge reads, in bytes (its default
	 * `MAX_CONTENT_LENGTH`), and the largest the plugin's proxy forwards.
	 */
	const REQUEST_BODY_MAX = 262144;

	/**
	 * Seconds a signed call's timestamp may be off the receiver's clock, either way (the
	 * bridge's default `SIGNATURE_MAX_SKEW`, and the plugin's for the bridge's calls).
	 */
	const SIGNATURE_MAX_SKEW = 300;

	/** Seconds the plugin and its proxy wait for the bridge. */
	const CALL_TIMEOUT = 5;

	/** Seconds a page being drawn waits for the bridge (a Space's reply time). */
	const PAGE_TIMEOUT = 2;

	/** A time of day in opening hours, "HH:MM", "24:00" ending the day. */
	const CLOCK_PATTERN = '(?:[01]\\d|2[0-3]):[0-5]\\d|24:00';
}
