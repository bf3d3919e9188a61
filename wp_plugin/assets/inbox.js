/**
 * Space Inbox: the inbox, only on pages that show one (the inbox page, the profile tab,
 * the wp-admin screen).
 *
 * Containers the plugin renders:
 * - `<div data-space-inbox="front">`: the front-end inbox. A member sees their
 *   conversations with Spaces; a Space admin also switches to each of their Spaces' team
 *   inbox (`?team=<space id>`), the way a Page admin switches to the Page;
 * - `<div data-space-inbox="member">`: the member's conversations only;
 * - `<div data-space-inbox="admin" data-space-inbox-spaces='[{"id","name"}]'>`: the
 *   wp-admin screen, with a Space picker (site administrators read every Space).
 *
 * The Space admins' views carry the audit label under every Space answer ("sent by NAME ·
 * time"); the member's never do (the member API has no author to show). A team inbox also
 * has the team's tools (team.js): "Someone on your team is replying…" while another admin
 * types in the open conversation, saved replies in the composer, a question before an
 * answer goes out when a teammate answered meanwhile, and a Dashboard view beside the
 * conversations (figures, away settings, saved replies). A member's inbox shows how fast
 * the Space typically replies.
 *
 * It builds on the badge module (the API client and the summary poll) and the team module,
 * imported from the same folder with the same version query, so the page holds one
 * instance of each.
 *
 * @module space-inbox/inbox
 */

const { __, sprintf } = window.wp.i18n;
const { config, num, h, setBadge, counts, api, ApiError, summary, parseTime, duration } = await import(
  new URL(`badge.js${new URL(import.meta.url).search}`, import.meta.url).href
);
const { TypingMarks, TypingWatch, SavedReplies, ReplyPicker, Dashboard, fillReplyTime, replyTimeOf } = await import(
  new URL(`team.js${new URL(import.meta.url).search}`, import.meta.url).href
);

// The longest message the bridge takes: PHP always puts it in the configuration
// (Space_Inbox_Limits::BODY_MAX, generated from the bridge's own limits).
const MAX_LENGTH = Number(config.maxLength);

// -- small helpers -----------------------------------------------------------------------

/**
 * A Space's picture (its logo, from the site), or '' for none or for anything but a web URL.
 *
 * @param {string|null|undefined} url
 * @returns {HTMLImageElement|string}
 */
function picture(url) {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return h('img', { class: 'space-inbox__picture', src: url, alt: '', width: '24', height: '24', loading: 'lazy' });
}

let dateFormat;
let timeFormat;
try {
  dateFormat = new Intl.DateTimeFormat(config.locale || undefined, { dateStyle: 'medium', timeStyle: 'short' });
  timeFormat = new Intl.DateTimeFormat(config.locale || undefined, { timeStyle: 'short' });
} catch {
  dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
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

/** A <time> element. @param {string} iso @returns {HTMLElement} */
const timeEl = (iso) => h('time', { datetime: iso || null, text: shortTime(iso) });

/**
 * A "who · time" line with a real <time> element in place of the second placeholder.
 *
 * @param {string} format A translated format with %1$s (who) and %2$s (when).
 * @param {string} who
 * @param {string} iso
 * @returns {Array<Node|string>}
 */
function withTime(format, who, iso) {
  const marker = '\u0000';
  return sprintf(format, who, marker)
    .split(marker)
    .flatMap((part, i) => (i === 0 ? [part] : [timeEl(iso), part]))
    .filter((part) => part !== '');
}

/**
 * The team's response line of a conversation: how long the first answer took, or how
 * long the member has been waiting.
 *
 * @param {Object} row An admin-side API conversation.
 * @returns {string}
 */
function responseLine(row) {
  const first = parseTime(row.first_message_at);
  const answered = parseTime(row.first_response_at);
  const waiting = parseTime(row.awaiting_since);
  if (waiting) {
    /* translators: %s: a span of time, e.g. "12 min". */
    return sprintf(__('Waiting %s', 'space-inbox'), duration(Date.now() - waiting.getTime()));
  }
  if (first && answered) {
    /* translators: %s: a span of time, e.g. "12 min". */
    return sprintf(__('First answer in %s', 'space-inbox'), duration(answered.getTime() - first.getTime()));
  }
  return '';
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
 * @param {Object<string, number|string|null>} values
 */
function setQuery(values) {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value) url.searchParams.set(key, String(value));
    else url.searchParams.delete(key);
  }
  window.history.replaceState(window.history.state, '', url);
}

// -- the inbox (member and admin mode) ---------------------------------------------------

/**
 * One inbox on the page: the conversation list, the open conversation and its reply box.
 */
