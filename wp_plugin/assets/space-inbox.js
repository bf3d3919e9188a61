/**
 * Space Inbox: the front end, one plain ES module (no build step, no dependencies).
 *
 * Modes, one per container the plugin renders:
 * - `<div data-space-inbox="member">`: the member's conversations with Spaces;
 * - `<div data-space-inbox="admin" data-space-inbox-spaces='[{"id","name"}]'>`: a Space's
 *   shared inbox in wp-admin, with the audit label under every Space answer;
 * - no container ("badge"): only the unread badges of the toolbar and header links.
 *
 * Configuration, set by PHP before this module runs: `window.spaceInboxConfig` =
 * `{ apiBase, mode: "direct"|"proxy", nonce, inboxUrl, adminUrl, locale, maxLength,
 * pollMs, i18n: {key: text} }`. apiBase ends in "/" and the API path is appended to it
 * (".../api/v1/" in direct mode, the REST proxy route in proxy mode).
 *
 * Every piece of user text is written with textContent (through `h()` below), never as
 * HTML.
 *
 * @module space-inbox
 */

const config = window.spaceInboxConfig || {};
const MAX_LENGTH = Number(config.maxLength) || 2000;
const POLL_MS = Math.max(2000, Number(config.pollMs) || 4000);
const MAX_BACKOFF_MS = 60000;

/** English fallbacks, for strings PHP did not hand over. */
const FALLBACK = {
  conversations: 'Conversations',
  noConversations: 'No conversations yet.',
  noSpaceConvs: 'No conversations here.',
  pickConversation: 'Pick a conversation to read it.',
  loading: 'Loading…',
  loadOlder: 'Load older messages',
  loadMore: 'Load more conversations',
  back: 'Back to conversations',
  you: 'You',
  youExcerpt: 'You: %s',
  byline: '%1$s · %2$s',
  sentBy: 'sent by %1$s · %2$s',
  messageTo: 'Message to %s',
  replyAs: 'Reply as %s',
  send: 'Send',
  sending: 'Sending…',
  notSent: 'Not sent.',
  retry: 'Try again',
  sendHint: 'Press Ctrl+Enter (⌘+Enter on a Mac) to send.',
  charsLeft: '%s characters left',
  charsOver: '%s characters too many',
  empty: 'Write a message first.',
  sent: 'Message sent.',
  unread: '%s unread',
  space: 'Space',
  show: 'Show',
  statusOpen: 'Open',
  statusDone: 'Done',
  statusAll: 'All',
  markDone: 'Mark done',
  reopen: 'Reopen',
  block: 'Block this member',
  unblock: 'Unblock this member',
  blocked: 'Member blocked: the Space takes no more messages from them.',
  unblocked: 'Member unblocked.',
  markedDone: 'Conversation marked done.',
  reopened: 'Conversation reopened.',
  noSpaces: 'You do not administer any Space yet.',
  readOnly: 'You can read this inbox as a site administrator, but only the Space’s team can answer.',
  notAccepting: 'This Space no longer takes messages.',
  networkError: 'The inbox cannot be reached right now. We will keep trying.',
  genericError: 'Something went wrong. Please try again.',
  loggedOut: 'You are logged out. Log in again to see your messages.',
  badNonce: 'This page has expired. Reload it to continue.',
  tooFast: 'Too many messages at once. Try again in %s seconds.',
  spaceMessages: 'Space Messages',
  deletedMember: 'Deleted user',
  noMessages: 'No messages yet. Ask away.',
};

// -- small helpers -----------------------------------------------------------------------

/**
 * A translated string with printf-style `%s` / `%1$s` placeholders filled in.
 *
 * @param {string} key  Key in config.i18n.
 * @param {...*}   args Values for the placeholders.
 * @returns {string}
 */
function t(key, ...args) {
  const text = (config.i18n && config.i18n[key]) || FALLBACK[key] || key;
  let next = 0;
  return text.replace(/%(?:(\d+)\$)?s/g, (_, position) =>
    String(position ? args[Number(position) - 1] : args[next++]),
  );
}

let numberFormat;
let dateFormat;
let timeFormat;
try {
  numberFormat = new Intl.NumberFormat(config.locale || undefined);
  dateFormat = new Intl.DateTimeFormat(config.locale || undefined, { dateStyle: 'medium', timeStyle: 'short' });
  timeFormat = new Intl.DateTimeFormat(config.locale || undefined, { timeStyle: 'short' });
} catch {
  numberFormat = new Intl.NumberFormat();
  dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
}

/** @param {number} n @returns {string} */
const num = (n) => numberFormat.format(n);

/**
 * Parse the API's ISO 8601 time (microseconds are cut to milliseconds for every engine).
 *
 * @param {string} iso
 * @returns {Date|null}
 */
