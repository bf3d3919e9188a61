"""A Space team's Dashboard in Chromium, from the team's side (proxy mode): every away setting
saves by itself beside its control, nothing wrong is sent and nothing refused is lost;
notices show next to what caused them and go when the view changes; one waiting time (clock
time since the member's message) in the list and on the Dashboard; a chart with a value
axis and its figures as a table; tables that read as cards on a phone; no browser-default
button, in a light and a dark scheme.

Each test uses a Space of its own, so its settings and figures are no other test's."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from devstack.callers import proxy_url

from .support import (
    DESKTOP,
    PASSWORD,
    PREFIX,
    admin_inbox,
    eventually,
    horizontal_overflow,
    team_inbox,
)

NARROW = {"width": 360, "height": 740}
SAVED = re.compile(r"\bSaved\b")


def api_as(stack, person):
    """Calls to the bridge through the plugin's proxy, as *person*, logged in once."""
    session = stack.site.login(person.login, PASSWORD)
    nonce = stack.site.rest_nonce(session)

    def call(method: str, path: str, **kw):
        answer = session.request(
            method, proxy_url(stack.url, path), headers={"X-WP-Nonce": nonce}, timeout=30, **kw
        )
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None

    return call


def write(call, space_id: int, body: str) -> None:
    """A member's message to a Space."""
    key = f"dashboard-{time.monotonic_ns()}"
    call("POST", f"me/spaces/{space_id}/messages", json={"body": body, "client_key": key})


def conversation_of(stack, space_id: int, member) -> int:
    return int(
        stack.site.sql(
            f"SELECT id FROM {PREFIX}spaceinbox_conversations"
            " WHERE space_id = %s AND member_id = %s",
            [space_id, member.user_id],
        )[0][0]
    )


def answer(call, space_id: int, conversation: int, body: str) -> None:
    key = f"dashboard-{time.monotonic_ns()}"
    call(
        "POST",
        f"spaces/{space_id}/conversations/{conversation}/messages",
        json={"body": body, "client_key": key},
    )


def open_dashboard(browsing, stack, person, space_id: int, viewport=None):
    """*person*'s front-end team inbox of a Space, on its Dashboard, once it is filled."""
    page = browsing.login(
        person, f"{stack.inbox_url}?team={space_id}&view=dashboard", viewport=viewport
    )
    inbox = team_inbox(page)
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard.locator(".space-inbox-settings__state")).not_to_have_text("")
    expect(dashboard.locator(".space-inbox-chart__day")).to_have_count(30)
    return page, inbox, dashboard


def settings_sent(page) -> list[dict]:
    """The bodies of the settings changes *page* sends from now on."""
    sent: list[dict] = []

    def keep(request) -> None:
        if request.method == "PATCH" and "settings" in request.url:
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", keep)
    return sent


def notice_of(page, control):
    """The notice a control is described by (its last aria-describedby)."""
    ids = (control.get_attribute("aria-describedby") or "").split()
    assert ids, "the control has no notice"
    return page.locator(f"#{ids[-1]}")


def gap(a, b) -> float:
    """The distance between two elements' boxes, in CSS pixels (0 when they touch).

    Both boxes are read in one script, so a scroll or a list growing between two
    reads cannot be taken for distance.
    """
    return a.evaluate(
        """(one, other) => {
            const r = one.getBoundingClientRect(), s = other.getBoundingClientRect();
            const dx = Math.max(s.left - r.right, r.left - s.right, 0);
            const dy = Math.max(s.top - r.bottom, r.top - s.bottom, 0);
            return Math.max(dx, dy);
        }""",
        b.element_handle(),
    )


def notices_said(dashboard) -> list[str]:
    """Every non-empty notice of the Dashboard."""
    return [t for t in dashboard.locator(".space-inbox-notice").all_inner_texts() if t.strip()]


# -- one save model ---------------------------------------------------------------------------