class Inbox {
  /**
   * @param {HTMLElement} root The container to fill.
   * @param {'member'|'admin'} mode
   * @param {Object} [options]
   * @param {number} [options.spaceId] Admin mode: show this Space's inbox only, with no
   *   Space picker (the front end's team view, `?team=<id>`).
   */
  constructor(root, mode, { spaceId = 0 } = {}) {
    this.root = root;
    this.admin = mode === 'admin';
    this.uid = `space-inbox-${Inbox.count++}`;
    /** The front end's team view: one Space, chosen by the switcher. */
    this.fixed = this.admin && spaceId > 0;
    /** The query parameter that names the Space in view. */
    this.spaceParam = this.fixed ? 'team' : 'space';
    this.unsubscribe = null;

    /** Admin mode: the Spaces offered ({id, name, unread}); member mode: unused. */
    this.spaces = [];
    if (this.fixed) {
      this.spaces = [{ id: spaceId, name: '', unread: 0 }];
    } else if (this.admin) {
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
    // Admin mode: per conversation, the newest message on screen when the draft began.
    this.draftSeen = new Map();
    /** Admin mode: "inbox" (the conversations) or "dashboard". */
    this.view = 'inbox';
    /** Admin mode: the answers on their way, one after the other (each says what it saw). */
    this.delivering = Promise.resolve();
    /** Admin mode: the answer held back because a teammate answered meanwhile. */
    this.held = null;

    this.build();
  }

  // ---- layout ----

  build() {
    const id = this.uid;
    this.status = h('div', { class: 'space-inbox__status', role: 'status', 'aria-live': 'polite' });

    this.toolbar = null;
    if (this.admin) {
      this.spaceSelect = this.fixed ? null : h('select', { id: `${id}-space`, onchange: () => this.selectSpace(Number(this.spaceSelect.value)) });
      this.filterSelect = h(
        'select',
        { id: `${id}-filter`, onchange: () => { this.statusFilter = this.filterSelect.value; this.loadList(); } },
        h('option', { value: 'open', text: __('Open', 'space-inbox') }),
        h('option', { value: 'done', text: __('Done', 'space-inbox') }),
        h('option', { value: '', text: __('All', 'space-inbox') }),
      );
      this.filterField = h('div', { class: 'space-inbox__field' }, h('label', { for: `${id}-filter`, text: __('Show', 'space-inbox') }), this.filterSelect);
      this.viewButtons = {
        inbox: h('button', { type: 'button', class: 'space-inbox__view-button', 'aria-pressed': 'true', text: __('Conversations', 'space-inbox'), onclick: () => this.showView('inbox') }),
        dashboard: h('button', { type: 'button', class: 'space-inbox__view-button', 'aria-pressed': 'false', text: __('Dashboard', 'space-inbox'), onclick: () => this.showView('dashboard') }),
      };
      this.toolbar = h(
        'div',
        { class: 'space-inbox__toolbar' },
        this.spaceSelect && h('div', { class: 'space-inbox__field' }, h('label', { for: `${id}-space`, text: __('Space', 'space-inbox') }), this.spaceSelect),
        h('div', { class: 'space-inbox__views', role: 'group', 'aria-label': __('View', 'space-inbox') }, this.viewButtons.inbox, this.viewButtons.dashboard),
        this.filterField,
      );
    }

    this.list = h('ul', { class: 'space-inbox__list-items', 'aria-labelledby': `${id}-list-title` });
    this.moreButton = h('button', { type: 'button', class: 'space-inbox__more button', hidden: true, text: __('Load more conversations', 'space-inbox'), onclick: () => this.loadList(true) });
    this.listPane = h(
      'section',
      { class: 'space-inbox__list' },
      h('h2', { id: `${id}-list-title`, class: 'space-inbox__heading', text: __('Conversations', 'space-inbox') }),
      this.list,
      this.moreButton,
    );

    this.backButton = h('button', { type: 'button', class: 'space-inbox__back button-link', text: `← ${__('Back to conversations', 'space-inbox')}`, onclick: () => this.closeThread() });
    this.threadTitle = h('h2', { id: `${id}-thread-title`, class: 'space-inbox__heading', tabindex: '-1' });
    this.threadPicture = h('img', { class: 'space-inbox__picture', alt: '', width: '32', height: '32', hidden: true });
    this.statusButton = h('button', { type: 'button', class: 'button space-inbox__status-button', hidden: true, onclick: () => this.toggleStatus() });
    this.blockButton = h('button', { type: 'button', class: 'button space-inbox__block-button', hidden: true, onclick: () => this.toggleBlock() });
    this.notice = h('p', { class: 'space-inbox__notice', hidden: true });
    this.olderButton = h('button', { type: 'button', class: 'space-inbox__older button-link', hidden: true, text: __('Load older messages', 'space-inbox'), onclick: () => this.loadOlder() });
    this.log = h('ol', { class: 'space-inbox__messages', role: 'log', 'aria-live': 'polite', 'aria-labelledby': `${id}-thread-title`, tabindex: '0' });
    this.placeholder = h('p', { class: 'space-inbox__placeholder', text: __('Pick a conversation to read it.', 'space-inbox') });

    this.textarea = h('textarea', {
      id: `${id}-body`,
      rows: '3',
      'aria-describedby': `${id}-count ${id}-hint`,
      onkeydown: (e) => {
        if (this.picker && this.picker.onComposerKey(e)) return;
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          this.send();
        }
      },
      oninput: () => {
        this.noteDraftStart();
        this.updateCounter();
        if (this.picker) this.picker.onComposerInput();
        if (this.marks) this.marks.typed(this.textarea.value);
      },
      onblur: () => this.marks && this.marks.stop(),
    });
    this.composeLabel = h('label', { for: `${id}-body`, class: 'space-inbox__compose-label' });
    this.counter = h('span', { id: `${id}-count`, class: 'space-inbox__counter' });
    this.sendButton = h('button', { type: 'submit', class: 'button button-primary space-inbox__send', text: __('Send', 'space-inbox') });
    this.buildTeamTools();
    this.compose = h(
      'form',
      { class: 'space-inbox__compose', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.confirmBox || '',
      this.picker ? this.picker.panel : '',
      this.composeLabel,
      this.textarea,
      h(
        'div',
        { class: 'space-inbox__compose-meta' },
        h('span', { id: `${id}-hint`, class: 'space-inbox__hint', text: this.admin ? __('Press Ctrl+Enter (⌘+Enter on a Mac) to send; type / to insert a saved reply.', 'space-inbox') : __('Press Ctrl+Enter (⌘+Enter on a Mac) to send.', 'space-inbox') }),
        this.counter,
        this.picker ? this.picker.button : '',
        this.sendButton,
      ),
    );

    // Member mode: how fast the Space typically replies, under its name.
    this.replyTime = this.admin ? null : h('p', { class: 'space-inbox-reply-time space-inbox__reply-time', hidden: true });
    this.threadPane = h(
      'section',
      { class: 'space-inbox__thread', 'aria-labelledby': `${id}-thread-title` },
      (this.threadHead = h('div', { class: 'space-inbox__thread-head' }, this.backButton, this.threadPicture, this.threadTitle, this.replyTime || '', this.statusButton, this.blockButton)),
      this.notice,
      this.olderButton,
      this.log,
      this.placeholder,
      this.typingNotice || '',
      this.compose,
    );

    this.panes = h('div', { class: 'space-inbox__panes' }, this.listPane, this.threadPane);
    this.root.replaceChildren(
      this.toolbar || '',
      this.status,
      this.panes,
      this.dashboard ? this.dashboard.root : '',
    );
    this.root.classList.add('space-inbox--ready');
    this.showThread(false);
    this.updateCounter();
  }

  /**
   * Admin mode: the team's tools (team.js): typing marks and the notice of a teammate
   * typing, the saved replies list, the question when a teammate answered meanwhile, the
   * dashboard. A member's inbox has none of them.
   */
  buildTeamTools() {
    this.typingNotice = null;
    this.picker = null;
    this.confirmBox = null;
    this.dashboard = null;
    this.marks = null;
    this.watch = null;
    if (!this.admin) return;
    const id = this.uid;
    this.typingNotice = h('p', { class: 'space-inbox__typing', 'aria-live': 'polite' });
    this.marks = new TypingMarks();
    this.watch = new TypingWatch((typing) => {
      this.typingNotice.textContent = typing ? __('Someone on your team is replying…', 'space-inbox') : '';
    });
    this.store = new SavedReplies();
    this.picker = new ReplyPicker({
      textarea: this.textarea,
      store: this.store,
      spaceId: () => this.spaceId,
      onManage: () => {
        this.showView('dashboard');
        this.dashboard.focusReplies();
      },
      uid: id,
    });
    this.confirmBox = h(
      'div',
      {
        class: 'space-inbox__confirm',
        role: 'alertdialog',
        'aria-modal': 'false',
        'aria-labelledby': `${id}-confirm-text`,
        tabindex: '-1',
        hidden: true,
        onkeydown: (e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            this.keepHeld();
          }
        },
      },
      h('p', { id: `${id}-confirm-text`, text: __('Someone on your team already answered. Send yours too?', 'space-inbox') }),
      h(
        'div',
        { class: 'space-inbox__confirm-actions' },
        h('button', { type: 'button', class: 'button button-primary', text: __('Send mine too', 'space-inbox'), onclick: () => this.sendHeld() }),
        h('button', { type: 'button', class: 'button', text: __('Don’t send', 'space-inbox'), onclick: () => this.keepHeld() }),
      ),
    );
    this.dashboard = new Dashboard({
      uid: id,
      store: this.store,
      say: (message, kind) => this.say(message, kind),
      onOpen: (conversationId) => {
        this.showView('inbox');
        this.openAdmin(conversationId);
      },
    });
  }