function parseTime(iso) {
  if (!iso) return null;
  const when = new Date(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(when.getTime()) ? null : when;
}

/**
 * A short local time: the time of day for today, else date and time.
 *
 * @param {string} iso
 * @returns {string}
 */
function shortTime(iso) {
  const when = parseTime(iso);
  if (!when) return '';
  return when.toDateString() === new Date().toDateString() ? timeFormat.format(when) : dateFormat.format(when);
}

/**
 * Create an element. Strings among the children become text nodes, never markup.
 *
 * @param {string} tag
 * @param {Object} [props] class, text, on<event>, or attributes (true = present, null/false = absent).
 * @param {...(Node|string|null|false|Array)} children
 * @returns {HTMLElement}
 */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** A <time> element. @param {string} iso @returns {HTMLElement} */
const timeEl = (iso) => h('time', { datetime: iso || null, text: shortTime(iso) });

/**
 * A count badge: the number for the eye, "N unread" for screen readers.
 *
 * @param {HTMLElement} badge
 * @param {number} count
 */
function setBadge(badge, count) {
  badge.hidden = !(count > 0);
  badge.replaceChildren(
    h('span', { 'aria-hidden': 'true', text: count > 0 ? num(count) : '' }),
    h('span', { class: 'space-inbox-sr', text: count > 0 ? ` ${t('unread', num(count))}` : '' }),
  );
}

/** @returns {string} A UUID v4, also where crypto.randomUUID is missing (plain http). */
function newClientKey() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** @param {string} text @returns {number} Characters as the bridge counts them (code points). */
const charCount = (text) => [...text.trim()].length;

/**
 * Read a positive integer from the page's query string.
 *
 * @param {string} name
 * @returns {number}
 */
function queryId(name) {
  const value = Number(new URLSearchParams(window.location.search).get(name));
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * Put values in the page's query string without reloading (so a reload keeps the view).
 *
 * @param {Object<string, number|null>} values
 */
function setQuery(values) {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value) url.searchParams.set(key, String(value));
    else url.searchParams.delete(key);
  }
  window.history.replaceState(window.history.state, '', url);
}

// -- the API -----------------------------------------------------------------------------

/** An error answer of the API ({code, message}), or a network failure (status 0). */
class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 for a network failure.
   * @param {string} code   The API's error code.
   * @param {string} message
   * @param {number} [retryAfter] Seconds, from Retry-After.
   */
  constructor(status, code, message, retryAfter = 0) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** @returns {boolean} Whether trying the same request again later may work. */
  get transient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  /** @returns {string} What to tell the user. */
  get userMessage() {
    if (this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504) return t('networkError');
    if (this.code === 'not_logged_in' || this.status === 401) return t('loggedOut');
    if (this.code === 'invalid_nonce' || this.code === 'rest_cookie_invalid_nonce') return t('badNonce');
    if (this.status === 429) return t('tooFast', num(this.retryAfter || 5));
    return this.message || t('genericError');
  }
}

/**
 * Call the bridge (directly, or through the plugin's REST proxy).
 *
 * @param {string} path   Path under /api/v1/, without a query string, e.g. "me/summary".
 * @param {Object} [options]
 * @param {string} [options.method]
 * @param {Object} [options.query]  Query parameters; empty values are left out.
 * @param {*}      [options.body]   JSON body.
 * @param {string} [options.etag]   Sent as If-None-Match.
 * @returns {Promise<{status: number, data: *, etag: (string|null)}>}
 * @throws {ApiError}
 */
async function api(path, { method = 'GET', query = null, body, etag = null } = {}) {
  let url = config.apiBase + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    // With plain permalinks the REST base is "...?rest_route=/...": add with "&".
    if (search) url += (url.includes('?') ? '&' : '?') + search;
  }
  const headers = { Accept: 'application/json' };
  if (config.nonce) headers['X-WP-Nonce'] = config.nonce;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-None-Match'] = etag;

  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', t('networkError'));
  }
  const fresh = response.headers.get('X-WP-Nonce');
  if (fresh) config.nonce = fresh; // WordPress hands a refreshed nonce to the proxy's callers.
  if (response.status === 304) return { status: 304, data: null, etag };

  let data = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const isError = data && typeof data === 'object' && typeof data.code === 'string';
    throw new ApiError(
      response.status,
      isError ? data.code : `http_${response.status}`,
      isError && typeof data.message === 'string' ? data.message : t('genericError'),
      Number(response.headers.get('Retry-After')) || 0,
    );
  }
  return { status: response.status, data, etag: response.headers.get('ETag') };
}

// -- the summary poll: badges, and freshness of open inboxes -------------------------------

/**
 * Polls GET me/summary with If-None-Match every few seconds while the page is visible (and
 * at once when it comes back into view), updates every badge, and tells subscribers.
 */
const summary = {
  /** @type {Object|null} The last summary. */
  data: null,
  etag: null,
  failures: 0,
  stopped: false,
  timer: 0,
  /** @type {Promise|null} */
  inflight: null,
  /** @type {Set<function(Object): void>} */
  listeners: new Set(),

  /** @param {function(Object): void} listener Called with each new summary. */
  subscribe(listener) {
    this.listeners.add(listener);
  },

  /** @returns {Promise<Object|null>} The summary, fetched now (or the fetch under way). */
  poll() {
    if (this.stopped) return Promise.resolve(this.data);
    if (!this.inflight) {
      this.inflight = this.fetch().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  },

  async fetch() {
    let delay = POLL_MS;
    try {
      const { status, data, etag } = await api('me/summary', { etag: this.etag });
      this.failures = 0;
      if (status === 200 && data) {
        this.etag = etag;
        this.data = data;
        updateBadges(data);
        for (const listener of this.listeners) listener(data);
      }
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.stopped = true; // Logged out, or the page's nonce died: stop knocking.
        updateBadges(null);
      } else {
        // The bridge is down or busy: back off, and honour Retry-After.
        this.failures += 1;
        delay = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** this.failures);
        delay = Math.max(delay, ((error && error.retryAfter) || 0) * 1000);
      }
    }
    this.schedule(delay);
    return this.data;
  },

  /** @param {number} delay Milliseconds until the next poll. */
  schedule(delay) {
    window.clearTimeout(this.timer);
    if (!this.stopped) {
      this.timer = window.setTimeout(() => {
        if (document.hidden) this.schedule(POLL_MS);
        else this.poll();
      }, delay);
    }
  },

  start() {
    const now = () => {
      if (!document.hidden) this.poll();
    };
    document.addEventListener('visibilitychange', now);
    window.addEventListener('focus', now);
    this.poll();
  },
};

