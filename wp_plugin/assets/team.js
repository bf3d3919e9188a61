/**
 * Space Inbox: a Space team's tools beside its inbox, and the reply time members see.
 * Imported by inbox.js with the same version query (so the page holds one instance).
 *
 * - `fillReplyTime()` / `replyTimeOf()`: "Typically replies within …" and "Very
 *   responsive", as members see them (`GET spaces/{id}/response-time`, public);
 * - `TypingMarks`: the team composer says that its admin is typing an answer
 *   (`POST …/typing`, renewed every few seconds, `false` on send, blur or an empty box);
 * - `TypingWatch`: an open team conversation shows when someone else on the team types
 *   (the live stream's `typing` event, else a poll of `GET …/typing` while the page is
 *   visible); never used in a member's inbox;
 * - `SavedReplies`, `ReplyPicker`: the team's saved replies, and the composer's list of
 *   them ("Saved replies", or "/" typed first in an empty box);
 * - `Dashboard`: the team's response figures, its away settings and the saved replies.
 *
 * Every piece of user text is written with textContent (through `h()`), never as HTML.
 *
 * @module space-inbox/team
 */

const { __, _n, sprintf } = window.wp.i18n;
const { config, num, h, api, ApiError, summary, duration, parseTime } = await import(
  new URL(`badge.js${new URL(import.meta.url).search}`, import.meta.url).href
);

/** How long a typing mark lasts on the bridge (Space_Inbox_Limits::TYPING_SECONDS). */
const TYPING_MS = (Number(config.typingSeconds) || 8) * 1000;
/** A typing mark is renewed at most this often while the admin types. */
const MARK_EVERY_MS = 3000;
/** Without the live stream, an open team conversation asks who is typing this often. */
const TYPING_POLL_MS = Math.max(2000, Number(config.pollMs) || 4000);
const SAVED_MAX = Number(config.savedRepliesMax) || 100;
const TITLE_MAX = Number(config.savedReplyTitleMax) || 100;
const WEEKDAYS = Array.isArray(config.weekdays) && config.weekdays.length ? config.weekdays : ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const INTERVALS_PER_DAY = Number(config.intervalsPerDay) || 3;
const REPLY_TIMES = Array.isArray(config.replyTimes) && config.replyTimes.length ? config.replyTimes : ['minutes', 'hour', 'hours', 'day'];

// -- small helpers -----------------------------------------------------------------------

const locale = config.locale || undefined;
let percentFormat;
let dayFormat;
let weekdayFormat;
let stampFormat;
try {
  percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  dayFormat = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  weekdayFormat = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' });
  stampFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
} catch {
  percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
  dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', timeZone: 'UTC' });
  stampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** What a figure shows when there is none yet. */
const NONE = '—';

/** @param {number|null} seconds @returns {string} A span of time in words, or a dash. */
const seconds = (value) => (value === null || value === undefined ? NONE : duration(Number(value) * 1000));

/** @param {number|null} share 0 to 1 @returns {string} */
const percent = (share) => (share === null || share === undefined ? NONE : percentFormat.format(share));

/** @param {string} date "YYYY-MM-DD" @returns {string} e.g. "Mar 3". */
function dayLabel(date) {
  const when = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(when.getTime()) ? date : dayFormat.format(when);
}

/** @param {string} day "mon" … "sun" @returns {string} The weekday's name in the user's language. */
function weekdayName(day) {
  const index = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(day);
  // 2024-01-01 was a Monday.
  return index < 0 ? day : weekdayFormat.format(new Date(Date.UTC(2024, 0, 1 + index)));
}

/** @param {string} text @param {number} [length] @returns {string} The start of a text, on one line. */
function excerpt(text, length = 90) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > length ? `${chars.slice(0, length - 1).join('')}…` : line;
}

/** @param {*} error @returns {string} What to tell the user about a failed call. */
const errorText = (error) => (error instanceof ApiError ? error.userMessage : __('Something went wrong. Please try again.', 'space-inbox'));

/**
 * A form field: a label above its control.
 *
 * @param {string} label
 * @param {HTMLElement} control It must have an id.
 * @param {string} [hint] A line under it (linked with aria-describedby).
 * @returns {HTMLElement}
 */
function field(label, control, hint = '') {
  const hintNode = hint ? h('span', { id: `${control.id}-hint`, class: 'space-inbox-form__hint', text: hint }) : '';
  if (hint) control.setAttribute('aria-describedby', `${control.id}-hint`);
  return h('div', { class: 'space-inbox-form__field' }, h('label', { for: control.id, text: label }), control, hintNode);
}

/**
 * A checkbox with its label after it.
 *
 * @param {string} label
 * @param {HTMLInputElement} box It must have an id.
 * @returns {HTMLElement}
 */
function checkbox(label, box) {
  return h('div', { class: 'space-inbox-form__check' }, box, h('label', { for: box.id, text: label }));
}

// -- the reply time members see ------------------------------------------------------------

/**
 * "Typically replies within …" for a reply time of the API.
 *
 * @param {string|null} typically "minutes", "hour", "hours", "day" or null.
 * @returns {string} '' for none.
 */
export function typicallyText(typically) {
  switch (typically) {
    case 'minutes':
      return __('Typically replies within minutes', 'space-inbox');
    case 'hour':
      return __('Typically replies within an hour', 'space-inbox');
    case 'hours':
      return __('Typically replies within a few hours', 'space-inbox');
    case 'day':
      return __('Typically replies within a day', 'space-inbox');
    default:
      return '';
  }
}

/**
 * Fill a reply-time line; hidden when the Space has no reply time to show.
 *
 * @param {HTMLElement} node
 * @param {{typically: string|null, very_responsive: boolean}|null} data
 */
export function fillReplyTime(node, data) {
  const text = typicallyText(data && data.typically);
  node.replaceChildren(
    text ? h('span', { class: 'space-inbox-reply-time__text', text }) : '',
    text && data.very_responsive ? ' ' : '',
    text && data.very_responsive ? h('span', { class: 'space-inbox-very-responsive', text: __('Very responsive', 'space-inbox') }) : '',
  );
  node.hidden = !text;
}

