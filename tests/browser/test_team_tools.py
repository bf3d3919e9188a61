"""A Space team's tools in Chromium, on the proxy-mode stack (pages poll, no live stream):
two admins with the same conversation open (one sees the other typing, the member never
does; an answer written while a teammate answered is held until its writer says so), saved
replies in the composer ("/" and the button) and their manager, the dashboard's figures and
away settings, and the "Typically replies" line on the Space page and in the member's inbox."""

from __future__ import annotations

import json
import pathlib
import re
import uuid

from playwright.sync_api import expect

from devstack.callers import proxy_url

from .support import (
    DESKTOP,
    PASSWORD,
    PHONE,
    PREFIX,
    SPACE_NAME,
    eventually,
    horizontal_overflow,
    member_inbox,
    message_in,
    recorder,
    team_inbox,
    unnamed_controls,
)

ASKED = "Someone on your team already answered. Send yours too?"
#: A teammate's typing shows within a poll (4 s) and its round trips; so does its end.
TYPING_WITHIN_MS = 7_000
#: An open team conversation's check: who types, and its newest message.
TYPING_CHECK = re.compile(r"path=spaces/\d+/conversations/\d+/typing")


def space_answers(stack, member, space_id: int | None = None) -> list[tuple[str, int]]:
    """The Space's answers to *member* as stored: (text, author id), oldest first."""
    return [
        (row[0], int(row[1]))
        for row in stack.site.sql(
            f"SELECT m.body, m.author_id FROM {PREFIX}spaceinbox_messages m"
            f" JOIN {PREFIX}spaceinbox_conversations c ON c.id = m.conversation_id"
            " WHERE c.space_id = %s AND c.member_id = %s AND m.direction = 'space'"
            " ORDER BY m.id",
            [space_id or stack.space_id, member.user_id],
        )
    ]


def api_as(stack, person):
    """Calls to the bridge through the plugin's proxy, as *person*, logged in once."""
    session = stack.site.login(person.login, PASSWORD)
    nonce = stack.site.rest_nonce(session)

    def call(method: str, path: str, **kw):
        return session.request(
            method,
            proxy_url(stack.url, path),
            headers={"X-WP-Nonce": nonce},
            timeout=30,
            **kw,
        )

    return call


def mails_titled(stack, person, since: int, subject: str) -> list[dict]:
    """The e-mails to *person* with *subject* since the *since*-th, once one has come (the
    dispatcher sends the others, a member's message's, in their own time)."""

    def found() -> list[dict]:
        return [m for m in stack.mail_to(person.email, since) if m["subject"] == subject]

    assert eventually(found, 15.0), [m["subject"] for m in stack.mail_to(person.email, since)]
    return found()


def team_url(stack, space_id: int, conversation: int | None = None) -> str:
    url = f"{stack.inbox_url}?team={space_id}"
    return f"{url}&conversation={conversation}" if conversation else url


def answers_posted(page) -> list[dict]:
    """The JSON bodies of the answers *page* posts from now on."""
    posted: list[dict] = []

    def keep(request) -> None:
        if request.method == "POST" and re.search(
            r"conversations(/|%2F)\d+(/|%2F)messages", request.url
        ):
            posted.append(json.loads(request.post_data or "{}"))

    page.on("request", keep)
    return posted