def test_every_away_setting_saves_by_itself_next_to_its_control(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Autosave Atelier", ada)
    ada_api = api_as(stack, ada)

    def stored() -> dict:
        return ada_api("GET", f"spaces/{space_id}/settings")

    # Until the Space's settings have come, nothing can be changed: they would undo it.
    page = browsing.login(ada, f"{stack.inbox_url}?team={space_id}")
    inbox = team_inbox(page)
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(inbox.locator(".space-inbox__list")).to_be_visible()
    reads = re.compile(r"path=spaces(/|%2F)\d+(/|%2F)settings")
    held = []

    def hold(route) -> None:
        if held or route.request.method != "GET":
            route.continue_()
        else:
            held.append(route)

    page.route(reads, hold)
    inbox.get_by_role("button", name="Dashboard").click()
    assert eventually(lambda: held, 10, page=page), "the settings were not asked for"
    away = dashboard.get_by_role("checkbox", name="Away now")
    expect(away).to_be_disabled()
    expect(dashboard.get_by_role("textbox", name="Away message")).to_be_disabled()
    browsing.shot(page, "settings-loading-1280")
    held[0].continue_()
    page.unroute(reads)
    expect(away).to_be_enabled()
    expect(dashboard.locator(".space-inbox-chart__day")).to_have_count(30)
    sent = settings_sent(page)
    expect(dashboard.get_by_role("button", name="Save settings")).to_have_count(0)

    # A box saves at once, "Saved" beside it, in a polite live region.
    away.check()
    expect(away).to_have_accessible_description(SAVED)
    notice = notice_of(page, away)
    expect(notice).to_have_attribute("aria-live", "polite")
    assert gap(notice, away) < 40
    assert stored()["away_now"] is True
    expect(dashboard.locator(".space-inbox-settings__state")).to_contain_text("away now")
    hours_on = dashboard.get_by_role("checkbox", name="Away outside opening hours")
    hours_on.check()
    expect(hours_on).to_have_accessible_description(SAVED)
    assert stored()["hours_enabled"] is True

    # A choice saves at once, and what members see follows.
    preset = dashboard.get_by_role("combobox", name="Reply time members see")
    preset.select_option(label="Typically replies within an hour")
    expect(preset).to_have_accessible_description(SAVED)
    assert stored()["reply_preset"] == "hour"
    expect(
        dashboard.locator(".space-inbox-dashboard__members-see .space-inbox-reply-time")
    ).to_have_text("Typically replies within an hour")

    # A text saves after a pause in the typing (still in the field), or when it is left.
    zone = dashboard.get_by_role("combobox", name="Time zone")
    zone.fill("Europe/Lisbon")
    expect(zone).to_have_accessible_description(SAVED)
    expect(zone).to_be_focused()
    assert stored()["timezone"] == "Europe/Lisbon"
    message = dashboard.get_by_role("textbox", name="Away message")
    message.fill("Back on Monday at nine.")
    message.press("Tab")
    expect(message).to_have_accessible_description(SAVED)
    assert stored()["away_message"] == "Back on Monday at nine."

    # What is wrong is said beside it and not sent.
    zone.fill("Mars/Olympus")
    zone.press("Tab")
    expect(zone).to_have_accessible_description(re.compile("Not saved: give a time zone name"))
    expect(zone).to_have_attribute("aria-invalid", "true")
    message.fill("   ")
    message.press("Tab")
    expect(message).to_have_accessible_description(re.compile("Not saved: write an away message"))
    assert {"timezone": "Mars/Olympus"} not in sent, sent
    assert not [b for b in sent if b.get("away_message", "x").strip() == ""], sent
    assert stored()["timezone"] == "Europe/Lisbon"
    zone.fill("Asia/Tokyo")
    zone.press("Tab")
    expect(zone).to_have_accessible_description(SAVED)
    expect(zone).not_to_have_attribute("aria-invalid", "true")

    # What the bridge refuses is said beside it, and the user's text stays.
    refused = "Back soon\u0007"
    message.fill(refused)
    message.press("Tab")
    expect(message).to_have_accessible_description(re.compile("control characters"))
    expect(message).to_have_value(refused)
    expect(message).to_have_attribute("aria-invalid", "true")
    assert {"away_message": refused} in sent  # the bridge's own refusal
    assert stored()["away_message"] == "Back on Monday at nine."
    message.fill("Back soon.")
    message.press("Tab")
    expect(message).to_have_accessible_description(SAVED)

    # A day's hours save once they are complete and in order; wrong ones are said by the day.
    monday = dashboard.get_by_role("group", name="Monday")
    monday.get_by_role("button", name="Add hours on Monday").click()
    expect(monday.get_by_role("status")).to_have_text("Saved")
    assert stored()["hours"] == {"mon": [{"opens": "09:00", "closes": "17:00"}]}
    closes = monday.get_by_label("Monday, closes")
    closes.fill("08:00")
    closes.press("Tab")
    expect(monday.get_by_role("status")).to_contain_text("Not saved: on Monday")
    expect(closes).to_have_attribute("aria-invalid", "true")
    assert not [b for b in sent if "08:00" in json.dumps(b)]
    closes.fill("18:30")
    expect(monday.get_by_role("status")).to_have_text("Saved")
    expect(closes).not_to_have_attribute("aria-invalid", "true")
    assert stored()["hours"] == {"mon": [{"opens": "09:00", "closes": "18:30"}]}
    browsing.shot(page, "settings-saved-1280")

    # The bridge out of reach: said beside the box, the box keeps the user's choice, and the
    # change goes once the bridge is back ("Try again", or by itself).
    def unreachable(route) -> None:
        if route.request.method == "PATCH":
            route.fulfill(status=503, content_type="application/json", body="{}")
        else:
            route.continue_()

    page.route(re.compile(r"settings"), unreachable)
    away.uncheck()
    expect(away).to_have_accessible_description(re.compile("cannot be reached"))
    expect(away).not_to_be_checked()
    try_again = notice_of(page, away).get_by_role("button", name="Try again")
    expect(try_again).to_be_visible()
    assert stored()["away_now"] is True
    browsing.shot(page, "settings-unreachable")
    page.unroute(re.compile(r"settings"))
    if try_again.count():
        try_again.click()
    expect(away).to_have_accessible_description(SAVED)
    expect(away).not_to_be_checked()
    assert stored()["away_now"] is False

    # Leaving the Dashboard while a text waits for its pause: it is saved all the same, and
    # the Dashboard shown again has it, with no notice of before.
    zone.fill("America/Sao_Paulo")
    inbox.get_by_role("button", name="Conversations", exact=True).click()
    assert eventually(lambda: stored()["timezone"] == "America/Sao_Paulo", 15, page)
    inbox.get_by_role("button", name="Dashboard").click()
    expect(zone).to_have_value("America/Sao_Paulo")
    assert notices_said(dashboard) == []


# -- notices next to their cause --------------------------------------------------------------


def test_notices_show_next_to_their_cause_and_go_when_the_view_changes(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Notice Noodles", ada)
    page = browsing.login(ada, stack.admin_inbox_url(space=space_id) + "&view=dashboard")
    inbox = admin_inbox(page)
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    manager = dashboard.locator(".space-inbox-dashboard__replies")
    expect(manager).to_contain_text("No saved replies yet.")
    # Every part in place (the figures above come last and push the form down).
    expect(dashboard).not_to_have_attribute("aria-busy", "true")
    save = manager.get_by_role("button", name="Save reply")
    title = manager.get_by_role("textbox", name="Title")

    # Nothing written: said under the form's button, the first empty field marked and focused.
    save.click()
    said = manager.get_by_role("status").filter(has_text="Not saved: a saved reply needs")
    expect(said).to_be_visible()
    expect(said).to_have_attribute("aria-live", "polite")
    expect(said).to_be_in_viewport()
    assert gap(said, save) < 40
    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("Not saved"))

    # Added: said in the same place, not at the top of the page.
    title.fill("Opening times")
    manager.get_by_role("textbox", name="Text").fill("We cook from noon to ten, every day.")
    save.click()
    added = manager.get_by_role("status").filter(has_text="Saved reply added.")
    expect(added).to_be_visible()
    expect(added).to_be_in_viewport()
    # Measured once the list above the form has grown: the notice stays by the button.
    expect(manager.locator(".space-inbox-replies__item")).to_have_count(1)
    expect(added).to_be_in_viewport()
    assert gap(added, save) < 40
    expect(title).not_to_have_attribute("aria-invalid", "true")
    top = inbox.locator(".space-inbox__status")
    assert "Saved reply added." not in " ".join(top.all_inner_texts())
    browsing.shot(page, "saved-reply-added")

    # Deleted: said above the list the reply left.
    manager.get_by_role("button", name="Delete “Opening times”").click()
    manager.get_by_role("button", name="Delete", exact=True).click()
    deleted = manager.get_by_role("status").filter(has_text="Saved reply deleted.")
    expect(deleted).to_be_visible()
    assert gap(deleted, manager.get_by_role("heading", name="Saved replies")) < 60
    away = dashboard.get_by_role("checkbox", name="Away now")
    away.check()
    expect(away).to_have_accessible_description(SAVED)
    assert sorted(notices_said(dashboard)) == [
        "Saved",
        "Saved reply added.",
        "Saved reply deleted.",
    ]

    # The view changes: the notices go.
    inbox.get_by_role("button", name="Conversations", exact=True).click()
    expect(dashboard).to_be_hidden()
    inbox.get_by_role("button", name="Dashboard").click()
    expect(dashboard).to_be_visible()
    expect(away).to_be_checked()
    assert notices_said(dashboard) == []
    expect(away).not_to_have_accessible_description(SAVED)

    # Another Space: its Dashboard shows none of this one's notices.
    away.uncheck()
    expect(away).to_have_accessible_description(SAVED)
    inbox.get_by_role("combobox", name="Space").select_option(str(stack.space_id))
    expect(dashboard).to_be_visible()
    expect(dashboard.get_by_role("heading", name="Saved replies")).to_be_visible()
    assert eventually(lambda: notices_said(dashboard) == [], 5, page), notices_said(dashboard)


# -- one waiting time -------------------------------------------------------------------------


def test_the_list_and_the_dashboard_say_the_same_waiting_time(stack, browsing):
    """Away the whole time: three hours on the clock, no working time. The member has
    waited three hours, and both the list and "Waiting longest" say so."""
    ada = stack.ada
    space_id = stack.new_space("Clock Café", ada)
    member = stack.new_member("Wes Waiting")
    ada_api = api_as(stack, ada)
    ada_api("PATCH", f"spaces/{space_id}/settings", json={"away_now": True})
    write(api_as(stack, member), space_id, "Is the terrace open tonight?")
    conversation = conversation_of(stack, space_id, member)
    # Three hours ago, with the Space away since before.
    stack.site.sql(
        f"UPDATE {PREFIX}spaceinbox_away_spells SET started_at = started_at - INTERVAL 4 HOUR"
        " WHERE space_id = %s",
        [space_id],
    )
    for table, column in (("conversations", "awaiting_since"), ("response_periods", "opened_at")):
        stack.site.sql(
            f"UPDATE {PREFIX}spaceinbox_{table} SET {column} = {column} - INTERVAL 3 HOUR"
            " WHERE space_id = %s",
            [space_id],
        )
    since = stack.site.sql(
        f"SELECT awaiting_since FROM {PREFIX}spaceinbox_conversations WHERE id = %s",
        [conversation],
    )[0][0]
    figures = ada_api("GET", f"spaces/{space_id}/figures")
    assert figures["waiting"][0]["waited_seconds"] >= 3 * 3600 - 60, figures["waiting"]
    assert figures["space"]["days_7"]["waiting"] == 1

    page = browsing.login(ada, f"{stack.inbox_url}?team={space_id}")
    inbox = team_inbox(page)
    row = inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    expect(row).to_contain_text("Waiting 3 hours")
    inbox.get_by_role("button", name="Dashboard").click()
    waiting = inbox.locator(".space-inbox-dashboard__waiting")
    expect(waiting.get_by_role("heading", name="Waiting longest")).to_be_visible()
    expect(waiting).to_contain_text("Clock time since the member’s first unanswered message")
    item = waiting.get_by_role("button", name=re.compile(member.display_name))
    expect(item).to_contain_text("Waiting 3 hours")
    started = item.locator("time")
    expect(started).to_contain_text("since ")
    shown = datetime.fromisoformat(started.get_attribute("datetime").replace("Z", "+00:00"))
    assert abs(shown - since.replace(tzinfo=UTC)) < timedelta(seconds=1), (shown, since)
    # The response times say what they count: working time.
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard.get_by_role("heading", name="Response times, in working time")).to_be_visible()
    expect(dashboard.locator(".space-inbox-dashboard__windows")).to_contain_text(
        "time the Space is away"
    )
    browsing.shot(page, "waiting-clock-time")