  /**
   * Admin mode: the conversations, or the Space's dashboard.
   *
   * @param {'inbox'|'dashboard'} view
   */
  showView(view) {
    if (!this.dashboard) return;
    this.view = view === 'dashboard' ? 'dashboard' : 'inbox';
    const dashboard = this.view === 'dashboard';
    for (const [name, button] of Object.entries(this.viewButtons)) button.setAttribute('aria-pressed', name === this.view ? 'true' : 'false');
    this.panes.hidden = dashboard;
    this.filterField.hidden = dashboard;
    this.dashboard.root.hidden = !dashboard;
    setQuery({ view: dashboard ? 'dashboard' : null });
    this.followTyping();
    if (dashboard) {
      this.picker.close();
      if (this.spaceId) this.dashboard.show(this.spaceId, !this.isReadOnly(this.spaceId));
    }
  }

  /** Admin mode: typing marks and the teammates' notice follow the conversation in view. */
  followTyping() {
    if (!this.marks) return;
    const c = this.view === 'inbox' ? this.current : null;
    const answering = c && !this.isReadOnly(c.spaceId);
    this.marks.follow(answering ? `spaces/${c.spaceId}/conversations/${c.conversationId}/typing` : '');
    this.watch.watch(c ? c.spaceId : 0, c ? c.conversationId : 0);
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
    this.say(error instanceof ApiError ? error.userMessage : __('Something went wrong. Please try again.', 'space-inbox'), 'error');
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
      if (this.replyTime) this.replyTime.hidden = true;
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
    this.dropHeld();
    this.followTyping();
    setQuery(this.admin ? { conversation: null } : { space: null });
    this.renderList();
    const button = this.list.querySelector(`[data-key="${CSS.escape(String(key))}"]`);
    (button || this.listPane.querySelector('h2')).focus?.();
  }