def test_two_admins_see_each_other_typing_and_an_answer_written_meanwhile_waits_for_a_yes(
    stack, browsing
):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Tess Typing")
    question = "Can I change the size of my order?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)

    # The member's own page is open on the conversation too, and records what it asks.
    member_context = browsing.context(member.login)
    member_calls: list[str] = []
    member_context.on("request", lambda r: member_calls.append(r.url))
    member_page = member_context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(member_page), question, mine=True)).to_be_visible()

    ada_page = browsing.login(ada, team_url(stack, stack.space_id, conversation))
    ben_page = browsing.login(ben, team_url(stack, stack.space_id, conversation))
    ada_inbox, ben_inbox = team_inbox(ada_page), team_inbox(ben_page)
    for inbox in (ada_inbox, ben_inbox):
        expect(message_in(inbox, question)).to_be_visible()
    ben_notice = ben_inbox.locator(".space-inbox__typing")
    expect(ben_notice).to_have_attribute("aria-live", "polite")
    # Each sees that the other has the conversation open.
    expect(ben_notice).to_have_text("Also here: Ada Admin.", timeout=TYPING_WITHIN_MS)
    expect(ada_inbox.locator(".space-inbox__typing")).to_have_text(
        "Also here: Ben Admin.", timeout=TYPING_WITHIN_MS
    )
    ben_posts = answers_posted(ben_page)

    # Ada types: Ben sees that she does, by name; the member sees that the Space types,
    # never who.
    ada_box = ada_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    ada_answer = "Yes: tell us the size you want and we swap it before it ships."
    ada_box.press_sequentially(ada_answer[:20])
    expect(ben_notice).to_have_text(f"{ada.display_name} is replying…", timeout=TYPING_WITHIN_MS)
    # Not her own typing.
    expect(ada_inbox.locator(".space-inbox__typing")).to_have_text("Also here: Ben Admin.")
    member_notice = member_inbox(member_page).locator(".space-inbox__typing")
    expect(member_notice).to_have_text(f"{SPACE_NAME} is typing…", timeout=TYPING_WITHIN_MS)
    expect(member_notice).to_have_attribute("aria-live", "polite")
    browsing.shot(ben_page, "ben-sees-ada-typing")
    browsing.shot(member_page, "member-sees-the-space-typing")
    ada_box.press_sequentially(ada_answer[20:])
    page_text = member_page.evaluate("document.body.innerText")
    assert ada.display_name not in page_text and "replying" not in page_text, page_text
    typing_calls = [url for url in member_calls if "typing" in url and ".js" not in url]
    assert typing_calls, member_calls  # the member's page asks the member's API only
    assert all(f"me/spaces/{stack.space_id}/typing" in url for url in typing_calls), typing_calls

    # Ada sends: she is no longer answering, only there.
    ada_inbox.get_by_role("button", name="Send").click()
    expect(message_in(ada_inbox, ada_answer, mine=True)).to_have_attribute("data-state", "sent")
    expect(ben_notice).to_have_text("Also here: Ada Admin.", timeout=TYPING_WITHIN_MS)
    expect(member_notice).to_have_text("", timeout=TYPING_WITHIN_MS)
    assert space_answers(stack, member) == [(ada_answer, ada.user_id)]

    # Ben's page shows Ada's answer at its next check (it changes no count of his).
    expect(message_in(ben_inbox, ada_answer)).to_be_visible(timeout=TYPING_WITHIN_MS)

    # Ada adds a line from elsewhere, and Ben answers before his page has checked (its checks
    # held here): he is asked first.
    ben_page.route(
        TYPING_CHECK,
        lambda route: route.abort() if route.request.method == "GET" else route.continue_(),
    )
    meanwhile = "We can also swap it after it ships."
    stack.reply_as(ada, member, meanwhile)
    expect(message_in(ben_inbox, meanwhile)).to_have_count(0)
    ben_box = ben_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    ben_answer = "Sure, which size would you like instead?"
    ben_box.fill(ben_answer)
    ben_inbox.get_by_role("button", name="Send").click()
    asked = ben_inbox.get_by_role("alertdialog", name=ASKED)
    expect(asked).to_be_visible()
    expect(asked).to_be_focused()
    expect(message_in(ben_inbox, meanwhile)).to_be_visible()  # reloaded: what Ada sent
    expect(message_in(ben_inbox, meanwhile).locator(".space-inbox__audit")).to_contain_text(
        "sent by Ada Admin"
    )
    expect(ben_box).to_have_value(ben_answer)
    expect(message_in(ben_inbox, ben_answer)).to_have_count(0)
    browsing.shot(ben_page, "ben-is-asked")
    assert len(ben_posts) == 1 and isinstance(ben_posts[0].get("seen_id"), int), ben_posts

    # "Don't send": nothing goes out, the draft stays.
    asked.get_by_role("button", name="Don’t send").click()
    expect(asked).to_be_hidden()
    expect(ben_box).to_have_value(ben_answer)
    expect(ben_box).to_be_focused()
    # Whatever the click sent would have gone before the page's next poll is answered.
    ben_page.wait_for_event("response", lambda r: "me/summary" in r.url, timeout=15000)
    assert len(ben_posts) == 1, ben_posts
    assert space_answers(stack, member) == [(ada_answer, ada.user_id), (meanwhile, ada.user_id)]
    expect(message_in(ben_inbox, ben_answer)).to_have_count(0)

    # Ada adds a line from elsewhere; Ben, not having seen it, sends: asked again, and yes.
    more = "We have every size in stock."
    stack.reply_as(ada, member, more)
    ben_inbox.get_by_role("button", name="Send").click()
    expect(asked).to_be_visible()
    expect(message_in(ben_inbox, more)).to_be_visible()
    assert len(space_answers(stack, member)) == 3
    asked.get_by_role("button", name="Send mine too").click()
    sent = message_in(ben_inbox, ben_answer, mine=True)
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent.locator(".space-inbox__audit")).to_contain_text("sent by Ben Admin")
    expect(ben_box).to_have_value("")
    assert space_answers(stack, member) == [
        (ada_answer, ada.user_id),
        (meanwhile, ada.user_id),
        (more, ada.user_id),
        (ben_answer, ben.user_id),
    ]
    # The yes sent the same answer again (same client key), without seen_id.
    refused, confirmed = ben_posts[-2], ben_posts[-1]
    assert isinstance(refused.get("seen_id"), int), ben_posts
    assert confirmed == {"body": ben_answer, "client_key": refused["client_key"]}, ben_posts
    browsing.shot(ben_page, "ben-sent-his-too")