/**
 * Fill every `[data-space-inbox-count]` badge: "total", "member" or "spaces".
 *
 * @param {Object|null} data A summary, or null to hide them.
 */
function updateBadges(data) {
  const member = data ? Number(data.unread) || 0 : 0;
  const spaces = data && Array.isArray(data.spaces) ? data.spaces.reduce((sum, s) => sum + (Number(s.unread) || 0), 0) : 0;
  const counts = { total: member + spaces, member, spaces };
  for (const badge of document.querySelectorAll('[data-space-inbox-count]')) {
    setBadge(badge, counts[badge.dataset.spaceInboxCount] || 0);
  }
  // The toolbar link leads where the unread messages are.
  const link = document.querySelector('#wp-admin-bar-space-inbox > a');
  if (link && config.adminUrl && config.inboxUrl) {
    link.href = member === 0 && spaces > 0 ? config.adminUrl : config.inboxUrl;
  }
}

/**
 * BuddyBoss theme header [unverified]: add a Space Messages icon with a badge beside the
 * theme's messages (or notifications) icon, where the page has one.
 */
function addHeaderLink() {
  const anchor =
    document.getElementById('header-messages-dropdown-elem') ||
    document.getElementById('header-notifications-dropdown-elem');
  if (!anchor || !config.inboxUrl || document.querySelector('.space-inbox-header-link')) return;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M3 5h18v14H3zM3 6l9 7 9-7');
  svg.append(path);
  const badge = h('span', { class: 'count space-inbox-badge', 'data-space-inbox-count': 'total', hidden: true });
  anchor.after(
    h(
      'div',
      { class: 'space-inbox-header-link notification-wrap' },
      h('a', { href: config.inboxUrl, class: 'notification-link', title: t('spaceMessages') }, svg, h('span', { class: 'space-inbox-sr', text: t('spaceMessages') }), badge),
    ),
  );
  if (summary.data) updateBadges(summary.data);
}

// -- the inbox (member and admin mode) ---------------------------------------------------

/**
 * One inbox on the page: the conversation list, the open conversation and its reply box.
 */
class Inbox {
  /**
   * @param {HTMLElement} root The container PHP rendered.
   * @param {'member'|'admin'} mode
   */
  constructor(root, mode) {
    this.root = root;
    this.admin = mode === 'admin';
    this.uid = `space-inbox-${Inbox.count++}`;

    /** Admin mode: the Spaces offered ({id, name, unread}); member mode: unused. */
    this.spaces = [];
    if (this.admin) {
      try {
        const given = JSON.parse(root.dataset.spaceInboxSpaces || '[]');
        this.spaces = Array.isArray(given) ? given.map((s) => ({ id: Number(s.id), name: String(s.name), unread: 0 })) : [];
      } catch {
        this.spaces = [];
      }
    }
    /** Ids of the Spaces whose team the user is on, per the bridge (null: not known yet). */
    this.team = null;
    this.spaceId = 0;
    this.statusFilter = 'open';

    this.items = []; // Rows of the conversation list.
    this.nextCursor = null;
    /** The open conversation, or null. */
    this.current = null;
    this.listLoad = 0; // Guards against out-of-order list answers.
    this.listFailed = false;
    this.threadLoad = 0;
    this.seenSummary = false;
    this.scrolledOnce = false;
    /** Unsent text per conversation, kept while switching. */
    this.drafts = new Map();

    this.build();
  }

  // ---- layout ----