/** @type {Map<number, Promise<Object|null>>} Each Space's reply time, asked once per page. */
const replyTimes = new Map();

/**
 * A Space's reply time, as members see it (public; the browser may keep it 5 minutes).
 *
 * @param {number} spaceId
 * @returns {Promise<Object|null>} null when it could not be had.
 */
export function replyTimeOf(spaceId) {
  if (!replyTimes.has(spaceId)) {
    const asked = api(`spaces/${spaceId}/response-time`, { cache: 'default' }).then(
      ({ data }) => data,
      () => {
        replyTimes.delete(spaceId); // Asked again next time.
        return null;
      },
    );
    replyTimes.set(spaceId, asked);
  }
  return replyTimes.get(spaceId);
}

// -- who is typing -------------------------------------------------------------------------

/**
 * The admin's own typing marks, for the conversation in the team composer.
 */
export class TypingMarks {
  constructor() {
    /** API path of the conversation's typing mark, '' for none. */
    this.path = '';
    /** When the last "typing" was sent (0: none is standing). */
    this.since = 0;
  }

  /** @param {string} path The typing path of the conversation now in the composer ('' for none). */
  follow(path) {
    if (path === this.path) return;
    this.stop();
    this.path = path;
  }

  /** @param {string} text What the composer holds after the admin changed it. */
  typed(text) {
    if (!this.path) return;
    if (!text.trim()) {
      this.stop();
      return;
    }
    if (Date.now() - this.since < MARK_EVERY_MS) return;
    this.since = Date.now();
    this.post(true);
  }

  /** Sent, left the box or emptied it: the mark goes (if it is still standing). */
  stop() {
    if (this.path && this.since && Date.now() - this.since < TYPING_MS) this.post(false);
    this.since = 0;
  }

  /** @param {boolean} typing */
  post(typing) {
    api(this.path, { method: 'POST', body: { typing } }).catch(() => {}); // Only a hint.
  }
}

/**
 * Whether someone else on the team is typing in the open team conversation: asked when the
 * live stream says that it changed, else every few seconds while the page is visible.
 */
export class TypingWatch {
  /** @param {function(boolean): void} onChange Called when it starts or stops. */
  constructor(onChange) {
    this.onChange = onChange;
    this.spaceId = 0;
    this.conversationId = 0;
    this.path = '';
    this.shown = false;
    this.ticket = 0;
    this.timer = 0;
    this.recheck = 0;
    this.stopLive = summary.on('typing', (event) => {
      if (Number(event.space_id) === this.spaceId && Number(event.conversation_id) === this.conversationId) this.check();
    });
    this.onVisible = () => {
      if (!document.hidden) this.check();
    };
  }

  /**
   * Watch a conversation, or nothing.
   *
   * @param {number} spaceId
   * @param {number} conversationId 0: stop watching.
   */
  watch(spaceId, conversationId) {
    if (spaceId === this.spaceId && conversationId === this.conversationId) return;
    this.spaceId = conversationId ? spaceId : 0;
    this.conversationId = conversationId;
    this.path = conversationId ? `spaces/${spaceId}/conversations/${conversationId}/typing` : '';
    this.ticket++;
    window.clearInterval(this.timer);
    window.clearTimeout(this.recheck);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.show(false);
    if (!this.path) return;
    document.addEventListener('visibilitychange', this.onVisible);
    this.timer = window.setInterval(() => {
      if (!summary.live && !document.hidden) this.check();
    }, TYPING_POLL_MS);
    this.check();
  }

  async check() {
    if (!this.path) return;
    const ticket = this.ticket;
    try {
      const { data } = await api(this.path);
      if (ticket !== this.ticket) return;
      const typing = Boolean(data && data.typing);
      this.show(typing);
      window.clearTimeout(this.recheck);
      // A mark that runs out is announced by no event: look again when it would have.
      if (typing) this.recheck = window.setTimeout(() => this.check(), TYPING_MS + 500);
    } catch {
      // Only a hint: the next check may do better.
    }
  }

  /** @param {boolean} typing */
  show(typing) {
    if (typing === this.shown) return;
    this.shown = typing;
    this.onChange(typing);
  }

  /** The view is gone. */
  stop() {
    this.watch(0, 0);
    this.stopLive();
  }
}

// -- saved replies -------------------------------------------------------------------------

/**
 * A Space's saved replies, shared by the composer's list and the manager.
 */
export class SavedReplies {
  constructor() {
    this.spaceId = 0;
    /** @type {Array<Object>|null} null until loaded. */
    this.items = null;
    /** @type {Set<function(): void>} */
    this.listeners = new Set();
  }