  updateCounter() {
    const length = charCount(this.textarea.value);
    const left = MAX_LENGTH - length;
    /* translators: %s: number of characters (for both strings). */
    this.counter.textContent = left >= 0 ? sprintf(__('%s characters left', 'space-inbox'), num(left)) : sprintf(__('%s characters too many', 'space-inbox'), num(-left));
    this.counter.classList.toggle('is-over', left < 0);
    this.counter.classList.toggle('is-near', left >= 0 && left < 100);
  }

  // ---- start ----

  async start() {
    const stops = [
      summary.subscribe((data) => this.onSummary(data)),
      // Pushed: a change the counts do not show (an answer from a teammate or another tab).
      summary.on(this.admin ? 'team' : 'conversation', (event) => this.onLive(event)),
    ];
    this.unsubscribe = () => stops.forEach((stop) => stop());
    if (this.admin) {
      this.say(__('Loading…', 'space-inbox'));
      const data = await summary.start(); // Who is on which team, before offering replies.
      this.say('');
      if (data) this.applyAdminSummary(data);
      else if (summary.stopped) this.say(__('You are logged out. Log in again to see your messages.', 'space-inbox'), 'error');
      this.renderSpaces();
      const wanted = queryId(this.spaceParam);
      const first = this.spaces.find((s) => s.id === wanted) || this.spaces.find((s) => s.unread > 0) || this.spaces[0];
      if (!first) {
        this.listPane.replaceChildren(h('p', { class: 'space-inbox__empty', text: __('You do not administer any Space yet.', 'space-inbox') }));
        this.threadPane.hidden = true;
        return;
      }
      await this.selectSpace(first.id, queryId('conversation'));
      if (new URLSearchParams(window.location.search).get('view') === 'dashboard') this.showView('dashboard');
    } else {
      summary.start();
      const wanted = queryId('space') || Number(this.root.dataset.spaceInboxSpace) || 0;
      await this.loadList();
      if (wanted) await this.openMember(wanted, { focus: true });
    }
  }