  build() {
    const id = this.uid;
    this.status = h('div', { class: 'space-inbox__status', role: 'status', 'aria-live': 'polite' });

    this.toolbar = null;
    if (this.admin) {
      this.spaceSelect = h('select', { id: `${id}-space`, onchange: () => this.selectSpace(Number(this.spaceSelect.value)) });
      this.filterSelect = h(
        'select',
        { id: `${id}-filter`, onchange: () => { this.statusFilter = this.filterSelect.value; this.loadList(); } },
        h('option', { value: 'open', text: t('statusOpen') }),
        h('option', { value: 'done', text: t('statusDone') }),
        h('option', { value: '', text: t('statusAll') }),
      );
      this.toolbar = h(
        'div',
        { class: 'space-inbox__toolbar' },
        h('div', { class: 'space-inbox__field' }, h('label', { for: `${id}-space`, text: t('space') }), this.spaceSelect),
        h('div', { class: 'space-inbox__field' }, h('label', { for: `${id}-filter`, text: t('show') }), this.filterSelect),
      );
    }

    this.list = h('ul', { class: 'space-inbox__list-items', 'aria-labelledby': `${id}-list-title` });
    this.moreButton = h('button', { type: 'button', class: 'space-inbox__more button', hidden: true, text: t('loadMore'), onclick: () => this.loadList(true) });
    this.listPane = h(
      'section',
      { class: 'space-inbox__list' },
      h('h2', { id: `${id}-list-title`, class: 'space-inbox__heading', text: t('conversations') }),
      this.list,
      this.moreButton,
    );

    this.backButton = h('button', { type: 'button', class: 'space-inbox__back button-link', text: `← ${t('back')}`, onclick: () => this.closeThread() });
    this.threadTitle = h('h2', { id: `${id}-thread-title`, class: 'space-inbox__heading', tabindex: '-1' });
    this.statusButton = h('button', { type: 'button', class: 'button space-inbox__status-button', hidden: true, onclick: () => this.toggleStatus() });
    this.blockButton = h('button', { type: 'button', class: 'button space-inbox__block-button', hidden: true, onclick: () => this.toggleBlock() });
    this.notice = h('p', { class: 'space-inbox__notice', hidden: true });
    this.olderButton = h('button', { type: 'button', class: 'space-inbox__older button-link', hidden: true, text: t('loadOlder'), onclick: () => this.loadOlder() });
    this.log = h('ol', { class: 'space-inbox__messages', role: 'log', 'aria-live': 'polite', 'aria-labelledby': `${id}-thread-title`, tabindex: '0' });
    this.placeholder = h('p', { class: 'space-inbox__placeholder', text: t('pickConversation') });

    this.textarea = h('textarea', {
      id: `${id}-body`,
      rows: '3',
      'aria-describedby': `${id}-count ${id}-hint`,
      onkeydown: (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.send();
        }
      },
      oninput: () => this.updateCounter(),
    });
    this.composeLabel = h('label', { for: `${id}-body`, class: 'space-inbox__compose-label' });
    this.counter = h('span', { id: `${id}-count`, class: 'space-inbox__counter' });
    this.sendButton = h('button', { type: 'submit', class: 'button button-primary space-inbox__send', text: t('send') });
    this.compose = h(
      'form',
      { class: 'space-inbox__compose', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.composeLabel,
      this.textarea,
      h(
        'div',
        { class: 'space-inbox__compose-meta' },
        h('span', { id: `${id}-hint`, class: 'space-inbox__hint', text: t('sendHint') }),
        this.counter,
        this.sendButton,
      ),
    );

    this.threadPane = h(
      'section',
      { class: 'space-inbox__thread', 'aria-labelledby': `${id}-thread-title` },
      (this.threadHead = h('div', { class: 'space-inbox__thread-head' }, this.backButton, this.threadTitle, this.statusButton, this.blockButton)),
      this.notice,
      this.olderButton,
      this.log,
      this.placeholder,
      this.compose,
    );

    this.root.replaceChildren(
      this.toolbar || '',
      this.status,
      h('div', { class: 'space-inbox__panes' }, this.listPane, this.threadPane),
    );
    this.root.classList.add('space-inbox--ready');
    this.showThread(false);
    this.updateCounter();
  }

  /**
   * Say something in the live region.
   *
   * @param {string} message
   * @param {'error'|'info'} [kind]
   */
  say(message, kind = 'info') {
    this.status.textContent = message;
    this.status.classList.toggle('is-error', kind === 'error');
    window.clearTimeout(this.sayTimer);
    if (kind === 'info' && message) {
      this.sayTimer = window.setTimeout(() => this.say(''), 6000);
    }
  }

  /** @param {*} error Report an error politely. */
  fail(error) {
    this.say(error instanceof ApiError ? error.userMessage : t('genericError'), 'error');
  }

  /** @param {boolean} open Whether a conversation is showing (for the narrow layout). */
  showThread(open) {
    this.root.classList.toggle('is-thread-open', open);
    this.placeholder.hidden = open;
    this.log.hidden = !open;
    this.compose.hidden = !open;
    this.backButton.hidden = !open;
    this.threadHead.hidden = !open;
    if (!open) {
      this.threadTitle.textContent = '';
      this.notice.hidden = true;
      this.olderButton.hidden = true;
      this.statusButton.hidden = true;
      this.blockButton.hidden = true;
    }
  }

  closeThread() {
    const key = this.current && this.current.key;
    if (this.current) this.drafts.set(this.current.key, this.textarea.value);
    this.current = null;
    this.threadLoad++;
    this.log.replaceChildren();
    this.showThread(false);
    setQuery(this.admin ? { conversation: null } : { space: null });
    this.renderList();
    const button = this.list.querySelector(`[data-key="${CSS.escape(String(key))}"]`);
    (button || this.listPane.querySelector('h2')).focus?.();
  }

  updateCounter() {
    const length = charCount(this.textarea.value);
    const left = MAX_LENGTH - length;
    this.counter.textContent = left >= 0 ? t('charsLeft', num(left)) : t('charsOver', num(-left));
    this.counter.classList.toggle('is-over', left < 0);
    this.counter.classList.toggle('is-near', left >= 0 && left < 100);
  }

  // ---- start ----

  async start() {
    summary.subscribe((data) => this.onSummary(data));
    if (this.admin) {
      this.say(t('loading'));
      const data = await summary.poll(); // Who is on which team, before offering replies.
      this.say('');
      if (data) this.applyAdminSummary(data);
      else if (summary.stopped) this.say(t('loggedOut'), 'error');
      this.renderSpaces();
      const wanted = queryId('space');
      const first = this.spaces.find((s) => s.id === wanted) || this.spaces.find((s) => s.unread > 0) || this.spaces[0];
      if (!first) {
        this.listPane.replaceChildren(h('p', { class: 'space-inbox__empty', text: t('noSpaces') }));
        this.threadPane.hidden = true;
        return;
      }
      await this.selectSpace(first.id, queryId('conversation'));
    } else {
      const wanted = queryId('space') || Number(this.root.dataset.spaceInboxSpace) || 0;
      await this.loadList();
      if (wanted) await this.openMember(wanted, { focus: true });
    }
  }