  /** @param {function(): void} listener @returns {function(): void} Stops calling it. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @param {number} spaceId The Space in view (its list is forgotten when it changes). */
  use(spaceId) {
    if (spaceId === this.spaceId) return;
    this.spaceId = spaceId;
    this.items = null;
    this.changed();
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  /**
   * @param {number} spaceId
   * @returns {Promise<Array<Object>>}
   */
  async load(spaceId) {
    this.use(spaceId);
    const { data } = await api(`spaces/${spaceId}/saved-replies`);
    if (spaceId === this.spaceId) {
      this.items = Array.isArray(data && data.saved_replies) ? data.saved_replies : [];
      this.changed();
    }
    return this.items || [];
  }
}

/**
 * The composer's list of saved replies. Opened by its button (a filter box takes the
 * keys) or by "/" typed first in an empty composer (what follows filters, the composer
 * keeps the keys). Arrows move, Enter or a click inserts, Escape closes.
 */
export class ReplyPicker {
  /**
   * @param {Object} options
   * @param {HTMLTextAreaElement} options.textarea The composer.
   * @param {SavedReplies} options.store
   * @param {function(): number} options.spaceId The Space in view.
   * @param {function(): void} options.onManage Show the saved replies manager.
   * @param {string} options.uid A prefix for element ids.
   */
  constructor({ textarea, store, spaceId, onManage, uid }) {
    this.textarea = textarea;
    this.store = store;
    this.spaceId = spaceId;
    /** null (closed), "button" or "slash". */
    this.mode = null;
    this.matches = [];
    this.active = 0;
    /** The composer's selection when the list was opened: where a reply goes. */
    this.range = [0, 0];
    const listId = `${uid}-saved-list`;
    this.button = h('button', {
      type: 'button',
      class: 'button space-inbox__saved-button',
      'aria-expanded': 'false',
      'aria-controls': `${uid}-picker`,
      text: __('Saved replies', 'space-inbox'),
      onclick: () => (this.mode === 'button' ? this.close({ focus: true }) : this.open('button')),
    });
    this.filter = h('input', {
      type: 'text',
      id: `${uid}-saved-filter`,
      class: 'space-inbox__picker-filter',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'true',
      'aria-controls': listId,
      autocomplete: 'off',
      oninput: () => {
        this.active = 0;
        this.render();
      },
      onkeydown: (event) => this.onKey(event),
    });
    this.listbox = h('ul', { id: listId, class: 'space-inbox__picker-list', role: 'listbox', 'aria-label': __('Saved replies', 'space-inbox') });
    this.note = h('p', { class: 'space-inbox__picker-note', 'aria-live': 'polite' });
    this.filterField = h('div', { class: 'space-inbox__picker-field' }, h('label', { for: this.filter.id, text: __('Find a saved reply', 'space-inbox') }), this.filter);
    this.panel = h(
      'div',
      { id: `${uid}-picker`, class: 'space-inbox__picker', hidden: true },
      this.filterField,
      this.listbox,
      this.note,
      h('button', {
        type: 'button',
        class: 'button-link space-inbox__picker-manage',
        text: __('Manage saved replies', 'space-inbox'),
        onclick: () => {
          this.close();
          onManage();
        },
      }),
    );
    this.unsubscribe = store.subscribe(() => {
      if (this.mode) this.render();
    });
    this.onOutside = (event) => {
      if (this.mode && !this.panel.contains(event.target) && !this.button.contains(event.target) && event.target !== this.textarea) this.close();
    };
  }

  /** @param {'button'|'slash'} mode */
  open(mode) {
    this.mode = mode;
    this.active = 0;
    this.range = [this.textarea.selectionStart, this.textarea.selectionEnd];
    this.panel.hidden = false;
    this.filterField.hidden = mode === 'slash';
    this.button.setAttribute('aria-expanded', 'true');
    if (mode === 'slash') {
      this.textarea.setAttribute('aria-controls', this.listbox.id);
    } else {
      this.filter.value = '';
      this.filter.focus();
    }
    document.addEventListener('mousedown', this.onOutside);
    this.render();
    this.store.load(this.spaceId()).catch((error) => {
      if (this.mode) this.note.textContent = errorText(error);
    });
  }

  /** @param {{focus?: boolean}} [options] focus: back to the composer. */
  close({ focus = false } = {}) {
    if (!this.mode) return;
    this.mode = null;
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.textarea.removeAttribute('aria-controls');
    this.textarea.removeAttribute('aria-activedescendant');
    document.removeEventListener('mousedown', this.onOutside);
    if (focus) this.textarea.focus();
  }

  /** @returns {string} What the list is filtered by. */
  query() {
    return this.mode === 'slash' ? this.textarea.value.slice(1) : this.filter.value;
  }

  render() {
    const wanted = this.query().trim().toLocaleLowerCase();
    const items = this.store.items || [];
    const inTitle = items.filter((r) => r.title.toLocaleLowerCase().includes(wanted));
    const inBody = items.filter((r) => !inTitle.includes(r) && r.body.toLocaleLowerCase().includes(wanted));
    this.matches = [...inTitle, ...inBody];
    this.active = Math.min(this.active, Math.max(0, this.matches.length - 1));
    this.listbox.replaceChildren(
      ...this.matches.map((reply, i) =>
        h(
          'li',
          {
            id: `${this.listbox.id}-${reply.id}`,
            role: 'option',
            class: 'space-inbox__picker-option',
            'aria-selected': i === this.active ? 'true' : 'false',
            onmousedown: (event) => event.preventDefault(), // The focus stays where it is.
            onclick: () => this.insert(reply),
          },
          h('span', { class: 'space-inbox__picker-title', text: reply.title }),
          h('span', { class: 'space-inbox__picker-excerpt', text: excerpt(reply.body) }),
        ),
      ),
    );
    this.listbox.hidden = !this.matches.length;
    let note = '';
    if (this.store.items === null) note = __('Loading…', 'space-inbox');
    else if (!items.length) note = __('No saved replies yet.', 'space-inbox');
    /* translators: %s: what the admin typed to find a saved reply. */
    else if (!this.matches.length) note = sprintf(__('No saved reply matches “%s”.', 'space-inbox'), this.query().trim());
    /* translators: %s: number of saved replies. */
    else note = sprintf(_n('%s saved reply', '%s saved replies', this.matches.length, 'space-inbox'), num(this.matches.length));
    if (this.note.textContent !== note) this.note.textContent = note;
    this.markActive();
  }

  markActive() {
    [...this.listbox.children].forEach((option, i) => option.setAttribute('aria-selected', i === this.active ? 'true' : 'false'));
    const option = this.listbox.children[this.active];
    const owner = this.mode === 'slash' ? this.textarea : this.filter;
    if (option) {
      owner.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView?.({ block: 'nearest' });
    } else {
      owner.removeAttribute('aria-activedescendant');
    }
  }