  /** Stop following the summary and drop answers still on their way (the view is gone). */
  stop() {
    if (this.unsubscribe) this.unsubscribe();
    this.listLoad++;
    this.threadLoad++;
    this.current = null;
    if (this.marks) {
      this.marks.follow('');
      this.watch.stop();
      this.picker.stop();
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

  /** @param {Object} event A live event about one of this inbox's conversations. */
  onLive(event) {
    if (this.admin && Number(event.space_id) !== this.spaceId) return;
    window.clearTimeout(this.liveTimer);
    // A burst of changes (a conversation read, then answered) is one reload.
    this.liveTimer = window.setTimeout(() => this.refresh(), 50);
  }

  /** @param {Object} data Merge the summary's Spaces (team and unread) into the picker. */
  applyAdminSummary(data) {
    const mine = Array.isArray(data.spaces) ? data.spaces : [];
    this.team = new Set(mine.map((s) => Number(s.id)));
    for (const s of mine) {
      if (this.fixed && Number(s.id) !== this.spaces[0].id) continue; // One Space in view.
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
    if (!this.spaceSelect) return;
    const options = this.spaces.map((s) => {
      /* translators: %s: number of unread messages. */
      const label = s.unread > 0 ? `${s.name} (${sprintf(__('%s unread', 'space-inbox'), num(s.unread))})` : s.name;
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
    if (this.spaceSelect) this.spaceSelect.value = String(spaceId);
    this.current = null;
    this.threadLoad++;
    this.log.replaceChildren();
    this.showThread(false);
    this.dropHeld();
    this.followTyping();
    if (this.picker) this.picker.close();
    setQuery({ [this.spaceParam]: spaceId, conversation: conversationId || null });
    if (this.view === 'dashboard') this.dashboard.show(spaceId, !this.isReadOnly(spaceId));
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
        title: row.member ? row.member.name : __('Deleted user', 'space-inbox'),
        /* translators: 1: Space name, 2: excerpt of its last answer. */
        excerpt: last ? (last.from === 'space' ? sprintf(__('%1$s · %2$s', 'space-inbox'), this.space ? this.space.name : __('Space', 'space-inbox'), last.excerpt) : last.excerpt) : '',
        time: last ? last.created_at : row.created_at,
        unread: Number(row.unread) || 0,
        done: row.status === 'done',
        response: responseLine(row),
        row,
      };
    }
    return {
      key: row.space.id,
      title: row.space.name,
      picture: row.space.avatar_url,
      /* translators: %s: excerpt of the member's own last message. */
      excerpt: last ? (last.from === 'me' ? sprintf(__('You: %s', 'space-inbox'), last.excerpt) : last.excerpt) : '',
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
            h('span', { class: 'space-inbox__item-top' }, picture(item.picture), h('span', { class: 'space-inbox__item-title', text: item.title }), badge),
            item.excerpt ? h('span', { class: 'space-inbox__item-excerpt', text: item.excerpt }) : '',
            h(
              'span',
              { class: 'space-inbox__item-meta' },
              item.time ? timeEl(item.time) : '',
              item.response ? h('span', { class: 'space-inbox__response', text: item.response }) : '',
              item.done ? h('span', { class: 'space-inbox__pill', text: __('Done', 'space-inbox') }) : '',
            ),
          ),
        );
      }),
    );
    if (!items.length) {
      this.list.append(h('li', { class: 'space-inbox__empty', text: this.admin ? __('No conversations here.', 'space-inbox') : __('No conversations yet. Use the Message button on a Space’s page to ask it something.', 'space-inbox') }));
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
      picture: known ? known.picture : '',
      accepting: known ? known.row.space.accepting_messages !== false : true,
    });
    setQuery({ space: spaceId });
    this.showReplyTime(spaceId);
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
    setQuery({ [this.spaceParam]: this.spaceId, conversation: conversationId });
    await this.loadMessages({ latest: true });
    this.threadTitle.focus();
  }

  /**
   * Member mode: how fast the Space typically replies, under its name (nothing when it has
   * no reply time, or when it cannot be had).
   *
   * @param {number} spaceId
   */
  async showReplyTime(spaceId) {
    this.replyTime.hidden = true;
    const data = await replyTimeOf(spaceId);
    if (this.current && this.current.spaceId === spaceId) fillReplyTime(this.replyTime, data);
  }

  /** @param {Object} current The conversation to show. */
  openThread(current) {
    if (this.current) this.drafts.set(this.current.key, this.textarea.value);
    this.dropHeld();
    if (this.picker) this.picker.close();
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
    this.followTyping();
  }

  renderHead() {
    const c = this.current;
    if (!c) return;
    this.threadTitle.textContent = c.name || __('Loading…', 'space-inbox');
    const shown = picture(c.picture);
    this.threadPicture.hidden = !shown;
    if (shown) this.threadPicture.src = shown.src;
    const readOnly = this.admin && this.isReadOnly(c.spaceId);
    let notice = '';
    if (readOnly) notice = __('You can read this inbox as a site administrator, but only the Space’s team can answer.', 'space-inbox');
    else if (!this.admin && c.accepting === false) notice = __('This Space no longer takes messages.', 'space-inbox');
    this.notice.textContent = notice;
    this.notice.hidden = !notice;
    this.compose.hidden = Boolean(notice);
    /* translators: %s: Space name (for both strings). */
    this.composeLabel.textContent = this.admin ? sprintf(__('Reply as %s', 'space-inbox'), this.space ? this.space.name : __('Space', 'space-inbox')) : sprintf(__('Message to %s', 'space-inbox'), c.name || __('Space', 'space-inbox'));
    this.statusButton.hidden = !this.admin || readOnly;
    if (this.admin) this.statusButton.textContent = c.status === 'done' ? __('Reopen', 'space-inbox') : __('Mark done', 'space-inbox');
    this.blockButton.hidden = !this.admin || readOnly;
    if (this.admin) this.blockButton.textContent = c.blocked ? __('Unblock this member', 'space-inbox') : __('Block this member', 'space-inbox');
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
        c.picture = data.space.avatar_url;
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
      log.append(h('li', { class: 'space-inbox__empty', text: __('No messages yet. Ask away.', 'space-inbox') }));
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
      meta = h('span', { text: __('Sending…', 'space-inbox') });
    } else if (m.pending === 'failed') {
      meta = h(
        'span',
        { class: 'space-inbox__failed' },
        `${__('Not sent.', 'space-inbox')} `,
        h('button', { type: 'button', class: 'button-link', text: __('Try again', 'space-inbox'), onclick: () => this.deliver(m) }),
      );
    } else if (this.admin && m.from === 'space' && m.automatic) {
      meta = h('span', { class: 'space-inbox__audit space-inbox__automatic' }, ...withTime(
        /* translators: 1: who wrote the message ("You", a Space's or a member's name), 2: when. */
        __('%1$s · %2$s', 'space-inbox'),
        __('Automatic away answer', 'space-inbox'),
        m.created_at,
      ));
    } else if (this.admin && m.from === 'space') {
      const who = m.author && m.author.name ? m.author.name : __('Deleted user', 'space-inbox');
      meta = h('span', { class: 'space-inbox__audit' }, ...withTime(
        /* translators: 1: name of the Space admin who wrote the answer, 2: when. Shown to Space admins only. */
        __('sent by %1$s · %2$s', 'space-inbox'),
        who,
        m.created_at,
      ));
    } else {
      const who = this.admin ? c.name : mine ? __('You', 'space-inbox') : c.name || __('Space', 'space-inbox');
      meta = h('span', {}, ...withTime(
        /* translators: 1: who wrote the message ("You", a Space's or a member's name), 2: when. */
        __('%1$s · %2$s', 'space-inbox'),
        who,
        m.created_at,
      ));
    }
    return h(
      'li',
      { class: `space-inbox-msg ${mine ? 'space-inbox-msg--mine' : 'space-inbox-msg--theirs'}`, 'data-state': m.pending || 'sent' },
      h('div', { class: 'space-inbox-msg__body', text: m.body }),
      h('div', { class: 'space-inbox-msg__meta' }, meta),
    );
  }

  // ---- sending ----

  async send() {
    const c = this.current;
    if (!c || this.compose.hidden) return;
    const body = this.textarea.value.trim();
    const length = charCount(body);
    if (!length) {
      this.say(__('Write a message first.', 'space-inbox'), 'error');
      this.textarea.focus();
      return;
    }
    if (length > MAX_LENGTH) {
      /* translators: %s: number of characters. */
      this.say(sprintf(__('%s characters too many', 'space-inbox'), num(length - MAX_LENGTH)), 'error');
      this.textarea.focus();
      return;
    }
    this.dropHeld(); // Sent again after reading the teammate's answer: no question.
    const clientKey = newClientKey();
    const message = {
      key: `k${clientKey}`,
      client_key: clientKey,
      from: this.admin ? 'space' : 'me',
      body,
      created_at: new Date().toISOString(),
      pending: 'sending',
    };
    if (this.admin) {
      // Asked first when a teammate answered since this answer was begun, even if their
      // answer has appeared on screen meanwhile.
      message.seen_id = this.draftSeen.get(c.key) ?? this.newestSeen();
      this.draftSeen.delete(c.key);
    }
    await this.queue(message);
  }

  /** Admin mode: remember what was on screen when a draft began (and forget it when the box is emptied). */
  noteDraftStart() {
    const c = this.current;
    if (!this.admin || !c) return;
    if (!this.textarea.value.trim()) this.draftSeen.delete(c.key);
    else if (!this.draftSeen.has(c.key)) this.draftSeen.set(c.key, this.newestSeen());
  }

  /**
   * Show a message as on its way, empty the box and send it. A team's answers go one after
   * the other, so that each says which answer before it was seen.
   *
   * @param {Object} message A pending message record.
   */
  async queue(message) {
    const c = this.current;
    c.messages.set(message.key, message);
    this.textarea.value = '';
    this.drafts.delete(c.key);
    this.updateCounter();
    if (this.marks) this.marks.stop();
    if (this.picker) this.picker.close();
    this.scrolledOnce = false; // Show the new message at the bottom.
    this.renderMessages();
    this.textarea.focus();
    if (!this.admin) {
      await this.deliver(message);
      return;
    }
    this.delivering = this.delivering.then(() => this.deliver(message)).catch(() => {});
    await this.delivering;
  }

  /**
   * Admin mode: the newest message of the open conversation on screen, as `seen_id` (an
   * answer that came after it makes the bridge ask first).
   *
   * @returns {number|null}
   */
  newestSeen() {
    let newest = 0;
    for (const m of this.current ? this.current.messages.values() : []) {
      if (!m.pending && Number(m.id) > newest) newest = Number(m.id);
    }
    return newest || null;
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
    const body = { body: message.body, client_key: message.client_key };
    if (this.admin && message.seen_id === undefined) message.seen_id = this.newestSeen(); // Kept for "Try again".
    if (this.admin && message.seen_id) body.seen_id = message.seen_id;
    try {
      const { data } = await api(path, { method: 'POST', body });
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
        this.say(__('Message sent.', 'space-inbox'));
      }
      this.loadList();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'answered_meanwhile') {
        await this.answeredMeanwhile(c, message);
        return;
      }
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

  /**
   * A teammate answered after the newest message this admin had seen: nothing was sent.
   * Show their answer, give the text back, and ask whether to send it too.
   *
   * @param {Object} c The conversation it was for.
   * @param {Object} message The answer held back.
   */
  async answeredMeanwhile(c, message) {
    c.messages.delete(message.key);
    if (c !== this.current) {
      this.drafts.set(c.key, message.body); // Kept for when it is opened again.
      return;
    }
    if (!this.textarea.value.trim()) {
      this.textarea.value = message.body;
      this.updateCounter();
    }
    this.renderMessages();
    this.loadList();
    await this.loadMessages({ latest: true });
    if (c !== this.current) return;
    this.held = { key: c.key, body: message.body, client_key: message.client_key };
    this.confirmBox.hidden = false;
    this.confirmBox.focus();
  }

  /** "Send mine too": the same answer, with the same client key, now without seen_id. */
  async sendHeld() {
    const held = this.held;
    const c = this.current;
    this.dropHeld();
    if (!held || !c || c.key !== held.key) return;
    const body = this.textarea.value.trim();
    if (!body) {
      this.say(__('Write a message first.', 'space-inbox'), 'error');
      this.textarea.focus();
      return;
    }
    // Changed meanwhile: a new answer (a client key names one text only).
    const clientKey = body === held.body ? held.client_key : newClientKey();
    await this.queue({
      key: `k${clientKey}`,
      client_key: clientKey,
      from: 'space',
      body,
      created_at: new Date().toISOString(),
      pending: 'sending',
      seen_id: null,
    });
  }

  /** "Don't send": nothing goes out; the text stays in the box. */
  keepHeld() {
    this.dropHeld();
    this.say(__('Not sent: your answer is still in the box.', 'space-inbox'));
    this.textarea.focus();
  }

  /** Forget the question about a held answer (its text stays in the box). */
  dropHeld() {
    this.held = null;
    if (this.confirmBox) this.confirmBox.hidden = true;
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
      this.say(data.status === 'done' ? __('Conversation marked done.', 'space-inbox') : __('Conversation reopened.', 'space-inbox'));
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
      this.say(data.blocked ? __('Member blocked: the Space takes no more messages from them.', 'space-inbox') : __('Member unblocked.', 'space-inbox'));
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


// -- the front-end inbox: the member's own, and each Space they answer for ---------------

/**
 * The Spaces of a summary that the user answers for, sorted as the summary sends them.
 *
 * @param {Object|null} data
 * @returns {Array<{id: number, name: string, unread: number}>}
 */
function teamSpaces(data) {
  const spaces = data && Array.isArray(data.spaces) ? data.spaces : [];
  return spaces.map((s) => ({ id: Number(s.id), name: String(s.name), unread: Number(s.unread) || 0 }));
}

/**
 * The front-end inbox. A member sees their conversations with Spaces. A Space admin also
 * gets a switcher: "My conversations" and one entry per Space, each with its unread
 * count; a Space's entry shows its team inbox (answers go out as the Space).
 */
class FrontInbox {
  /** @param {HTMLElement} root The container PHP rendered. */
  constructor(root) {
    this.root = root;
    /** The user's Spaces, from the summary. */
    this.spaces = [];
    /** What is in view: 0 for the member's own conversations, else a Space id. */
    this.active = null;
    /** @type {Inbox|null} */
    this.inbox = null;
    this.memberUnread = 0;
    this.nav = h('nav', { class: 'space-inbox-switcher', 'aria-label': __('Switch inbox', 'space-inbox'), hidden: true });
    this.holder = h('div', { class: 'space-inbox-switcher__view' });
    root.replaceChildren(this.nav, this.holder);
  }

  async start() {
    const data = await summary.start();
    this.spaces = teamSpaces(data);
    this.memberUnread = counts(data).member;
    summary.subscribe((fresh) => this.onSummary(fresh));
    this.show(this.initial());
  }

  /**
   * What to show first: the Space of `?team=`, the member's own for `?space=`; else where
   * the unread messages are (the member's own first), else the first Space's team inbox.
   *
   * @returns {number}
   */
  initial() {
    const team = queryId('team');
    if (team && this.spaces.some((s) => s.id === team)) return team;
    if (queryId('space') || !this.spaces.length || this.memberUnread > 0) return 0;
    return (this.spaces.find((s) => s.unread > 0) || this.spaces[0]).id;
  }

  /** @param {Object} data A new summary. */
  onSummary(data) {
    this.spaces = teamSpaces(data);
    this.memberUnread = counts(data).member;
    if (this.active && !this.spaces.some((s) => s.id === this.active)) {
      this.show(0); // Taken off the team: back to their own conversations.
    } else {
      this.renderNav();
    }
  }

  renderNav() {
    this.nav.hidden = !this.spaces.length;
    const entries = [{ id: 0, name: __('My conversations', 'space-inbox'), unread: this.memberUnread }, ...this.spaces];
    this.nav.replaceChildren(
      h('span', { class: 'space-inbox-switcher__label', text: __('Inbox of', 'space-inbox') }),
      h(
        'ul',
        { class: 'space-inbox-switcher__items' },
        entries.map((entry) => {
          const badge = h('span', { class: 'space-inbox-badge' });
          setBadge(badge, entry.unread);
          return h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: `space-inbox-switcher__item${entry.id ? ' is-space' : ''}`,
                'data-space-inbox-view': String(entry.id),
                'aria-pressed': this.active === entry.id ? 'true' : 'false',
                onclick: () => this.show(entry.id),
              },
              h('span', { class: 'space-inbox-switcher__name', text: entry.name }),
              badge,
            ),
          );
        }),
      ),
    );
  }

  /**
   * Show the member's own conversations (0) or a Space's team inbox.
   *
   * @param {number} id
   * @returns {Inbox}
   */
  show(id) {
    if (this.inbox && this.active === id) return this.inbox;
    if (this.inbox) {
      this.inbox.stop();
      // Switched by hand: the conversation or Space of the previous view no longer applies.
      setQuery(id ? { team: id, space: null, conversation: null, view: null } : { team: null, conversation: null, view: null });
    }
    this.active = id;
    const view = h('div', { class: `space-inbox space-inbox__view space-inbox--${id ? 'admin' : 'member'}` });
    this.holder.replaceChildren(view);
    this.inbox = new Inbox(view, id ? 'admin' : 'member', { spaceId: id });
    this.renderNav();
    this.inbox.start().catch((error) => this.inbox.fail(error));
    return this.inbox;
  }
}

// -- start -------------------------------------------------------------------------------

/** Mount every inbox on the page, and wire the Message buttons. */
function main() {
  if (!config.apiBase) return; // Logged out: PHP hands no configuration.
  const inboxes = [];
  let front = null;
  for (const root of document.querySelectorAll('[data-space-inbox]')) {
    if (root.dataset.spaceInboxMounted) continue;
    root.dataset.spaceInboxMounted = '1';
    const mode = root.dataset.spaceInbox;
    if (mode === 'front') {
      front = front || new FrontInbox(root);
      front.start().catch(() => {});
      continue;
    }
    const inbox = new Inbox(root, mode === 'admin' ? 'admin' : 'member');
    inboxes.push(inbox);
    inbox.start().catch((error) => inbox.fail(error));
  }

  // A Message button on a page that has the member inbox opens the Space right here;
  // elsewhere it is a plain link to the inbox page (?space=<id>), which does the same.
  const member = inboxes.find((i) => !i.admin);
  if (member || front) {
    document.addEventListener('click', (event) => {
      const button = event.target.closest && event.target.closest('[data-space-inbox-open]');
      if (!button || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      (member || front.show(0)).openMember(Number(button.dataset.spaceInboxOpen), { focus: true });
    });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