  // ---- summary ----

  /** @param {Object} data A new summary (something changed). */
  onSummary(data) {
    const first = !this.seenSummary;
    this.seenSummary = true;
    if (this.listFailed) {
      this.refresh(); // The bridge is back.
      return;
    }
    if (this.admin) {
      const before = this.spaces.find((s) => s.id === this.spaceId);
      const wasUnread = before ? before.unread : 0;
      this.applyAdminSummary(data);
      this.renderSpaces();
      const now = this.spaces.find((s) => s.id === this.spaceId);
      if (now && now.unread !== wasUnread) this.refresh();
    } else if (!first) {
      this.refresh(); // The first summary comes with the first load anyway.
    }
  }

  /** @param {Object} data Merge the summary's Spaces (team and unread) into the picker. */
  applyAdminSummary(data) {
    const mine = Array.isArray(data.spaces) ? data.spaces : [];
    this.team = new Set(mine.map((s) => Number(s.id)));
    for (const s of mine) {
      const known = this.spaces.find((x) => x.id === Number(s.id));
      if (known) {
        known.unread = Number(s.unread) || 0;
        known.name = String(s.name);
      } else {
        this.spaces.push({ id: Number(s.id), name: String(s.name), unread: Number(s.unread) || 0 });
      }
    }
    for (const s of this.spaces) {
      if (!this.team.has(s.id)) s.unread = 0;
    }
  }

  /** Reload the list and the open conversation (after a change elsewhere). */
  refresh() {
    this.loadList();
    if (this.current) this.loadMessages({ latest: true });
  }

  // ---- admin: Spaces ----

  renderSpaces() {
    if (!this.admin) return;
    const options = this.spaces.map((s) => {
      const label = s.unread > 0 ? `${s.name} (${t('unread', num(s.unread))})` : s.name;
      const existing = [...this.spaceSelect.options].find((o) => Number(o.value) === s.id);
      if (existing) {
        if (existing.textContent !== label) existing.textContent = label;
        return existing;
      }
      return h('option', { value: String(s.id), text: label });
    });
    if (options.length !== this.spaceSelect.options.length || options.some((o, i) => this.spaceSelect.options[i] !== o)) {
      this.spaceSelect.replaceChildren(...options);
    }
    if (this.spaceId) this.spaceSelect.value = String(this.spaceId);
  }

  /** @param {number} spaceId @returns {boolean} Whether the user may only read (oversight). */
  isReadOnly(spaceId) {
    return this.team !== null && !this.team.has(spaceId);
  }

  /**
   * @param {number} spaceId
   * @param {number} [conversationId] Open this conversation too.
   */
  async selectSpace(spaceId, conversationId = 0) {
    this.spaceId = spaceId;
    this.spaceSelect.value = String(spaceId);
    this.current = null;
    this.threadLoad++;
    this.log.replaceChildren();
    this.showThread(false);
    setQuery({ space: spaceId, conversation: conversationId || null });
    await this.loadList();
    if (conversationId) await this.openAdmin(conversationId);
  }

  /** @returns {Object|undefined} The selected Space. */
  get space() {
    return this.spaces.find((s) => s.id === this.spaceId);
  }

  // ---- the conversation list ----

  /** @param {boolean} [more] Append the next page instead of reloading. */
  async loadList(more = false) {
    const ticket = ++this.listLoad;
    const cursor = more ? this.nextCursor : null;
    try {
      const { data } = this.admin
        ? await api(`spaces/${this.spaceId}/conversations`, { query: { status: this.statusFilter, cursor } })
        : await api('me/conversations', { query: { cursor } });
      if (ticket !== this.listLoad) return;
      const rows = (data.conversations || []).map((row) => this.listItem(row));
      this.items = more ? this.items.concat(rows.filter((r) => !this.items.some((x) => x.key === r.key))) : rows;
      this.nextCursor = data.next_cursor || null;
      this.listFailed = false;
      this.renderList();
    } catch (error) {
      if (ticket === this.listLoad) {
        this.listFailed = true;
        this.fail(error);
      }
    }
  }

  /**
   * Shape a list row the same way in both modes.
   *
   * @param {Object} row An API conversation.
   * @returns {{key: number, title: string, excerpt: string, time: string, unread: number, done: boolean, row: Object}}
   */
  listItem(row) {
    const last = row.last_message;
    if (this.admin) {
      return {
        key: row.id,
        title: row.member ? row.member.name : t('deletedMember'),
        excerpt: last ? (last.from === 'space' ? t('byline', this.space ? this.space.name : t('space'), last.excerpt) : last.excerpt) : '',
        time: last ? last.created_at : row.created_at,
        unread: Number(row.unread) || 0,
        done: row.status === 'done',
        row,
      };
    }
    return {
      key: row.space.id,
      title: row.space.name,
      excerpt: last ? (last.from === 'me' ? t('youExcerpt', last.excerpt) : last.excerpt) : '',
      time: last ? last.created_at : '',
      unread: Number(row.unread) || 0,
      done: false,
      row,
    };
  }