  /**
   * Keys in the filter box, or in the composer while "/" holds the list open.
   *
   * @param {KeyboardEvent} event
   * @returns {boolean} Whether the list took the key.
   */
  onKey(event) {
    if (!this.mode || event.isComposing) return false;
    const plain = !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey;
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && this.matches.length) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.markActive();
      return true;
    }
    if (event.key === 'Enter' && (plain || this.mode === 'button')) {
      const reply = this.matches[this.active];
      if (this.mode === 'button') event.preventDefault(); // Never the form's submit.
      if (!reply) return this.mode === 'button';
      event.preventDefault();
      this.insert(reply);
      return true;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.close({ focus: true });
      return true;
    }
    return false;
  }

  /** @param {KeyboardEvent} event A key in the composer. @returns {boolean} Taken by the list. */
  onComposerKey(event) {
    return this.mode === 'slash' && this.onKey(event);
  }

  /** The composer changed: "/" in an empty box opens the list, what follows filters it. */
  onComposerInput() {
    const value = this.textarea.value;
    if (!this.mode && value === '/') {
      this.open('slash');
    } else if (this.mode === 'slash') {
      if (!value.startsWith('/') || value.includes('\n')) {
        this.close();
      } else {
        this.active = 0;
        this.render();
      }
    }
  }

  /** @param {Object} reply Put its text in the composer, where the cursor was; the admin edits it. */
  insert(reply) {
    const box = this.textarea;
    if (this.mode === 'slash') {
      box.value = reply.body; // In place of "/" and the filter.
      box.setSelectionRange(box.value.length, box.value.length);
    } else {
      const end = box.value.length;
      box.setRangeText(reply.body, Math.min(this.range[0], end), Math.min(this.range[1], end), 'end');
    }
    this.close();
    box.focus();
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** The view is gone. */
  stop() {
    this.close();
    this.unsubscribe();
  }
}

/**
 * The saved replies manager: the list, with a form to add or change one.
 */
class RepliesManager {
  /**
   * @param {Object} options
   * @param {string} options.uid
   * @param {SavedReplies} options.store
   * @param {function(string, string=): void} options.say
   */
  constructor({ uid, store, say }) {
    this.store = store;
    this.say = say;
    this.spaceId = 0;
    this.canWrite = false;
    /** The saved reply being changed, or null (adding). */
    this.editing = null;
    this.heading = h('h3', { id: `${uid}-replies-title`, tabindex: '-1', text: __('Saved replies', 'space-inbox') });
    this.count = h('p', { class: 'space-inbox-dashboard__note' });
    this.list = h('ul', { class: 'space-inbox-replies', 'aria-labelledby': `${uid}-replies-title` });
    this.title = h('input', { type: 'text', id: `${uid}-reply-title`, maxlength: String(TITLE_MAX), required: true });
    this.body = h('textarea', { id: `${uid}-reply-body`, rows: '4', required: true });
    this.formTitle = h('h4', { text: __('Add a saved reply', 'space-inbox') });
    this.saveButton = h('button', { type: 'submit', class: 'button button-primary', text: __('Save reply', 'space-inbox') });
    this.cancelButton = h('button', { type: 'button', class: 'button', hidden: true, text: __('Cancel', 'space-inbox'), onclick: () => this.edit(null) });
    this.form = h(
      'form',
      { class: 'space-inbox-form space-inbox-replies__form', novalidate: true, onsubmit: (event) => { event.preventDefault(); this.save(); } },
      this.formTitle,
      field(__('Title', 'space-inbox'), this.title, __('Only the team sees it; type "/" and part of it in the reply box to find the reply.', 'space-inbox')),
      field(__('Text', 'space-inbox'), this.body),
      h('div', { class: 'space-inbox-form__actions' }, this.saveButton, this.cancelButton),
    );
    this.root = h('section', { class: 'space-inbox-dashboard__section space-inbox-dashboard__replies', 'aria-labelledby': `${uid}-replies-title` }, this.heading, this.count, this.list, this.form);
    store.subscribe(() => this.render());
  }

  /** @param {number} spaceId @param {boolean} canWrite */
  use(spaceId, canWrite) {
    if (spaceId !== this.spaceId) this.edit(null);
    this.spaceId = spaceId;
    this.canWrite = canWrite;
    this.form.hidden = !canWrite;
    this.render();
  }

  render() {
    const items = this.store.items;
    if (items === null) {
      this.count.textContent = __('Loading…', 'space-inbox');
      this.list.replaceChildren();
      return;
    }
    /* translators: 1: number of saved replies, 2: the most a Space may keep. */
    this.count.textContent = items.length ? sprintf(__('%1$s of %2$s saved replies.', 'space-inbox'), num(items.length), num(SAVED_MAX)) : __('No saved replies yet.', 'space-inbox');
    this.list.replaceChildren(...items.map((reply) => this.row(reply)));
  }

  /** @param {Object} reply @returns {HTMLElement} */
  row(reply) {
    const when = parseTime(reply.updated_at);
    const by = reply.updated_by && reply.updated_by.name ? reply.updated_by.name : __('Deleted user', 'space-inbox');
    const actions = h('div', { class: 'space-inbox-replies__actions' });
    const item = h(
      'li',
      { class: 'space-inbox-replies__item', 'data-saved-reply': String(reply.id) },
      h('strong', { class: 'space-inbox-replies__title', text: reply.title }),
      h('p', { class: 'space-inbox-replies__body', text: reply.body }),
      /* translators: 1: name of the admin who last changed a saved reply, 2: when. */
      h('p', { class: 'space-inbox-replies__meta', text: sprintf(__('Changed by %1$s · %2$s', 'space-inbox'), by, when ? stampFormat.format(when) : '') }),
      actions,
    );
    if (this.canWrite) this.showActions(actions, reply);
    return item;
  }

  /** @param {HTMLElement} actions @param {Object} reply */
  showActions(actions, reply) {
    actions.replaceChildren(
      /* translators: %s: title of a saved reply. */
      h('button', { type: 'button', class: 'button', 'aria-label': sprintf(__('Edit “%s”', 'space-inbox'), reply.title), text: __('Edit', 'space-inbox'), onclick: () => this.edit(reply) }),
      /* translators: %s: title of a saved reply. */
      h('button', { type: 'button', class: 'button', 'aria-label': sprintf(__('Delete “%s”', 'space-inbox'), reply.title), text: __('Delete', 'space-inbox'), onclick: () => this.askDelete(actions, reply) }),
    );
  }