def test_a_private_note_is_the_teams_and_tells_the_teammate_it_names(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member = stack.new_member("Nia Noted")
    question = "Is the blue hoodie coming back in M?"
    stack.send_as(member, question)
    conversation = stack.conversation_of(member)
    # Everything the member's browser receives from now on, and their page open.
    member_context = browsing.context(member.login)
    received = recorder(member_context)
    member_page = member_context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    expect(message_in(member_inbox(member_page), question, mine=True)).to_be_visible()

    ada_page = browsing.login(ada, team_url(stack, stack.space_id, conversation))
    ben_page = browsing.login(ben, team_url(stack, stack.space_id, conversation))
    ada_inbox, ben_inbox = team_inbox(ada_page), team_inbox(ben_page)
    expect(message_in(ben_inbox, question)).to_be_visible()
    mails = stack.mail_count()

    # Ada switches the box to a note: it says who sees it and whom @ tells.
    note_button = ada_inbox.get_by_role("button", name="Private note")
    expect(note_button).to_have_attribute("aria-pressed", "false")
    note_button.click()
    expect(note_button).to_have_attribute("aria-pressed", "true")
    box = ada_inbox.get_by_role(
        "textbox", name="Private note for your team (the member never sees it)"
    )
    expect(box).to_be_focused()
    help_line = ada_inbox.locator(".space-inbox__note-help")
    expect(help_line).to_contain_text("Only your team sees notes.")
    expect(help_line).to_contain_text("@ben-admin (Ben Admin)")
    expect(help_line).not_to_contain_text("@ada-admin")
    assert help_line.get_attribute("id") in (box.get_attribute("aria-describedby") or "")
    note = "@ben-admin the supplier restocks M on Friday, can you confirm?"
    box.fill(note)
    browsing.shot(ada_page, "ada-writes-a-note")
    ada_inbox.get_by_role("button", name="Add note").click()
    written = ada_inbox.locator(".space-inbox-msg--note", has_text="supplier restocks")
    expect(written).to_have_attribute("data-state", "sent")
    expect(written.locator(".space-inbox__audit")).to_contain_text("Private note by Ada Admin")
    # The box still writes notes: text meant for the team never goes to the member because
    # the box changed under it.
    expect(note_button).to_have_attribute("aria-pressed", "true")
    expect(box).to_have_value("")
    browsing.shot(ada_page, "ada-sees-her-note")

    # Ben's page shows it at its next check (a note moves no count), drawn as a note.
    ben_note = ben_inbox.locator(".space-inbox-msg--note", has_text="supplier restocks")
    expect(ben_note).to_be_visible(timeout=TYPING_WITHIN_MS)
    expect(ben_note.locator(".space-inbox__audit")).to_contain_text("Private note by Ada Admin")
    # And he is told by e-mail: he was named.
    told = mails_titled(stack, ben, mails, f"Ada Admin mentioned you in a note for {SPACE_NAME}")
    assert len(told) == 1, told
    assert not stack.mail_to(member.email, mails)

    # Back to answering: the answer goes to the member, the note never does.
    ada_inbox.get_by_role("button", name="Reply", exact=True).click()
    answer_box = ada_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    expect(answer_box).to_be_focused()
    answer_box.fill("It is back on Friday, in every size.")
    ada_inbox.get_by_role("button", name="Send").click()
    expect(message_in(ada_inbox, "back on Friday", mine=True)).to_have_attribute(
        "data-state", "sent"
    )
    expect(message_in(member_inbox(member_page), "back on Friday")).to_be_visible(timeout=15_000)
    assert space_answers(stack, member) == [("It is back on Friday, in every size.", ada.user_id)]
    member_page.reload()
    expect(message_in(member_inbox(member_page), "back on Friday")).to_be_visible()
    browsing.shot(member_page, "the-member-sees-the-answer-only")
    # Nothing the member's browser got holds the note; nothing the bridge answered names
    # Ada or a note at all.
    assert not [url for url, body in received if "supplier" in body]
    from_bridge = [(url, body) for url, body in received if "proxy.php" in url]
    assert from_bridge
    assert not [url for url, body in from_bridge if "Ada Admin" in body or "note" in body.lower()]


def test_a_conversation_is_given_to_a_teammate_and_found_under_mine(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member, other = stack.new_member("Gus Given"), stack.new_member("Una Unassigned")
    stack.send_as(member, "Can I pay by bank transfer?")
    stack.send_as(other, "Do you print on hoodies?")
    given = stack.conversation_of(member)
    member_context = browsing.context(member.login)
    received = recorder(member_context)
    member_page = member_context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    mails = stack.mail_count()

    page = browsing.login(ada, team_url(stack, stack.space_id, given))
    inbox = team_inbox(page)
    field = inbox.get_by_role("combobox", name="Assigned to", exact=True)
    expect(field).to_have_value("")
    expect(field.locator("option")).to_have_text(["The team", "Ada Admin (you)", "Ben Admin"])
    field.select_option(label="Ben Admin")
    expect(inbox.locator(".space-inbox__thread .space-inbox__status")).to_have_text(
        "Given to Ben Admin."
    )
    row = inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    expect(row).to_contain_text("For Ben Admin")
    browsing.shot(page, "ada-gave-it-to-ben")
    # Unassigned: the other conversation only.
    inbox.get_by_role("combobox", name="Assigned", exact=True).select_option(label="Unassigned")
    rows = inbox.locator(".space-inbox__item-button")
    expect(rows.filter(has_text=member.display_name)).to_have_count(0)
    expect(rows.filter(has_text=other.display_name)).to_have_count(1)

    # Ben is told, and finds it under Mine, marked his.
    told = mails_titled(stack, ben, mails, f"Ada Admin gave you a conversation of {SPACE_NAME}")
    assert len(told) == 1, told
    ben_page = browsing.login(ben, team_url(stack, stack.space_id))
    ben_inbox = team_inbox(ben_page)
    ben_inbox.get_by_role("combobox", name="Assigned", exact=True).select_option(label="Mine")
    ben_rows = ben_inbox.locator(".space-inbox__item-button")
    expect(ben_rows.filter(has_text=other.display_name)).to_have_count(0)
    his = ben_rows.filter(has_text=member.display_name)
    expect(his).to_contain_text("Yours")
    his.click()
    expect(ben_inbox.get_by_role("combobox", name="Assigned to", exact=True)).to_have_value(
        str(ben.user_id)
    )
    # He gives it back to the team.
    ben_inbox.get_by_role("combobox", name="Assigned to", exact=True).select_option(
        label="The team"
    )
    expect(ben_inbox.locator(".space-inbox__thread .space-inbox__status")).to_have_text(
        "Left to the team."
    )
    expect(his).to_have_count(0)  # not his now

    # On a phone the head keeps every control in view.
    phone = browsing.login(ada, team_url(stack, stack.space_id, given), viewport=PHONE)
    expect(
        team_inbox(phone).get_by_role("combobox", name="Assigned to", exact=True)
    ).to_be_visible()
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    browsing.shot(phone, "assigned-on-a-phone")

    member_page.reload()
    expect(message_in(member_inbox(member_page), "bank transfer", mine=True)).to_be_visible()
    from_bridge = [(url, body) for url, body in received if "proxy.php" in url]
    assert from_bridge
    assert not [url for url, body in from_bridge if "Ben Admin" in body or "assign" in body.lower()]


def test_labels_are_made_set_filtered_renamed_and_deleted_from_the_conversation(stack, browsing):
    ada, ben = stack.ada, stack.ben
    member, other = stack.new_member("Lia Labelled"), stack.new_member("Otto Other")
    stack.send_as(member, "Can you print 40 shirts for a wedding?")
    stack.send_as(other, "Where is my parcel?")
    wedding = stack.conversation_of(member)
    member_context = browsing.context(member.login)
    received = recorder(member_context)
    member_page = member_context.new_page()
    browsing.log_in(member_page, member, f"{stack.inbox_url}?space={stack.space_id}")
    ben_page = browsing.login(ben, team_url(stack, stack.space_id))
    ben_rows = team_inbox(ben_page).locator(".space-inbox__item-button")

    page = browsing.login(ada, team_url(stack, stack.space_id, wedding))
    inbox = team_inbox(page)
    expect(message_in(inbox, "40 shirts")).to_be_visible()  # opened, its title focused
    button = inbox.get_by_role("button", name="Labels", exact=True)
    expect(button).to_have_attribute("aria-expanded", "false")
    # Opening the panel asks for the Space's labels: that answer (none yet) is held until the
    # new label is made, and must not take it away.
    asked = []

    def hold_answer(route) -> None:
        if route.request.method == "GET":
            asked.append((route, route.fetch()))
        else:
            route.continue_()

    the_spaces_labels = re.compile(r"spaces(/|%2F)\d+(/|%2F)labels($|&)")
    page.route(the_spaces_labels, hold_answer)
    button.click()
    panel = inbox.get_by_role("group", name="Labels of this conversation")
    expect(panel).to_be_visible()
    assert eventually(lambda: asked, 10, page=page), "the labels were not asked for"
    # A new label, by keyboard: it is made and put on the conversation.
    panel.get_by_label("New label").fill("Big order")
    panel.get_by_role("combobox", name="Colour", exact=True).select_option(label="Teal")
    panel.get_by_label("New label").press("Enter")
    status = inbox.locator(".space-inbox__thread .space-inbox__status")
    expect(status).to_have_text("Label Big order added.")
    expect(panel.get_by_role("checkbox", name="Big order")).to_be_checked()
    held, answer = asked[0]
    assert '"labels": []' in answer.text() or '"labels":[]' in answer.text(), answer.text()
    with page.expect_response(the_spaces_labels):
        held.fulfill(response=answer)
    page.unroute(the_spaces_labels)
    expect(panel.get_by_role("checkbox", name="Big order")).to_be_checked()
    head = inbox.locator(".space-inbox__labels-on")
    expect(head.locator(".space-inbox__label--teal")).to_have_text("Big order")
    row = inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    expect(row.locator(".space-inbox__label")).to_have_text(["Big order"])
    browsing.shot(page, "a-label-on-the-conversation")
    # Escape closes the panel and gives the focus back to its button.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(button).to_be_focused()

    # Ben's list shows it live; the filter finds it alone.
    expect(
        ben_rows.filter(has_text=member.display_name).locator(".space-inbox__label")
    ).to_have_text(["Big order"], timeout=10_000)
    ben_page.reload()
    ben_filter = team_inbox(ben_page).get_by_role("combobox", name="Label", exact=True)
    ben_filter.select_option(label="Big order")
    expect(ben_rows.filter(has_text=other.display_name)).to_have_count(0)
    expect(ben_rows.filter(has_text=member.display_name)).to_have_count(1)

    # Taken off by its checkbox, put back, renamed, then deleted after a question. Taking it
    # off is held until a teammate's answer has drawn the conversation again (from the list
    # as it was): the box still shows what was done.
    button.click()
    box = panel.get_by_role("checkbox", name="Big order")
    held = []
    labelling = re.compile(r"conversations(/|%2F)\d+(/|%2F)labels")
    page.route(labelling, lambda route: held.append(route))
    box.uncheck()
    assert eventually(lambda: held, 10, page=page), "the change never left"
    stack.reply_as(ben, member, "We can do that.")
    expect(message_in(inbox, "We can do that.")).to_be_visible()
    held[0].continue_()
    page.unroute(labelling)
    expect(status).to_have_text("Label Big order removed.")
    expect(box).not_to_be_checked()
    expect(box).to_be_focused()
    expect(row.locator(".space-inbox__label")).to_have_count(0)
    box.check()
    expect(row.locator(".space-inbox__label")).to_have_text(["Big order"])
    panel.get_by_role("button", name="Edit the label Big order").click()
    expect(panel.get_by_label("New label")).to_be_hidden()  # one form at a time
    panel.get_by_role("textbox", name="Name", exact=True).fill("Wedding order")
    panel.get_by_role("combobox", name="Colour", exact=True).select_option(label="Pink")
    panel.get_by_role("button", name="Save", exact=True).click()
    expect(status).to_have_text("Label Wedding order saved.")
    expect(head.locator(".space-inbox__label--pink")).to_have_text("Wedding order")
    expect(row.locator(".space-inbox__label")).to_have_text(["Wedding order"])
    panel.get_by_role("button", name="Edit the label Wedding order").click()
    panel.get_by_role("button", name="Delete", exact=True).click()
    expect(panel).to_contain_text("It comes off the 1 conversation that has it.")
    panel.get_by_role("button", name="Delete", exact=True).click()
    expect(status).to_have_text("Label Wedding order deleted.")
    expect(row.locator(".space-inbox__label")).to_have_count(0)
    expect(panel).to_contain_text("This Space has no labels yet")
    unnamed, controls = unnamed_controls(inbox)
    assert unnamed == [], controls

    # On a phone the panel stays inside the screen.
    phone = browsing.login(ada, team_url(stack, stack.space_id, wedding), viewport=PHONE)
    team_inbox(phone).get_by_role("button", name="Labels", exact=True).click()
    expect(team_inbox(phone).get_by_label("New label")).to_be_visible()
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    browsing.shot(phone, "labels-on-a-phone")

    # The member's browser heard nothing of it.
    member_page.reload()
    expect(message_in(member_inbox(member_page), "40 shirts", mine=True)).to_be_visible()
    from_bridge = [body for url, body in received if "proxy.php" in url]
    assert from_bridge
    assert not [
        b for b in from_bridge if "label" in b.lower() or "Wedding order" in b or "Big order" in b
    ]


def test_the_team_searches_its_conversations_by_words_and_by_name(stack, browsing):
    ada = stack.ada
    member, other = stack.new_member("Sid Searched"), stack.new_member("Nora Namesake")
    stack.send_as(member, "Do you print on organic cotton hoodies?")
    stack.send_as(other, "When does the shop open?")
    found_one = stack.conversation_of(member)

    page = browsing.login(ada, team_url(stack, stack.space_id))
    inbox = team_inbox(page)
    field = inbox.get_by_role("searchbox", name="Search")
    field.fill("organ hood")
    field.press("Enter")
    status = inbox.locator(".space-inbox__list > .space-inbox__status")
    expect(status).to_have_text("1 conversation found for “organ hood”.")
    rows = inbox.locator(".space-inbox__item-button")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Do you print on organic cotton hoodies?")
    expect(rows.first.locator("mark")).to_have_text(["organ", "hood"])
    # The filters wait while a search shows: it covers every conversation.
    expect(inbox.get_by_role("combobox", name="Show", exact=True)).to_be_disabled()
    browsing.shot(page, "search-found")
    rows.first.click()
    expect(message_in(inbox, "organic cotton hoodies")).to_be_visible()
    assert f"conversation={found_one}" in page.url

    # A name finds its member's conversation; nothing found says so.
    field.fill("namesake")
    inbox.get_by_role("button", name="Find", exact=True).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nora Namesake")
    expect(rows.first).to_contain_text("The member’s name matches.")
    field.fill("zeppelin")
    field.press("Enter")
    expect(status).to_have_text("Nothing found for “zeppelin”.")
    expect(inbox.locator(".space-inbox__list .space-inbox__empty")).to_have_text("Nothing found.")
    # Escape empties the field and shows the list again, filters and all.
    field.press("Escape")
    expect(field).to_have_value("")
    expect(rows.filter(has_text="Sid Searched")).to_have_count(1)
    expect(rows.filter(has_text="Nora Namesake")).to_have_count(1)
    expect(inbox.get_by_role("combobox", name="Show", exact=True)).to_be_enabled()

    phone = browsing.login(ada, team_url(stack, stack.space_id), viewport=PHONE)
    phone_field = team_inbox(phone).get_by_role("searchbox", name="Search")
    phone_field.fill("cotton")
    phone_field.press("Enter")
    expect(team_inbox(phone).locator(".space-inbox__item-button mark")).to_have_text("cotton")
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    browsing.shot(phone, "search-on-a-phone")


def test_an_admin_who_started_answering_holds_the_conversation_until_she_sends_or_leaves(
    stack, browsing
):
    ada, ben = stack.ada, stack.ben
    member, other = stack.new_member("Cleo Claimed"), stack.new_member("Otis Other")
    stack.send_as(other, "Do you sell socks?")
    stack.send_as(member, "Can you gift-wrap an order?")
    conversation = stack.conversation_of(member)
    ada_page = browsing.login(ada, team_url(stack, stack.space_id, conversation))
    ben_page = browsing.login(ben, team_url(stack, stack.space_id))
    ada_inbox, ben_inbox = team_inbox(ada_page), team_inbox(ben_page)
    row = ben_inbox.locator(".space-inbox__item-button", has_text=member.display_name)
    # Ben's list says who has it open.
    expect(row.locator(".space-inbox__presence")).to_have_text("Ada Admin viewing", timeout=25_000)

    # Ada begins an answer and stops to look something up: she still holds it.
    box = ada_inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    box.press_sequentially("Yes, for 2 euros")
    ada_inbox.locator(".space-inbox__thread-head h2").focus()  # the box loses the focus
    row.click()
    notice = ben_inbox.locator(".space-inbox__typing")
    expect(notice).to_have_text(
        "Ada Admin is answering this conversation: you can still answer too.",
        timeout=TYPING_WITHIN_MS + 8_000,
    )
    expect(row.locator(".space-inbox__presence")).to_have_text(
        "Ada Admin answering", timeout=25_000
    )
    browsing.shot(ben_page, "ben-sees-ada-answering")

    # She opens another conversation: her hold ends, and Ben's page says so.
    ada_inbox.locator(".space-inbox__item-button", has_text=other.display_name).click()
    expect(notice).to_have_text("", timeout=TYPING_WITHIN_MS)

    # She opens it again and goes on with her answer before its messages have come (held
    # here): what she types stays in the box, which keeps the focus when they come.
    messages = re.compile(
        rf"path=spaces(/|%2F)\d+(/|%2F)conversations(/|%2F){conversation}"
        r"(/|%2F)messages"
    )
    held = []
    ada_page.route(messages, lambda route: route.continue_() if held else held.append(route))
    ada_inbox.locator(".space-inbox__item-button", has_text=member.display_name).click()
    assert eventually(lambda: held, 10, page=ada_page), "its messages were not asked for"
    expect(box).to_have_value("Yes, for 2 euros")  # her draft
    box.press_sequentially(" a parcel")
    held[0].continue_()
    ada_page.unroute(messages)
    expect(message_in(ada_inbox, "Can you gift-wrap an order?")).to_be_visible()
    expect(box).to_be_focused()
    ada_page.keyboard.type(".")
    expect(box).to_have_value("Yes, for 2 euros a parcel.")
    # As long as the first claim may take: Ben's page hears it at its next check.
    expect(notice).to_contain_text("Ada Admin is", timeout=TYPING_WITHIN_MS + 8_000)
    ada_page.close()
    expect(notice).to_have_text("", timeout=TYPING_WITHIN_MS)


def test_a_space_gives_new_conversations_in_turn_to_the_admins_with_the_inbox_open(stack, browsing):
    ada, ben = stack.ada, stack.ben
    page = browsing.login(ada, f"{team_url(stack, stack.space_id)}&view=dashboard")
    inbox = team_inbox(page)
    box = inbox.get_by_role(
        "checkbox",
        name="Give each new conversation, in turn, to one of the team with the inbox open",
    )
    expect(box).not_to_be_checked()
    box.check()
    assert eventually(
        lambda: stack.proxy(ada, "GET", f"spaces/{stack.space_id}/settings").json()[
            "assign_in_turn"
        ],
        10.0,
    ), "the setting was not saved"
    browsing.shot(page, "in-turn-setting")
    ben_page = browsing.login(ben, team_url(stack, stack.space_id))
    expect(team_inbox(ben_page).locator(".space-inbox__list")).to_be_visible()
    mails = stack.mail_count()
    try:
        member = stack.new_member("Tom Turn")
        stack.send_as(member, "Do you ship to Iceland?")
        conversation = stack.conversation_of(member)
        (row,) = stack.site.sql(
            f"SELECT assignee_id FROM {PREFIX}spaceinbox_conversations WHERE id = %s",
            [conversation],
        )
        assert row[0] in (ada.user_id, ben.user_id), row
        given = ada if row[0] == ada.user_id else ben

        mails_titled(stack, given, mails, f"A new conversation of {SPACE_NAME} is yours")
        # Their list says it is theirs.
        if given is ada:
            inbox.get_by_role("button", name="Conversations").click()
        theirs = team_inbox(page if given is ada else ben_page)
        row_button = theirs.locator(".space-inbox__item-button", has_text=member.display_name)
        expect(row_button).to_contain_text("Yours", timeout=15_000)
    finally:
        stack.proxy(
            ada, "PATCH", f"spaces/{stack.space_id}/settings", json={"assign_in_turn": False}
        )


def _clear_saved_replies(stack) -> None:
    listed = stack.proxy(stack.ada, "GET", f"spaces/{stack.space_id}/saved-replies")
    assert listed.status_code == 200, listed.text
    for reply in listed.json()["saved_replies"]:
        gone = stack.proxy(
            stack.ada, "DELETE", f"spaces/{stack.space_id}/saved-replies/{reply['id']}"
        )
        assert gone.status_code == 204, gone.text


def test_saved_replies_are_kept_in_the_dashboard_and_inserted_by_slash_or_by_click(stack, browsing):
    _clear_saved_replies(stack)
    returns = "You can return any shirt within 30 days, unworn, with its label."
    added = stack.proxy(
        stack.ben,
        "POST",
        f"spaces/{stack.space_id}/saved-replies",
        json={"title": "Returns", "body": returns},
    )
    assert added.status_code == 201, added.text
    member = stack.new_member("Sol Saved")
    stack.send_as(member, "How long does shipping take, and can I return a shirt?")
    conversation = stack.conversation_of(member)
    page = browsing.login(stack.ada, team_url(stack, stack.space_id, conversation))
    inbox = team_inbox(page)

    # The manager, in the dashboard: add one, change it (PUT, which proxy mode sends
    # through proxy.php), delete another.
    inbox.get_by_role("button", name="Saved replies").click()
    picker = inbox.locator(".space-inbox__picker")
    expect(picker.get_by_role("option")).to_have_count(1)
    picker.get_by_role("button", name="Manage saved replies").click()
    expect(inbox.get_by_role("button", name="Dashboard")).to_have_attribute("aria-pressed", "true")
    manager = inbox.locator(".space-inbox-dashboard__replies")
    expect(manager.get_by_role("heading", name="Saved replies")).to_be_focused()
    expect(manager.locator(".space-inbox-replies__item")).to_have_count(1)
    manager.get_by_role("textbox", name="Title").fill("Shipping times")
    manager.get_by_role("textbox", name="Text").fill("We ship in 3 working days.")
    manager.get_by_role("button", name="Save reply").click()
    expect(manager.locator(".space-inbox-replies__item")).to_have_count(2)
    manager.get_by_role("button", name="Edit “Shipping times”").click()
    shipping = "We ship within 2 working days; tracking comes by e-mail."
    manager.get_by_role("textbox", name="Text").fill(shipping)
    manager.get_by_role("button", name="Save reply").click()
    expect(
        manager.locator(".space-inbox-replies__item", has_text="Shipping times")
    ).to_contain_text(shipping)
    manager.get_by_role("textbox", name="Title").fill("Old one")
    manager.get_by_role("textbox", name="Text").fill("To be deleted.")
    manager.get_by_role("button", name="Save reply").click()
    manager.get_by_role("button", name="Delete “Old one”").click()
    manager.get_by_role("button", name="Delete", exact=True).click()
    expect(manager.locator(".space-inbox-replies__item")).to_have_count(2)
    expect(manager.locator(".space-inbox-replies__item")).to_contain_text(
        ["Returns", "Shipping times"]
    )
    browsing.shot(page, "saved-replies-manager")
    stored = stack.proxy(stack.ada, "GET", f"spaces/{stack.space_id}/saved-replies").json()
    assert [(r["title"], r["body"]) for r in stored["saved_replies"]] == [
        ("Returns", returns),
        ("Shipping times", shipping),
    ]

    # "/" first in the empty box opens the list, filtered by what follows; arrows, Enter.
    inbox.get_by_role("button", name="Conversations").click()
    box = inbox.get_by_role("textbox", name=f"Reply as {SPACE_NAME}")
    expect(message_in(inbox, "How long does shipping take")).to_be_visible()
    box.click()
    box.press("/")
    options = picker.get_by_role("option")
    expect(picker).to_be_visible()
    expect(options).to_have_count(2)
    expect(box).to_be_focused()
    box.press_sequentially("ship")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first).to_contain_text("Shipping times")
    box.press("Escape")  # closes, leaving the text
    expect(picker).to_be_hidden()
    expect(box).to_have_value("/ship")
    box.fill("")
    box.press("/")
    expect(options).to_have_count(2)
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    browsing.shot(page, "slash-picker", full_page=False)
    box.press("Enter")
    expect(picker).to_be_hidden()
    expect(box).to_have_value(shipping)
    expect(box).to_be_focused()

    # The button: the text goes where the cursor was, to be edited before it is sent.
    box.fill("Hello! . Thanks for asking.")
    box.evaluate("(el) => el.setSelectionRange(7, 7)")
    inbox.get_by_role("button", name="Saved replies").click()
    finder = picker.get_by_role("combobox", name="Find a saved reply")
    expect(finder).to_be_focused()
    finder.press_sequentially("retu")
    expect(options).to_have_count(1)
    options.first.click()
    expect(picker).to_be_hidden()
    expect(box).to_have_value(f"Hello! {returns}. Thanks for asking.")
    expect(box).to_be_focused()
    box.press("End")
    box.press_sequentially(" Ada")
    inbox.get_by_role("button", name="Send").click()
    final = f"Hello! {returns}. Thanks for asking. Ada"
    expect(message_in(inbox, final, mine=True)).to_have_attribute("data-state", "sent")
    assert space_answers(stack, member) == [(final, stack.ada.user_id)]
    browsing.shot(page, "saved-reply-sent")


def test_the_dashboard_keeps_the_record_and_downloads_it(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Record Shop", ada)
    member = stack.new_member("Rita Recorded")
    answer = stack.proxy(
        member,
        "POST",
        f"me/spaces/{space_id}/messages",
        json={"body": "Can I return a shirt?", "client_key": f"record-{uuid.uuid4()}"},
    )
    assert answer.status_code == 201, answer.text
    conversation = stack.site.sql(
        f"SELECT id FROM {PREFIX}spaceinbox_conversations WHERE space_id = %s AND member_id = %s",
        [space_id, member.user_id],
    )[0][0]
    base = f"spaces/{space_id}/conversations/{conversation}"
    for path, body in (
        (f"{base}/messages", "Yes, within 30 days."),
        (f"{base}/notes", "Second return this month"),
    ):
        answer = stack.proxy(
            ada, "POST", path, json={"body": body, "client_key": f"record-{uuid.uuid4()}"}
        )
        assert answer.status_code == 201, answer.text

    page = browsing.login(ada, team_url(stack, space_id))
    inbox = team_inbox(page)
    inbox.get_by_role("button", name="Dashboard").click()
    record = inbox.get_by_role("region", name="The record")
    entries = record.locator(".space-inbox-record__entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(
        "Ada Admin wrote a private note on Rita Recorded’s conversation"
    )
    expect(entries.nth(0)).to_contain_text("Second return this month")
    expect(entries.nth(1)).to_contain_text("Ada Admin answered Rita Recorded")
    expect(entries.nth(1)).to_contain_text("Yes, within 30 days.")
    record.get_by_label("What").select_option(label="Answers")
    record.get_by_role("button", name="Show", exact=True).click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("answered")
    record.scroll_into_view_if_needed()
    browsing.shot(page, "the-record")

    with page.expect_download() as got:
        record.get_by_role("button", name="Download CSV").click()
    download = got.value
    assert download.suggested_filename.startswith(f"space-{space_id}-record-")
    text = pathlib.Path(download.path()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "time,action,by,conversation,member,detail,text"
    assert any("Yes, within 30 days." in line and "Ada Admin" in line for line in lines)

    phone = browsing.login(ada, team_url(stack, space_id), viewport=PHONE)
    team_inbox(phone).get_by_role("button", name="Dashboard").click()
    expect(
        team_inbox(phone)
        .get_by_role("region", name="The record")
        .locator(".space-inbox-record__entry")
    ).to_have_count(2)
    assert horizontal_overflow(phone) is None, horizontal_overflow(phone)
    team_inbox(phone).get_by_role("region", name="The record").scroll_into_view_if_needed()
    browsing.shot(phone, "the-record-on-a-phone")


def test_the_dashboard_shows_the_figures_and_the_space_page_how_fast_it_replies(stack, browsing):
    ada = stack.ada
    space_id = stack.new_space("Figures Bakery", ada)
    space_url = stack.space_url_of(space_id)
    first, second = stack.new_member("Fay Figures"), stack.new_member("Gus Waiting")

    def post(person, path: str, body: str):
        key = f"figures-{uuid.uuid4()}"
        answer = stack.proxy(person, "POST", path, json={"body": body, "client_key": key})
        assert answer.status_code == 201, answer.text

    post(first, f"me/spaces/{space_id}/messages", "Do you bake on Sundays?")
    conversation = stack.site.sql(
        f"SELECT id FROM {PREFIX}spaceinbox_conversations WHERE space_id = %s AND member_id = %s",
        [space_id, first.user_id],
    )[0][0]
    post(ada, f"spaces/{space_id}/conversations/{conversation}/messages", "Yes, from 8 to 12.")
    post(second, f"me/spaces/{space_id}/messages", "Is there a gluten-free loaf?")

    # Nobody set a reply time and the figures are too few: the Space page says nothing.
    visitor = browsing.context("visitor").new_page()
    visitor.goto(space_url)
    expect(visitor.get_by_role("link", name="Log in to message")).to_be_visible()
    expect(visitor.locator(".space-inbox-reply-time")).to_have_count(0)

    page = browsing.login(ada, team_url(stack, space_id))
    inbox = team_inbox(page)
    expect(inbox.locator(".space-inbox__item-button")).to_have_count(2)
    inbox.get_by_role("button", name="Dashboard").click()
    dashboard = inbox.locator(".space-inbox-dashboard")
    expect(dashboard).to_be_visible()
    expect(inbox.locator(".space-inbox__panes")).to_be_hidden()
    for days in (7, 30):
        expect(dashboard.locator(f'[data-figure="periods-{days}"]')).to_have_text("2")
        expect(dashboard.locator(f'[data-figure="answered-{days}"]')).to_have_text("1")
        expect(dashboard.locator(f'[data-figure="waiting-{days}"]')).to_have_text("1")
        expect(dashboard.locator(f'[data-figure="rate-{days}"]')).to_have_text("100%")
        expect(dashboard.locator(f'[data-figure="median-{days}"]')).not_to_have_text("—")
    today = dashboard.locator(".space-inbox-chart__day").last
    expect(dashboard.locator(".space-inbox-chart__day")).to_have_count(30)
    expect(today.locator(".space-inbox-sr")).to_contain_text(": 2 to answer, 1 answered, median ")
    admins = dashboard.locator(".space-inbox-dashboard__admins tbody tr")
    expect(admins).to_have_count(1)
    expect(admins.first.locator("th")).to_have_text("Ada Admin")
    expect(admins.first.locator("td").first).to_have_text("1")
    expect(dashboard.locator(".space-inbox-dashboard__members-see")).to_contain_text(
        "Members see no reply time yet"
    )
    browsing.shot(page, "dashboard-figures")

    # The reply time members see, until the figures are enough: saved with PATCH (through
    # proxy.php in proxy mode), with opening hours.
    dashboard.get_by_role("combobox", name="Reply time members see").select_option(
        label="Typically replies within an hour"
    )
    monday = dashboard.get_by_role("group", name="Monday")
    monday.get_by_role("button", name="Add hours on Monday").click()
    expect(monday.get_by_label("Monday, opens")).to_have_value("09:00")
    monday.get_by_label("Monday, closes").fill("18:30")
    dashboard.get_by_role("combobox", name="Time zone").focus()  # leaving the day saves it
    expect(monday.get_by_role("status")).to_have_text("Saved")
    members_see = dashboard.locator(".space-inbox-dashboard__members-see .space-inbox-reply-time")
    expect(members_see).to_have_text("Typically replies within an hour")
    settings = stack.proxy(ada, "GET", f"spaces/{space_id}/settings").json()
    assert settings["reply_preset"] == "hour", settings
    assert settings["hours"] == {"mon": [{"opens": "09:00", "closes": "18:30"}]}, settings
    assert settings["hours_enabled"] is False and settings["away_now"] is False, settings

    # Away now, at once: a member's message gets the away message, shown to the team as such.
    dashboard.get_by_role("checkbox", name="Away now").check()
    expect(dashboard.locator(".space-inbox-settings__state")).to_contain_text("away now")
    assert stack.proxy(ada, "GET", f"spaces/{space_id}/settings").json()["away_now"] is True
    browsing.shot(page, "dashboard-settings")
    # Every control of the dashboard has a name; it fits a phone.
    unnamed, controls = unnamed_controls(dashboard)
    assert controls and not unnamed, "controls without an accessible name:\n" + "\n".join(unnamed)
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    browsing.shot(page, "dashboard-phone")
    page.set_viewport_size(DESKTOP)

    # The conversation waiting longest opens from the dashboard.
    waiting = dashboard.locator(".space-inbox-waiting__item")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Gus Waiting")
    post(second, f"me/spaces/{space_id}/messages", "Hello?")
    waiting.click()
    expect(inbox.get_by_role("button", name="Conversations")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(inbox.locator(".space-inbox__thread-head h2")).to_have_text("Gus Waiting")
    expect(message_in(inbox, "Is there a gluten-free loaf?")).to_be_visible()
    automatic = message_in(inbox, "We are away right now")
    expect(automatic).to_be_visible()
    expect(automatic.locator(".space-inbox-msg__meta")).to_contain_text("Automatic away answer")

    # The Space page, rendered by WordPress (no JavaScript needed): kept 5 minutes, so the
    # test forgets the kept answer first.
    stack.site.php(f"Space_Inbox_Reply_Time::forget({space_id});")
    no_js = browsing.browser.new_context(java_script_enabled=False, base_url=stack.url)
    browsing.contexts.append(("no-js", no_js))
    plain = no_js.new_page()
    plain.goto(space_url)
    line = plain.locator(".space-inbox-button-wrap .space-inbox-reply-time")
    expect(line).to_have_text("Typically replies within an hour")
    expect(line.locator(".space-inbox-very-responsive")).to_have_count(0)
    visitor.reload()
    expect(visitor.locator(".space-inbox-reply-time")).to_have_text(
        "Typically replies within an hour"
    )
    browsing.shot(visitor, "space-page-reply-time")
    # A bridge that does not answer: no line, and no page waits for it again for a minute.
    down = stack.site.php(
        "add_filter('pre_option_space_inbox_bridge_url', fn () => 'http://127.0.0.1:9');"
        f"Space_Inbox_Reply_Time::forget({space_id});"
        f"echo wp_json_encode([Space_Inbox_Reply_Time::html({space_id}),"
        f" get_transient('space_inbox_reply_time_{space_id}')]);"
    )
    assert json.loads(down) == ["", []], down
    stack.site.php(f"Space_Inbox_Reply_Time::forget({space_id});")

    # Ten answers within minutes: the figures speak, and the Space is very responsive.
    quick = stack.new_space("Quick Kiosk", ada)
    third = stack.new_member("Ivo Quick")
    asks, answers = api_as(stack, third), api_as(stack, ada)
    for n in range(10):
        key = f"quick-{uuid.uuid4()}"
        asked = asks(
            "POST", f"me/spaces/{quick}/messages", json={"body": f"Q{n}", "client_key": key}
        )
        assert asked.status_code == 201, asked.text
        kiosk = stack.site.sql(
            f"SELECT id FROM {PREFIX}spaceinbox_conversations WHERE space_id = %s", [quick]
        )[0][0]
        answered = answers(
            "POST",
            f"spaces/{quick}/conversations/{kiosk}/messages",
            json={"body": f"A{n}", "client_key": key},
        )
        assert answered.status_code == 201, answered.text
    plain.goto(stack.space_url_of(quick))
    expect(line.locator(".space-inbox-reply-time__text")).to_have_text(
        "Typically replies within minutes"
    )
    expect(line.locator(".space-inbox-very-responsive")).to_have_text("Very responsive")

    # The member's inbox, on that Space.
    member_page = browsing.login(first, f"{stack.inbox_url}?space={space_id}")
    member = member_inbox(member_page)
    expect(message_in(member, "Yes, from 8 to 12.", mine=False)).to_be_visible()
    expect(member.locator(".space-inbox__reply-time")).to_have_text(
        "Typically replies within an hour"
    )