  renderList() {
    const focusedKey = document.activeElement && this.list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const items = this.items.slice();
    // Member mode: a Space opened from its Message button shows even before the first message.
    if (this.current && !this.admin && !items.some((i) => i.key === this.current.key)) {
      items.unshift({ key: this.current.key, title: this.current.name, excerpt: '', time: '', unread: 0, done: false });
    }
    this.list.replaceChildren(
      ...items.map((item) => {
        const selected = this.current && this.current.key === item.key;
        const badge = h('span', { class: 'space-inbox-badge' });
        setBadge(badge, selected ? 0 : item.unread);
        return h(
          'li',
          { class: `space-inbox__item${item.unread && !selected ? ' is-unread' : ''}${item.done ? ' is-done' : ''}` },
          h(
            'button',
            {
              type: 'button',
              class: 'space-inbox__item-button',
              'data-key': String(item.key),
              'aria-current': selected ? 'true' : null,
              onclick: () => (this.admin ? this.openAdmin(item.key) : this.openMember(item.key)),
            },
            h('span', { class: 'space-inbox__item-top' }, h('span', { class: 'space-inbox__item-title', text: item.title }), badge),
            item.excerpt ? h('span', { class: 'space-inbox__item-excerpt', text: item.excerpt }) : '',
            h(
              'span',
              { class: 'space-inbox__item-meta' },
              item.time ? timeEl(item.time) : '',
              item.done ? h('span', { class: 'space-inbox__pill', text: t('statusDone') }) : '',
            ),
          ),
        );
      }),
    );
    if (!items.length) {
      this.list.append(h('li', { class: 'space-inbox__empty', text: this.admin ? t('noSpaceConvs') : t('noConversations') }));
    }
    this.moreButton.hidden = !this.nextCursor;
    if (focusedKey) this.list.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
  }

  // ---- a conversation ----

  /**
   * Member mode: open the conversation with a Space (it may have no messages yet).
   *
   * @param {number} spaceId
   * @param {{focus?: boolean}} [options] focus: put the cursor in the message box.
   */
  async openMember(spaceId, { focus = false } = {}) {
    const known = this.items.find((i) => i.key === spaceId);
    this.openThread({
      key: spaceId,
      spaceId,
      name: known ? known.title : '',
      accepting: known ? known.row.space.accepting_messages !== false : true,
    });
    setQuery({ space: spaceId });
    if (focus) {
      // From a Message button or ?space=: straight to writing.
      this.root.scrollIntoView?.({ block: 'nearest' });
      this.textarea.focus();
    } else {
      this.threadTitle.focus();
    }
    await this.loadMessages({ latest: true });
  }

  /**
   * Admin mode: open one of the Space's conversations.
   *
   * @param {number} conversationId
   */
  async openAdmin(conversationId) {
    const known = this.items.find((i) => i.key === conversationId);
    this.openThread({
      key: conversationId,
      spaceId: this.spaceId,
      conversationId,
      name: known ? known.title : '',
      status: known ? known.row.status : 'open',
      blocked: known ? Boolean(known.row.blocked) : false,
    });
    setQuery({ space: this.spaceId, conversation: conversationId });
    await this.loadMessages({ latest: true });
    this.threadTitle.focus();
  }

  /** @param {Object} current The conversation to show. */
  openThread(current) {
    if (this.current) this.drafts.set(this.current.key, this.textarea.value);
    this.threadLoad++;
    this.scrolledOnce = false;
    this.current = Object.assign(current, {
      messages: new Map(), // key -> message record
      nodes: new Map(), // key -> <li>
      nextBefore: null,
      unread: 0,
    });
    this.log.replaceChildren();
    this.textarea.value = this.drafts.get(current.key) || '';
    this.updateCounter();
    this.showThread(true);
    this.renderHead();
    this.renderList();
  }

  renderHead() {
    const c = this.current;
    if (!c) return;
    this.threadTitle.textContent = c.name || t('loading');
    const readOnly = this.admin && this.isReadOnly(c.spaceId);
    let notice = '';
    if (readOnly) notice = t('readOnly');
    else if (!this.admin && c.accepting === false) notice = t('notAccepting');
    this.notice.textContent = notice;
    this.notice.hidden = !notice;
    this.compose.hidden = Boolean(notice);
    this.composeLabel.textContent = this.admin ? t('replyAs', this.space ? this.space.name : t('space')) : t('messageTo', c.name || t('space'));
    this.statusButton.hidden = !this.admin || readOnly;
    if (this.admin) this.statusButton.textContent = c.status === 'done' ? t('reopen') : t('markDone');
    this.blockButton.hidden = !this.admin || readOnly;
    if (this.admin) this.blockButton.textContent = c.blocked ? t('unblock') : t('block');
  }

  /** @returns {string} API path of the open conversation's messages. */
  messagesPath() {
    const c = this.current;
    return this.admin ? `spaces/${c.spaceId}/conversations/${c.conversationId}/messages` : `me/spaces/${c.spaceId}/messages`;
  }

  /**
   * Load the newest page (merged into what is shown), or an older page.
   *
   * @param {{latest?: boolean, before?: number}} options
   */
  async loadMessages({ latest = false, before = null } = {}) {
    const c = this.current;
    if (!c) return;
    const ticket = this.threadLoad;
    try {
      const { data } = await api(this.messagesPath(), { query: { before } });
      if (ticket !== this.threadLoad || c !== this.current) return;
      if (this.admin) {
        c.status = data.status || c.status;
      } else if (data.space) {
        const renamed = c.name !== data.space.name;
        c.name = data.space.name;
        c.accepting = data.space.accepting_messages !== false;
        if (renamed) this.renderList();
      }
      if (latest && c.nextBefore === null && c.messages.size === 0) c.nextBefore = data.next_before || null;
      if (before) c.nextBefore = data.next_before || null;
      for (const m of data.messages || []) {
        c.messages.set(`m${m.id}`, { key: `m${m.id}`, ...m });
      }
      c.unread = Number(data.unread) || 0;
      this.renderHead();
      this.renderMessages({ older: Boolean(before) });
      if (latest) this.markRead();
    } catch (error) {
      if (ticket === this.threadLoad) this.fail(error);
    }
  }