  /** Delete asks first, in place. @param {HTMLElement} actions @param {Object} reply */
  askDelete(actions, reply) {
    const keep = h('button', { type: 'button', class: 'button', text: __('Keep it', 'space-inbox'), onclick: () => { this.showActions(actions, reply); actions.querySelector('button')?.focus(); } });
    actions.replaceChildren(
      /* translators: %s: title of a saved reply. */
      h('span', { class: 'space-inbox-replies__ask', text: sprintf(__('Delete “%s”?', 'space-inbox'), reply.title) }),
      h('button', { type: 'button', class: 'button space-inbox-button--danger', text: __('Delete', 'space-inbox'), onclick: () => this.remove(reply) }),
      keep,
    );
    keep.focus();
  }

  /** @param {Object|null} reply Change it in the form; null: the form adds a new one. */
  edit(reply) {
    this.editing = reply;
    this.title.value = reply ? reply.title : '';
    this.body.value = reply ? reply.body : '';
    /* translators: %s: title of a saved reply. */
    this.formTitle.textContent = reply ? sprintf(__('Change “%s”', 'space-inbox'), reply.title) : __('Add a saved reply', 'space-inbox');
    this.cancelButton.hidden = !reply;
    if (reply) this.title.focus();
  }

  async save() {
    const title = this.title.value.trim();
    const body = this.body.value.trim();
    if (!title || !body) {
      this.say(__('A saved reply needs a title and a text.', 'space-inbox'), 'error');
      (title ? this.body : this.title).focus();
      return;
    }
    const editing = this.editing;
    const path = `spaces/${this.spaceId}/saved-replies${editing ? `/${editing.id}` : ''}`;
    this.saveButton.disabled = true;
    try {
      await api(path, { method: editing ? 'PUT' : 'POST', body: { title, body } });
      this.edit(null);
      this.say(editing ? __('Saved reply changed.', 'space-inbox') : __('Saved reply added.', 'space-inbox'));
      await this.store.load(this.spaceId);
    } catch (error) {
      this.say(errorText(error), 'error');
    } finally {
      this.saveButton.disabled = false;
    }
  }

  /** @param {Object} reply */
  async remove(reply) {
    try {
      await api(`spaces/${this.spaceId}/saved-replies/${reply.id}`, { method: 'DELETE' });
      if (this.editing && this.editing.id === reply.id) this.edit(null);
      this.say(__('Saved reply deleted.', 'space-inbox'));
      await this.store.load(this.spaceId);
      this.heading.focus();
    } catch (error) {
      this.say(errorText(error), 'error');
    }
  }
}

// -- away settings -------------------------------------------------------------------------

/** A time of day for an <input type="time">: the end of the day ("24:00") shows as 00:00. */
const toInput = (clock) => (clock === '24:00' ? '00:00' : clock);
/** A closing time from an <input type="time">: 00:00 is the end of the day. */
const toClosing = (value) => (value === '00:00' ? '24:00' : value);

/**
 * The away settings: away now, opening hours, time zone, away message and reply preset.
 */