# -- the chart ---------------------------------------------------------------------------------


def test_the_chart_has_a_value_axis_and_its_figures_as_a_table(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Chart Chandlery", ada)
    ada_api = api_as(stack, ada)
    members = [stack.new_member(f"Cy Chart {n}") for n in range(3)]
    for member in members:
        write(api_as(stack, member), space_id, "Do you sell rope by the metre?")
    answer(ada_api, space_id, conversation_of(stack, space_id, members[0]), "Yes, any length.")

    page, _inbox, dashboard = open_dashboard(browsing, stack, ada, space_id)
    chart = dashboard.get_by_role("figure", name="Messages to answer per day")
    expect(chart).to_be_visible()
    # The value axis: gridlines at round values from 0 to at least the highest bar.
    ticks = chart.locator(".space-inbox-chart__tick")
    expect(ticks).to_have_text(["0", "1", "2", "3"])
    area = chart.locator(".space-inbox-chart__area").bounding_box()
    top = ticks.last.bounding_box()
    assert abs((top["y"] + top["height"] / 2) - area["y"]) < 3, (top, area)
    today = chart.locator(".space-inbox-chart__day").last
    expect(today).to_have_attribute("title", re.compile(r": 3 to answer, 1 answered, median "))
    bar = today.locator(".space-inbox-chart__bar").bounding_box()
    assert abs(bar["height"] - area["height"]) < 3, (bar, area)  # 3 of 3
    answered = today.locator(".space-inbox-chart__answered").bounding_box()
    assert abs(answered["height"] - area["height"] / 3) < 3, (answered, area)

    # The figures as a table: read by screen readers, shown by a button, by keyboard.
    table = dashboard.get_by_role("table", name="Messages to answer per day, last 30 days")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(30)
    expect(rows.last.get_by_role("cell")).to_have_text(["3", "1", re.compile(r"\w")])
    numbers = chart.locator(".space-inbox-chart__numbers")
    assert numbers.bounding_box()["width"] <= 1  # visually hidden
    toggle = chart.get_by_role("button", name="Show the numbers")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(chart.get_by_role("button", name="Hide the numbers")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert numbers.bounding_box()["width"] > 200
    expect(rows.last.get_by_role("rowheader")).to_be_visible()
    browsing.shot(page, "chart-with-numbers")


# -- tables on a phone -------------------------------------------------------------------------

_CELLS_JS = """(table) => [...table.querySelectorAll('tbody tr')].map((row) =>
  [...row.children].map((cell) => {
    const box = cell.getBoundingClientRect();
    let clipped = false;
    for (let up = cell.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== 'visible') {
        const outer = up.getBoundingClientRect();
        if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) clipped = true;
      }
    }
    const label = getComputedStyle(cell, '::before').content;
    return {
      text: cell.innerText.trim(), left: box.left, right: box.right, top: box.top,
      width: box.width, clipped, label: label === 'none' ? '' : label.replace(/^"|"$/g, ''),
    };
  }))"""


def test_the_dashboards_tables_read_as_cards_on_a_phone(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Card Cartography", ada)
    member = stack.new_member("Cam Cards")
    write(api_as(stack, member), space_id, "Do you print maps of Lisbon?")
    answer(api_as(stack, ada), space_id, conversation_of(stack, space_id, member), "We do.")
    head = [
        "Admin",
        "Answered, 7 days",
        "Median, 7 days",
        "Answered, 30 days",
        "Median, 30 days",
        "9 in 10 within, 30 days",
    ]

    page, _inbox, dashboard = open_dashboard(browsing, stack, ada, space_id, viewport=NARROW)
    admins = dashboard.get_by_role("table", name="By admin, in working time")
    expect(admins.get_by_role("rowheader")).to_have_text(["Ada Admin"])
    tables = {
        "admins": admins,
        "windows": dashboard.get_by_role("table", name="Response times, in working time"),
    }
    for name, table in tables.items():
        for row in table.evaluate(_CELLS_JS):
            for cell in row:
                # Every value of a row is on the screen, whole, labelled with its column.
                assert cell["width"] > 0 and not cell["clipped"], (name, cell)
                assert 0 <= cell["left"] and cell["right"] <= NARROW["width"], (name, cell)
            for cell in row[1:]:
                assert cell["label"], (name, cell)
    ada_row = admins.evaluate(_CELLS_JS)[0]
    assert [c["label"] for c in ada_row[1:]] == head[1:]
    assert ada_row[0]["text"] == "Ada Admin" and ada_row[1]["text"] == "1"
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    admins.scroll_into_view_if_needed()
    browsing.shot(page, "admins-card-360", full_page=False)

    # The chart's numbers too, once shown.
    dashboard.get_by_role("button", name="Show the numbers").click()
    numbers = dashboard.get_by_role("table", name="Messages to answer per day, last 30 days")
    for row in numbers.evaluate(_CELLS_JS):
        for cell in row:
            assert not cell["clipped"] and cell["right"] <= NARROW["width"], cell
    assert horizontal_overflow(page) is None, horizontal_overflow(page)

    # A wide screen: a table again, a row on one line.
    page.set_viewport_size(DESKTOP)
    cells = admins.evaluate(_CELLS_JS)[0]
    assert len({round(c["top"]) for c in cells}) == 1, cells
    assert [c["label"] for c in cells] == [""] * 6
    expect(admins.get_by_role("columnheader")).to_have_text(head)
    browsing.shot(page, "admins-table-1280", full_page=False)


# -- buttons -----------------------------------------------------------------------------------

_BUTTONS_JS = """(root) => {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const probe = frame.contentDocument.createElement('button');
  probe.textContent = 'probe';
  frame.contentDocument.body.append(probe);
  const ua = frame.contentWindow.getComputedStyle(probe);
  const plain = {background: ua.backgroundColor, border: ua.borderTopStyle};
  const canvas = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  const rgba = (color) => {
    canvas.clearRect(0, 0, 1, 1);
    canvas.fillStyle = '#000';
    canvas.fillStyle = color;
    canvas.fillRect(0, 0, 1, 1);
    return [...canvas.getImageData(0, 0, 1, 1).data];
  };
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = (el) => {
    for (let at = el; at; at = at.parentElement) {
      const color = rgba(getComputedStyle(at).backgroundColor);
      if (color[3] === 255) return color;
    }
    return [255, 255, 255, 255];
  };
  const buttons = [...root.querySelectorAll('button')].filter((b) => b.getClientRects().length
    && getComputedStyle(b).visibility !== 'hidden' && b.getBoundingClientRect().width > 1);
  const found = buttons.map((b) => {
    const style = getComputedStyle(b);
    const fore = luminance(rgba(style.color));
    const back = luminance(behind(b));
    const contrast = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    return {
      name: (b.getAttribute('aria-label') || b.innerText).trim().slice(0, 40),
      background: style.backgroundColor, border: style.borderTopStyle,
      font: style.fontFamily, contrast: Math.round(contrast * 10) / 10,
    };
  });
  frame.remove();
  return {plain, found, surface: luminance(behind(root))};
}"""


def test_no_button_of_the_dashboard_is_the_browsers_own_in_light_or_dark(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Button Bindery", ada)
    ada_api = api_as(stack, ada)
    ada_api(
        "POST",
        f"spaces/{space_id}/saved-replies",
        json={"title": "Bindings", "body": "Linen, leather or paper."},
    )
    ada_api(
        "PATCH",
        f"spaces/{space_id}/settings",
        json={"hours": {"tue": [{"opens": "10:00", "closes": "18:00"}]}},
    )
    write(api_as(stack, stack.new_member("Bo Buttons")), space_id, "Do you rebind old books?")

    page, _inbox, dashboard = open_dashboard(browsing, stack, ada, space_id)
    expect(dashboard.get_by_role("button", name="Delete “Bindings”")).to_be_visible()
    names = set()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (DESKTOP["width"], NARROW["width"]):
            page.set_viewport_size({"width": width, "height": 900})
            seen = dashboard.evaluate(_BUTTONS_JS)
            plain = seen["plain"]
            assert plain["border"] == "outset", plain  # the browser's own, to tell it apart
            for button in seen["found"]:
                names.add(button["name"])
                assert button["background"] != plain["background"], (scheme, button)
                assert button["background"] not in ("rgb(239, 239, 239)", "buttonface")
                assert button["border"] not in ("outset", "inset"), (scheme, button)
                assert button["contrast"] >= 4.5, (scheme, width, button)
            if width == NARROW["width"]:
                browsing.shot(page, f"buttons-{scheme}-{width}")
        # The dark scheme draws the Dashboard dark (the shared palette), the light one light.
        assert (seen["surface"] < 0.2) == (scheme == "dark"), (scheme, seen["surface"])
        # Asking before a deletion shows two more buttons.
        dashboard.get_by_role("button", name="Delete “Bindings”").click()
        asked = dashboard.evaluate(_BUTTONS_JS)["found"]
        assert {"Delete", "Keep it"} <= {b["name"] for b in asked}
        for button in asked:
            assert button["background"] != plain["background"], (scheme, button)
            assert button["contrast"] >= 4.5, (scheme, button)
        dashboard.get_by_role("button", name="Keep it").click()
    expected = {
        "Show the numbers",
        "Add hours on Monday",
        "Remove these hours on Tuesday",
        "Edit “Bindings”",
        "Delete “Bindings”",
        "Save reply",
    }
    assert expected <= names, names
    assert any(n.startswith("Bo Buttons") for n in names), names