  async loadOlder() {
    const c = this.current;
    if (!c || !c.nextBefore) return;
    await this.loadMessages({ before: c.nextBefore });
  }

  /** Mark the open conversation read, if it has unread messages and the page is seen. */
  async markRead() {
    const c = this.current;
    if (!c || c.unread <= 0 || document.hidden) return;
    if (this.admin && this.isReadOnly(c.spaceId)) return;
    const path = this.admin ? `spaces/${c.spaceId}/conversations/${c.conversationId}/read` : `me/spaces/${c.spaceId}/read`;
    c.unread = 0;
    try {
      await api(path, { method: 'POST' });
      const item = this.items.find((i) => i.key === c.key);
      if (item) item.unread = 0;
      this.renderList();
      summary.poll(); // The badges.
    } catch (error) {
      if (error instanceof ApiError && error.code === 'oversight_read_only') {
        this.team && this.team.delete(c.spaceId);
        this.renderHead();
      }
      // Otherwise harmless: it is tried again on the next refresh.
    }
  }

  /**
   * Show the open conversation's messages, in order; existing rows are kept in place so
   * that the live region announces only new ones.
   *
   * @param {{older?: boolean}} [options] older: keep the view where it is (a page was added above).
   */
  renderMessages({ older = false } = {}) {
    const c = this.current;
    const log = this.log;
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const fromBottom = log.scrollHeight - log.scrollTop;

    const ordered = [...c.messages.values()].sort((a, b) => {
      if (a.pending !== b.pending) return a.pending ? 1 : -1;
      if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
      return (a.id || 0) - (b.id || 0);
    });
    if (ordered.length) log.querySelector('.space-inbox__empty')?.remove();
    const wanted = new Set(ordered.map((m) => m.key));
    for (const [key, node] of c.nodes) {
      if (!wanted.has(key)) {
        node.remove();
        c.nodes.delete(key);
      }
    }
    let cursor = log.firstElementChild;
    for (const message of ordered) {
      let node = c.nodes.get(message.key);
      if (node && node.dataset.state !== (message.pending || 'sent')) {
        const fresh = this.messageNode(message);
        node.replaceWith(fresh);
        if (cursor === node) cursor = fresh;
        node = fresh;
        c.nodes.set(message.key, node);
      }
      if (!node) {
        node = this.messageNode(message);
        c.nodes.set(message.key, node);
        log.insertBefore(node, cursor);
      } else if (node === cursor) {
        cursor = cursor.nextElementSibling;
      } else {
        log.insertBefore(node, cursor);
      }
    }
    if (!ordered.length && !log.querySelector('.space-inbox__empty')) {
      log.append(h('li', { class: 'space-inbox__empty', text: t('noMessages') }));
    }
    this.olderButton.hidden = !c.nextBefore;
    if (older) log.scrollTop = log.scrollHeight - fromBottom;
    else if (nearBottom || !this.scrolledOnce) {
      log.scrollTop = log.scrollHeight;
      this.scrolledOnce = true;
    }
  }

  /**
   * One message row: the text, and who wrote it when. Members see "You" or the Space;
   * admins see the member's name, or "sent by <admin>" under a Space answer.
   *
   * @param {Object} m A message record.
   * @returns {HTMLElement}
   */
  messageNode(m) {
    const c = this.current;
    const mine = this.admin ? m.from === 'space' : m.from === 'me';
    let meta;
    if (m.pending === 'sending') {
      meta = h('span', { text: t('sending') });
    } else if (m.pending === 'failed') {
      meta = h(
        'span',
        { class: 'space-inbox__failed' },
        `${t('notSent')} `,
        h('button', { type: 'button', class: 'button-link', text: t('retry'), onclick: () => this.deliver(m) }),
      );
    } else if (this.admin && m.from === 'space') {
      const who = m.author && m.author.name ? m.author.name : t('deletedMember');
      meta = h('span', { class: 'space-inbox__audit' }, ...this.withTime('sentBy', who, m.created_at));
    } else {
      const who = this.admin ? c.name : mine ? t('you') : c.name || t('space');
      meta = h('span', {}, ...this.withTime('byline', who, m.created_at));
    }
    return h(
      'li',
      { class: `space-inbox-msg ${mine ? 'space-inbox-msg--mine' : 'space-inbox-msg--theirs'}`, 'data-state': m.pending || 'sent' },
      h('div', { class: 'space-inbox-msg__body', text: m.body }),
      h('div', { class: 'space-inbox-msg__meta' }, meta),
    );
  }

  /**
   * A "who · time" line with a real <time> element in place of the second placeholder.
   *
   * @param {string} key  'byline' or 'sentBy'.
   * @param {string} who
   * @param {string} iso
   * @returns {Array<Node|string>}
   */
  withTime(key, who, iso) {
    const marker = '\u0000';
    return t(key, who, marker)
      .split(marker)
      .flatMap((part, i) => (i === 0 ? [part] : [timeEl(iso), part]))
      .filter((part) => part !== '');
  }

  // ---- sending ----