class AwaySettings {
  /**
   * @param {Object} options
   * @param {string} options.uid
   * @param {function(string, string=): void} options.say
   * @param {function(): void} options.onSaved The reply time members see may have changed.
   */
  constructor({ uid, say, onSaved }) {
    this.uid = uid;
    this.say = say;
    this.onSaved = onSaved;
    this.spaceId = 0;
    /** @type {Object<string, Array<{opens: string, closes: string}>>} */
    this.hours = {};
    this.state = h('p', { class: 'space-inbox-settings__state', 'aria-live': 'polite' });
    this.awayNow = h('input', { type: 'checkbox', id: `${uid}-away-now`, onchange: () => this.setAwayNow() });
    this.hoursEnabled = h('input', { type: 'checkbox', id: `${uid}-hours-enabled` });
    this.days = h('div', { class: 'space-inbox-hours' });
    this.timezone = h('input', { type: 'text', id: `${uid}-timezone`, list: `${uid}-timezones`, autocomplete: 'off', spellcheck: 'false' });
    this.message = h('textarea', { id: `${uid}-away-message`, rows: '3' });
    this.preset = h(
      'select',
      { id: `${uid}-preset` },
      h('option', { value: '', text: __('Nothing until the figures say', 'space-inbox') }),
      REPLY_TIMES.map((value) => h('option', { value, text: typicallyText(value) || value })),
    );
    this.saveButton = h('button', { type: 'submit', class: 'button button-primary', text: __('Save settings', 'space-inbox') });
    this.fields = h(
      'fieldset',
      { class: 'space-inbox-settings__fields' },
      h('legend', { class: 'space-inbox-sr', text: __('Away settings', 'space-inbox') }),
      checkbox(__('Away now', 'space-inbox'), this.awayNow),
      h(
        'fieldset',
        { class: 'space-inbox-settings__hours' },
        h('legend', { text: __('Opening hours', 'space-inbox') }),
        checkbox(__('Away outside opening hours', 'space-inbox'), this.hoursEnabled),
        h('p', { class: 'space-inbox-form__hint', text: __('A day with no hours is closed. A closing time of 00:00 is midnight.', 'space-inbox') }),
        this.days,
      ),
      field(__('Time zone', 'space-inbox'), this.timezone, __('A name such as Europe/Paris, or an offset such as UTC+05:30.', 'space-inbox')),
      h('datalist', { id: `${uid}-timezones` }, timeZones().map((name) => h('option', { value: name }))),
      field(__('Away message', 'space-inbox'), this.message, __('Sent as the Space, at most once a day per conversation, to a member who writes while the Space is away.', 'space-inbox')),
      field(__('Reply time members see', 'space-inbox'), this.preset, __('Shown until the Space has answered enough messages for its figures to say.', 'space-inbox')),
      h('div', { class: 'space-inbox-form__actions' }, this.saveButton),
    );
    this.readOnly = h('p', { class: 'space-inbox-dashboard__note', hidden: true, text: __('Only the Space’s team can change these settings.', 'space-inbox') });
    this.root = h(
      'section',
      { class: 'space-inbox-dashboard__section space-inbox-settings', 'aria-labelledby': `${uid}-settings-title` },
      h('h3', { id: `${uid}-settings-title`, text: __('Away and reply time', 'space-inbox') }),
      this.state,
      this.readOnly,
      h('form', { class: 'space-inbox-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); this.save(); } }, this.fields),
    );
  }

  /** @param {number} spaceId @param {boolean} canWrite */
  use(spaceId, canWrite) {
    this.spaceId = spaceId;
    this.fields.disabled = !canWrite;
    this.readOnly.hidden = canWrite;
  }

  /** @param {Object} data The API's settings. */
  fill(data) {
    this.awayNow.checked = Boolean(data.away_now);
    this.hoursEnabled.checked = Boolean(data.hours_enabled);
    this.hours = {};
    for (const day of WEEKDAYS) {
      const given = data.hours && Array.isArray(data.hours[day]) ? data.hours[day] : [];
      this.hours[day] = given.map((o) => ({ opens: toInput(o.opens), closes: toInput(o.closes) }));
    }
    this.timezone.value = data.timezone || '';
    this.message.value = data.away_message || '';
    this.preset.value = data.reply_preset || '';
    this.showState(data);
    this.renderDays();
  }

  /** @param {Object} data */
  showState(data) {
    let text = data.away ? __('The Space is away now: a member who writes gets the away message.', 'space-inbox') : __('The Space is answering now.', 'space-inbox');
    const since = data.away_now && parseTime(data.away_since);
    /* translators: %s: date and time. */
    if (since) text += ` ${sprintf(__('Away since %s.', 'space-inbox'), stampFormat.format(since))}`;
    this.state.textContent = text;
    this.state.classList.toggle('is-away', Boolean(data.away));
  }

  renderDays() {
    this.days.replaceChildren(...WEEKDAYS.map((day) => this.dayRow(day)));
  }

  /** @param {string} day @returns {HTMLElement} One weekday's openings, with add and remove. */
  dayRow(day) {
    const name = weekdayName(day);
    const nameId = `${this.uid}-day-${day}`;
    const openings = this.hours[day] || [];
    const rows = openings.map((opening, index) => {
      const opens = h('input', { type: 'time', step: '60', value: opening.opens, 'data-day': day, 'data-edge': 'opens', required: true, oninput: () => { opening.opens = opens.value; } });
      const closes = h('input', { type: 'time', step: '60', value: opening.closes, 'data-day': day, 'data-edge': 'closes', required: true, oninput: () => { opening.closes = closes.value; } });
      /* translators: %s: a weekday's name. */
      opens.setAttribute('aria-label', sprintf(__('%s, opens', 'space-inbox'), name));
      /* translators: %s: a weekday's name (the closing time of an opening that day). */
      closes.setAttribute('aria-label', sprintf(__('%s, closes', 'space-inbox'), name));
      return h(
        'span',
        { class: 'space-inbox-hours__opening' },
        opens,
        h('span', { 'aria-hidden': 'true', text: '–' }),
        closes,
        h('button', {
          type: 'button',
          class: 'button-link',
          /* translators: %s: a weekday's name. */
          'aria-label': sprintf(__('Remove these hours on %s', 'space-inbox'), name),
          text: __('Remove', 'space-inbox'),
          onclick: () => {
            openings.splice(index, 1);
            this.rerenderDay(day);
          },
        }),
      );
    });
    return h(
      'div',
      { class: 'space-inbox-hours__day', role: 'group', 'aria-labelledby': nameId, 'data-day': day },
      h('span', { id: nameId, class: 'space-inbox-hours__name', text: name }),
      h('span', { class: 'space-inbox-hours__openings' }, rows.length ? rows : h('span', { class: 'space-inbox-hours__closed', text: __('Closed', 'space-inbox') })),
      openings.length < INTERVALS_PER_DAY
        ? h('button', {
          type: 'button',
          class: 'button',
          /* translators: %s: a weekday's name (a button that adds an opening that day). */
          'aria-label': sprintf(__('Add opening hours on %s', 'space-inbox'), name),
          text: __('Add hours', 'space-inbox'),
          onclick: () => {
            const last = openings[openings.length - 1];
            openings.push(last ? { opens: last.closes === '00:00' ? '23:00' : last.closes, closes: '00:00' } : { opens: '09:00', closes: '17:00' });
            this.hours[day] = openings;
            this.rerenderDay(day, true);
          },
        })
        : '',
    );
  }

  /** @param {string} day @param {boolean} [focusLast] Put the focus in the newest opening. */
  rerenderDay(day, focusLast = false) {
    const old = this.days.querySelector(`[data-day="${day}"].space-inbox-hours__day`);
    const fresh = this.dayRow(day);
    old.replaceWith(fresh);
    const inputs = fresh.querySelectorAll('input');
    (focusLast && inputs.length ? inputs[inputs.length - 2] : fresh.querySelector('button'))?.focus();
  }

  /** @returns {Object|null} The hours to send, or null (and the focus on the culprit) when one is wrong. */
  checkedHours() {
    const hours = {};
    for (const day of WEEKDAYS) {
      const openings = (this.hours[day] || []).map((o) => ({ opens: o.opens, closes: toClosing(o.closes) }));
      const wrong = openings.findIndex((o, i) => !o.opens || !o.closes || o.opens >= o.closes || (i > 0 && o.opens < openings[i - 1].closes));
      if (wrong >= 0) {
        /* translators: %s: a weekday's name. */
        this.say(sprintf(__('Check the hours of %s: each opening closes after it opens, in order.', 'space-inbox'), weekdayName(day)), 'error');
        this.days.querySelectorAll(`input[data-day="${day}"]`)[wrong * 2]?.focus();
        return null;
      }
      if (openings.length) hours[day] = openings;
    }
    return hours;
  }

  async setAwayNow() {
    const wanted = this.awayNow.checked;
    this.awayNow.disabled = true;
    try {
      const { data } = await api(`spaces/${this.spaceId}/settings`, { method: 'PATCH', body: { away_now: wanted } });
      this.awayNow.checked = Boolean(data.away_now);
      this.showState(data);
      this.say(data.away_now ? __('The Space is away now.', 'space-inbox') : __('The Space is back.', 'space-inbox'));
    } catch (error) {
      this.awayNow.checked = !wanted;
      this.say(errorText(error), 'error');
    } finally {
      this.awayNow.disabled = false;
    }
  }

  async save() {
    const hours = this.checkedHours();
    if (!hours) return;
    const message = this.message.value.trim();
    if (!message) {
      this.say(__('Write an away message.', 'space-inbox'), 'error');
      this.message.focus();
      return;
    }
    const body = {
      hours_enabled: this.hoursEnabled.checked,
      hours,
      timezone: this.timezone.value.trim(),
      away_message: message,
      reply_preset: this.preset.value || null,
    };
    this.saveButton.disabled = true;
    try {
      const { data } = await api(`spaces/${this.spaceId}/settings`, { method: 'PATCH', body });
      this.fill(data);
      this.say(__('Settings saved.', 'space-inbox'));
      this.onSaved();
    } catch (error) {
      this.say(errorText(error), 'error');
    } finally {
      this.saveButton.disabled = false;
    }
  }
}

/** @returns {string[]} The time zone names the browser knows, for the time zone field's list. */
function timeZones() {
  try {
    return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  } catch {
    return [];
  }
}

// -- the dashboard -------------------------------------------------------------------------

/**
 * A Space's dashboard for its team: the response figures over 7 and 30 days, a bar per
 * day, each admin's answers, the conversations waiting longest, the reply time members
 * see; then the away settings and the saved replies.
 */
export class Dashboard {
  /**
   * @param {Object} options
   * @param {string} options.uid
   * @param {SavedReplies} options.store
   * @param {function(string, string=): void} options.say
   * @param {function(number): void} options.onOpen Open a conversation of the inbox.
   */
  constructor({ uid, store, say, onOpen }) {
    this.uid = uid;
    this.store = store;
    this.say = say;
    this.onOpen = onOpen;
    this.spaceId = 0;
    this.ticket = 0;
    this.title = h('h2', { id: `${uid}-dashboard-title`, class: 'space-inbox__heading', tabindex: '-1', text: __('Dashboard', 'space-inbox') });
    this.replyTime = h('p', { class: 'space-inbox-reply-time' });
    this.replyNote = h('p', { class: 'space-inbox-dashboard__note' });
    this.figures = h('div', { class: 'space-inbox-dashboard__figures' });
    this.settings = new AwaySettings({ uid, say, onSaved: () => this.loadFigures().catch(() => {}) });
    this.replies = new RepliesManager({ uid, store, say });
    this.root = h(
      'section',
      { class: 'space-inbox-dashboard', 'aria-labelledby': this.title.id, hidden: true },
      this.title,
      h(
        'div',
        { class: 'space-inbox-dashboard__section space-inbox-dashboard__members-see' },
        h('h3', { text: __('What members see', 'space-inbox') }),
        this.replyTime,
        this.replyNote,
      ),
      this.figures,
      this.settings.root,
      this.replies.root,
    );
  }

  /**
   * Show a Space's dashboard (loaded afresh each time).
   *
   * @param {number} spaceId
   * @param {boolean} canWrite Whether the user is on the team (site administrators only read).
   */
  async show(spaceId, canWrite) {
    this.spaceId = spaceId;
    this.settings.use(spaceId, canWrite);
    this.store.use(spaceId);
    this.replies.use(spaceId, canWrite);
    const ticket = ++this.ticket;
    const settings = api(`spaces/${spaceId}/settings`).then(({ data }) => {
      if (ticket === this.ticket) this.settings.fill(data);
    });
    const failures = await Promise.allSettled([this.loadFigures(), settings, this.store.load(spaceId)]);
    const failed = failures.find((r) => r.status === 'rejected');
    if (failed && ticket === this.ticket) this.say(errorText(failed.reason), 'error');
  }

  /** Show the saved replies manager (from the composer's list). */
  focusReplies() {
    this.replies.root.scrollIntoView?.({ block: 'start' });
    this.replies.heading.focus();
  }

  async loadFigures() {
    const ticket = this.ticket;
    const spaceId = this.spaceId;
    if (!this.figures.firstChild) this.figures.replaceChildren(h('p', { class: 'space-inbox-dashboard__note', text: __('Loading…', 'space-inbox') }));
    const { data } = await api(`spaces/${spaceId}/figures`);
    if (ticket !== this.ticket || spaceId !== this.spaceId) return;
    this.renderFigures(data);
  }

  /** @param {Object} data The API's figures. */
  renderFigures(data) {
    fillReplyTime(this.replyTime, data.response_time);
    const rt = data.response_time || {};
    let note;
    if (!rt.typically) note = __('Members see no reply time yet: set one below, or answer more messages.', 'space-inbox');
    else if (rt.source === 'preset') note = __('From your setting below, until the Space has answered enough messages.', 'space-inbox');
    else note = __('From the Space’s answers over the last 30 days.', 'space-inbox');
    this.replyNote.textContent = note;
    this.figures.replaceChildren(
      this.windows(data.space || {}),
      this.chart(Array.isArray(data.days) ? data.days : []),
      this.admins(Array.isArray(data.admins) ? data.admins : []),
      this.waiting(Array.isArray(data.waiting) ? data.waiting : []),
    );
  }

  /**
   * @param {string} key A name for tests and styles.
   * @param {string} title
   * @param {...*} children
   * @returns {HTMLElement}
   */
  section(key, title, ...children) {
    const id = `${this.uid}-dashboard-${key}`;
    return h('section', { class: `space-inbox-dashboard__section space-inbox-dashboard__${key}`, 'aria-labelledby': id }, h('h3', { id, text: title }), ...children);
  }

  /** @param {{days_7: Object, days_30: Object}} space @returns {HTMLElement} */
  windows(space) {
    const rows = [
      ['median', __('Median response time', 'space-inbox'), (w) => seconds(w.median_seconds)],
      ['p90', __('9 in 10 answered within', 'space-inbox'), (w) => seconds(w.p90_seconds)],
      ['rate', __('Response rate (answered within a day)', 'space-inbox'), (w) => percent(w.response_rate)],
      ['periods', __('Messages to answer', 'space-inbox'), (w) => num(w.periods || 0)],
      ['answered', __('Answered', 'space-inbox'), (w) => num(w.answered || 0)],
      ['waiting', __('Still waiting', 'space-inbox'), (w) => num(w.waiting || 0)],
    ];
    const windows = [['7', space.days_7 || {}], ['30', space.days_30 || {}]];
    return this.section(
      'windows',
      __('Response times', 'space-inbox'),
      h(
        'table',
        { class: 'space-inbox-table', 'aria-labelledby': `${this.uid}-dashboard-windows` },
        h(
          'thead',
          {},
          h('tr', {}, h('td', {}), h('th', { scope: 'col', text: __('Last 7 days', 'space-inbox') }), h('th', { scope: 'col', text: __('Last 30 days', 'space-inbox') })),
        ),
        h(
          'tbody',
          {},
          rows.map(([key, label, value]) => h('tr', {}, h('th', { scope: 'row', text: label }), windows.map(([days, w]) => h('td', { 'data-figure': `${key}-${days}`, text: value(w) })))),
        ),
      ),
      h('p', { class: 'space-inbox-dashboard__note', text: __('A message to answer is a member’s message, with any that follow it, until the Space answers. Time the Space is away does not count.', 'space-inbox') }),
    );
  }

  /** @param {Array<Object>} days Oldest first. @returns {HTMLElement} A bar per day, each with its figures in words. */
  chart(days) {
    const most = Math.max(1, ...days.map((d) => Number(d.periods) || 0));
    const bars = days.map((day) => {
      const periods = Number(day.periods) || 0;
      const answered = Number(day.answered) || 0;
      /* translators: 1: a date, 2: number of messages to answer that day, 3: how many of them were answered. */
      let text = sprintf(__('%1$s: %2$s to answer, %3$s answered', 'space-inbox'), dayLabel(day.date), num(periods), num(answered));
      /* translators: %s: a span of time. */
      if (day.median_seconds !== null && day.median_seconds !== undefined) text += `, ${sprintf(__('median %s', 'space-inbox'), seconds(day.median_seconds))}`;
      const bar = h('span', { class: 'space-inbox-chart__bar', 'aria-hidden': 'true' }, h('span', { class: 'space-inbox-chart__answered' }));
      bar.style.height = `${(100 * periods) / most}%`;
      bar.firstChild.style.height = `${periods ? (100 * answered) / periods : 0}%`;
      return h('li', { class: 'space-inbox-chart__day', title: text, 'data-date': day.date }, bar, h('span', { class: 'space-inbox-sr', text }));
    });
    const first = days[0];
    const last = days[days.length - 1];
    return this.section(
      'chart',
      __('Messages to answer per day', 'space-inbox'),
      h('ol', { class: 'space-inbox-chart', 'aria-label': __('Messages to answer per day, last 30 days', 'space-inbox') }, bars),
      first && last
        ? h('div', { class: 'space-inbox-chart__axis', 'aria-hidden': 'true' }, h('span', { text: dayLabel(first.date) }), h('span', { text: dayLabel(last.date) }))
        : '',
      h(
        'p',
        { class: 'space-inbox-chart__legend', 'aria-hidden': 'true' },
        h('span', { class: 'space-inbox-chart__key' }),
        __('to answer', 'space-inbox'),
        h('span', { class: 'space-inbox-chart__key is-answered' }),
        __('answered', 'space-inbox'),
      ),
    );
  }

  /** @param {Array<Object>} admins @returns {HTMLElement} Each admin's answers (the team only sees this). */
  admins(admins) {
    const head = [
      __('Admin', 'space-inbox'),
      __('Answered, 7 days', 'space-inbox'),
      __('Median, 7 days', 'space-inbox'),
      __('Answered, 30 days', 'space-inbox'),
      __('Median, 30 days', 'space-inbox'),
      __('9 in 10 within, 30 days', 'space-inbox'),
    ];
    const table = admins.length
      ? h(
        'table',
        { class: 'space-inbox-table space-inbox-table--admins', 'aria-labelledby': `${this.uid}-dashboard-admins` },
        h('thead', {}, h('tr', {}, head.map((text) => h('th', { scope: 'col', text })))),
        h(
          'tbody',
          {},
          admins.map((a) => {
            const d7 = a.days_7 || {};
            const d30 = a.days_30 || {};
            return h(
              'tr',
              { 'data-admin': String(a.admin ? a.admin.id : '') },
              h('th', { scope: 'row', text: a.admin && a.admin.name ? a.admin.name : __('Deleted user', 'space-inbox') }),
              h('td', { text: num(d7.answered || 0) }),
              h('td', { text: seconds(d7.median_seconds) }),
              h('td', { text: num(d30.answered || 0) }),
              h('td', { text: seconds(d30.median_seconds) }),
              h('td', { text: seconds(d30.p90_seconds) }),
            );
          }),
        ),
      )
      : h('p', { class: 'space-inbox-dashboard__note', text: __('No answers in the last 30 days.', 'space-inbox') });
    return this.section('admins', __('By admin', 'space-inbox'), h('div', { class: 'space-inbox-table-wrap' }, table));
  }

  /** @param {Array<Object>} waiting Longest first. @returns {HTMLElement} */
  waiting(waiting) {
    const list = waiting.length
      ? h(
        'ol',
        { class: 'space-inbox-waiting' },
        waiting.map((w) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'space-inbox-waiting__item', 'data-conversation': String(w.id), onclick: () => this.onOpen(Number(w.id)) },
              h('span', { class: 'space-inbox-waiting__name', text: w.member && w.member.name ? w.member.name : __('Deleted user', 'space-inbox') }),
              /* translators: %s: a span of time, e.g. "12 min". */
              h('span', { class: 'space-inbox-waiting__time', text: sprintf(__('Waiting %s', 'space-inbox'), seconds(w.waited_seconds)) }),
              w.status === 'done' ? h('span', { class: 'space-inbox__pill', text: __('Done', 'space-inbox') }) : '',
            ),
          ),
        ),
      )
      : h('p', { class: 'space-inbox-dashboard__note', text: __('No one is waiting for an answer.', 'space-inbox') });
    return this.section('waiting', __('Waiting longest', 'space-inbox'), list);
  }
}