  async send() {
    const c = this.current;
    if (!c || this.compose.hidden) return;
    const body = this.textarea.value.trim();
    const length = charCount(body);
    if (!length) {
      this.say(t('empty'), 'error');
      this.textarea.focus();
      return;
    }
    if (length > MAX_LENGTH) {
      this.say(t('charsOver', num(length - MAX_LENGTH)), 'error');
      this.textarea.focus();
      return;
    }
    const clientKey = newClientKey();
    const message = {
      key: `k${clientKey}`,
      client_key: clientKey,
      from: this.admin ? 'space' : 'me',
      body,
      created_at: new Date().toISOString(),
      pending: 'sending',
    };
    c.messages.set(message.key, message);
    this.textarea.value = '';
    this.drafts.delete(c.key);
    this.updateCounter();
    this.scrolledOnce = false; // Show the new message at the bottom.
    this.renderMessages();
    this.textarea.focus();
    await this.deliver(message);
  }

  /**
   * POST a message; a retry reuses its client key, so it is never stored twice.
   *
   * @param {Object} message A pending message record.
   */
  async deliver(message) {
    const c = this.current;
    if (!c || !c.messages.has(message.key)) return;
    message.pending = 'sending';
    this.renderMessages();
    const path = this.admin ? `spaces/${c.spaceId}/conversations/${c.conversationId}/messages` : `me/spaces/${c.spaceId}/messages`;
    try {
      const { data } = await api(path, { method: 'POST', body: { body: message.body, client_key: message.client_key } });
      c.messages.delete(message.key);
      const key = `m${data.id}`;
      const node = c.nodes.get(message.key);
      c.nodes.delete(message.key);
      if (c.messages.has(key)) {
        node?.remove(); // A refresh brought it in already.
      } else if (node) {
        c.nodes.set(key, node); // Keep the row; renderMessages() redraws it as sent.
      }
      c.messages.set(key, { key, ...data });
      if (c === this.current) {
        this.renderMessages();
        this.say(t('sent'));
      }
      this.loadList();
    } catch (error) {
      if (error instanceof ApiError && error.transient) {
        message.pending = 'failed'; // Kept with its client key for "Try again".
      } else {
        // Refused for good (too long, Space gone, not allowed...): give the text back.
        c.messages.delete(message.key);
        if (c === this.current && !this.textarea.value) {
          this.textarea.value = message.body;
          this.updateCounter();
        }
        if (error instanceof ApiError && error.code === 'oversight_read_only' && this.team) {
          this.team.delete(c.spaceId);
        }
        if (error instanceof ApiError && ['space_deleted', 'blocked_by_space'].includes(error.code)) c.accepting = false;
        this.renderHead();
      }
      if (c === this.current) this.renderMessages();
      this.fail(error);
    }
  }

  async toggleStatus() {
    const c = this.current;
    if (!c || !this.admin) return;
    const status = c.status === 'done' ? 'open' : 'done';
    this.statusButton.disabled = true;
    try {
      const { data } = await api(`spaces/${c.spaceId}/conversations/${c.conversationId}/status`, { method: 'POST', body: { status } });
      c.status = data.status;
      this.renderHead();
      this.say(data.status === 'done' ? t('markedDone') : t('reopened'));
      await this.loadList();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'oversight_read_only' && this.team) {
        this.team.delete(c.spaceId);
        this.renderHead();
      }
      this.fail(error);
    } finally {
      this.statusButton.disabled = false;
      this.statusButton.focus();
    }
  }

  async toggleBlock() {
    const c = this.current;
    if (!c || !this.admin) return;
    this.blockButton.disabled = true;
    try {
      const { data } = await api(`spaces/${c.spaceId}/conversations/${c.conversationId}/block`, { method: 'POST', body: { blocked: !c.blocked } });
      c.blocked = data.blocked;
      this.renderHead();
      this.say(data.blocked ? t('blocked') : t('unblocked'));
      await this.loadList();
    } catch (error) {
      this.fail(error);
    } finally {
      this.blockButton.disabled = false;
      this.blockButton.focus();
    }
  }
}
Inbox.count = 0;

// -- start -------------------------------------------------------------------------------

/** Mount every inbox on the page, wire the Message buttons, and start the poll. */
function main() {
  if (!config.apiBase) return; // Logged out: PHP hands no configuration.
  const inboxes = [];
  for (const root of document.querySelectorAll('[data-space-inbox]')) {
    if (root.dataset.spaceInboxMounted) continue;
    root.dataset.spaceInboxMounted = '1';
    const mode = root.dataset.spaceInbox === 'admin' ? 'admin' : 'member';
    const inbox = new Inbox(root, mode);
    inboxes.push(inbox);
    inbox.start().catch((error) => inbox.fail(error));
  }

  // A Message button on a page that has the member inbox opens the Space right here;
  // elsewhere it is a plain link to the inbox page (?space=<id>), which does the same.
  const member = inboxes.find((i) => !i.admin);
  if (member) {
    document.addEventListener('click', (event) => {
      const button = event.target.closest && event.target.closest('[data-space-inbox-open]');
      if (!button || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      member.openMember(Number(button.dataset.spaceInboxOpen), { focus: true });
    });
  }

  addHeaderLink();
  // Nothing on this page shows a count (toolbar hidden, no inbox): no need to poll.
  if (!inboxes.length && !document.querySelector('[data-space-inbox-count]')) return;
  // Inboxes start the poll themselves (the admin one waits for it); badges-only pages here.
  summary.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();

export { t, api, ApiError, summary, Inbox };
