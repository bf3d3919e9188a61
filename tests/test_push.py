"""Web Push from the bridge, against a push service of the tests' own that checks what a
real one checks (RFC 8030 delivery, the RFC 8292 VAPID token, the RFC 8291 payload
decrypted with the device's keys): one push per message on each device of each admin, an
answer to the member's devices as the Space's; only where chosen and within the login
that subscribed; a gone subscription removed, a failing push service tried again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid01, b64urlencode
from sqlalchemy import select, update

from bridge.background import outbox, push
from bridge.inbox import choices
from bridge.inbox.values import utcnow
from bridge.storage.tables import tables
from devstack.callers import PREFIX, SPACE, conversation_id, log_in, reply, send
from devstack.push_service import PushService

T = tables(PREFIX)
INBOX = "https://example.org/space-messages/"


def _keys() -> tuple[str, str]:
    vapid = Vapid01()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(private), b64urlencode(public)


@pytest.fixture
def service(app):
    found = PushService()
    app.config["PUSH_SERVICES"] = found.origin
    yield found
    app.config["PUSH_SERVICES"] = "https://fcm.googleapis.com"
    found.close()


@pytest.fixture
def sender(service):
    private, public = _keys()
    site = push.Site(private, public, "mailto:owner@example.org", INBOX)
    return push.Sender(lambda session: site, lambda session: choices.Policy(), (service.origin,))


def _device(client, caller, service) -> dict:
    subscription = service.subscribe()
    kept = client.post("/api/v1/me/push-subscriptions", json=subscription, headers=caller.headers())
    assert kept.status_code == 201, kept.get_json()
    return subscription


def _push(app, sender) -> int:
    return outbox.push_once(outbox.for_app(app)[0], sender)


def _pushes(app) -> list:
    with app.extensions["space_inbox_engine"].connect() as c:
        return c.execute(select(T.outbox).where(T.outbox.c.kind == "push")).all()


def test_a_devices_subscription_is_kept_once_and_only_for_a_push_service(
    app, client, world, service, people
):
    member = world["member"]
    subscription = service.subscribe()
    first = client.post(
        "/api/v1/me/push-subscriptions", json=subscription, headers=member.headers()
    )
    again = client.post(
        "/api/v1/me/push-subscriptions", json=subscription, headers=member.headers()
    )
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    # Anywhere else is refused: the bridge POSTs only to the push services the site allows.
    for endpoint in (
        "http://127.0.0.1:3306/",
        "https://evil.example/push",
        f"{service.origin}@evil.example/push/x",
        "javascript:alert(1)",
    ):
        refused = client.post(
            "/api/v1/me/push-subscriptions",
            json={**subscription, "endpoint": endpoint},
            headers=member.headers(),
        )
        assert refused.status_code == 400, endpoint
        assert refused.get_json()["code"] == "push_service_not_allowed"
    for keys in ({"p256dh": "AAAA", "auth": "AAAA"}, {"p256dh": "!!", "auth": "??"}):
        bad = client.post(
            "/api/v1/me/push-subscriptions",
            json={**subscription, "keys": keys},
            headers=member.headers(),
        )
        assert bad.status_code == 400 and bad.get_json()["code"] == "invalid_push_keys"
    assert client.post("/api/v1/me/push-subscriptions", json=subscription).status_code == 401
    no_nonce = client.post(
        "/api/v1/me/push-subscriptions", json=subscription, headers=member.headers(nonce=False)
    )
    assert no_nonce.status_code == 403
    # Another user cannot end this device's pushes; its user can.
    other = people["other_member"]
    url = "/api/v1/me/push-subscriptions"
    query = {"endpoint": subscription["endpoint"]}
    assert client.delete(url, query_string=query, headers=other.headers()).status_code == 204
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.push_subscriptions.c.user_id)).all() == [(member.user_id,)]
    assert client.delete(url, query_string=query, headers=member.headers()).status_code == 204
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.push_subscriptions)).all() == []


def test_each_admins_device_is_pushed_each_message_and_the_members_each_answer(
    app, client, world, service, sender
):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    phone, laptop = _device(client, admin, service), _device(client, admin, service)
    ben = _device(client, admin2, service)
    maya = _device(client, member, service)
    send(client, member, SPACE, "Open on Sunday?")
    assert _push(app, sender) == 3
    cid = conversation_id(client, admin, SPACE, member)
    for device in (phone, laptop, ben):
        (got,) = service.for_(device)
        assert got.payload == {
            "kind": "member_message",
            "space": "Pizzeria Napoli",
            "from": member.display_name,
            "text": "Open on Sunday?",
            "url": f"{INBOX}?team={SPACE}&conversation={cid}",
            "tag": f"space-inbox-{cid}",
        }
        assert got.ttl == push.TTL and got.claims["sub"] == "mailto:owner@example.org"
    assert service.for_(maya) == []  # not for their own message
    reply(client, admin2, SPACE, cid, "Yes, from noon.")
    assert _push(app, sender) == 1
    (got,) = service.for_(maya)
    # The Space's answer, as the Space's: no one of its team, in any field.
    assert got.payload == {
        "kind": "space_reply",
        "space": "Pizzeria Napoli",
        "text": "Yes, from noon.",
        "url": f"{INBOX}?space={SPACE}",
        "tag": f"space-inbox-{cid}",
    }
    assert service.refusals == []
    assert all(job.delivered_at is not None for job in _pushes(app))


def test_a_gone_subscription_is_removed_and_a_failing_push_service_tried_again(
    app, client, world, service, sender
):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    gone, flaky = _device(client, admin, service), _device(client, admin2, service)
    service.answer(gone, 410)
    service.answer(flaky, 503, times=1)
    send(client, member, SPACE, "Hello?")
    assert _push(app, sender) == 2
    with app.extensions["space_inbox_engine"].connect() as c:
        left = c.execute(select(T.push_subscriptions.c.user_id)).all()
    assert left == [(admin2.user_id,)]  # the gone one is forgotten
    waiting = [job for job in _pushes(app) if job.delivered_at is None]
    assert len(waiting) == 1 and waiting[0].attempts == 1 and "503" in waiting[0].last_error
    assert _push(app, sender) == 0  # not due yet: its backoff
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(update(T.outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert _push(app, sender) == 1
    assert len(service.for_(flaky)) == 1 and service.for_(gone) == []


def test_no_push_reaches_a_device_whose_login_ended(app, client, world, service, sender, wordpress):
    member, admin = world["member"], world["admin"]
    # A login of Ada's own for this device (the other tests keep theirs).
    device_login = log_in(wordpress, "admin", admin.login, admin.display_name, "subscriber")
    phone = _device(client, device_login, service)
    laptop = _device(client, admin, service)
    token = device_login.cookie.split("=", 1)[1].split("%7C")[2]
    wordpress.php(f"WP_Session_Tokens::get_instance({admin.user_id})->destroy({token!r});")
    send(client, member, SPACE, "Hello?")
    _push(app, sender)
    assert service.for_(phone) == [] and len(service.for_(laptop)) == 1
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.push_subscriptions)).all()[0].endpoint == laptop["endpoint"]
        assert len(c.execute(select(T.push_subscriptions)).all()) == 1


def test_pushes_follow_each_persons_choice_and_the_spaces_opening_hours(
    app, client, world, service, sender
):
    member, admin, admin2 = world["member"], world["admin"], world["admin2"]
    ada, ben, maya = (_device(client, who, service) for who in (admin, admin2, member))
    mine = f"/api/v1/spaces/{SPACE}/notifications"
    client.patch(mine, json={"push": False}, headers=admin.headers())
    client.patch("/api/v1/me/notifications", json={"push": False}, headers=member.headers())
    send(client, member, SPACE, "Hello?")
    reply(client, admin2, SPACE, conversation_id(client, admin2, SPACE, member), "Hi!")
    _push(app, sender)
    assert service.for_(ada) == [] and service.for_(maya) == [] and len(service.for_(ben)) == 1
    # Ben is not disturbed while the Space is closed (open one hour, six hours from now).
    client.patch(mine, json={"outside_hours": False}, headers=admin2.headers())
    opens = (utcnow() + timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    closes = "24:00" if opens.hour == 23 else f"{opens.hour + 1:02d}:00"
    day = [{"opens": f"{opens:%H:%M}", "closes": closes}]
    client.patch(
        f"/api/v1/spaces/{SPACE}/settings",
        json={
            "hours_enabled": True,
            "timezone": "UTC",
            "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), day),
        },
        headers=admin.headers(),
    )
    send(client, member, SPACE, "Anyone?")
    _push(app, sender)
    assert len(service.for_(ben)) == 1


def test_the_sites_keys_and_inbox_come_from_its_options():
    assert push.Site.of({}) is None
    site = push.Site.of(
        {
            push.OPTION_PRIVATE: "private",
            push.OPTION_PUBLIC: "public",
            "admin_email": "owner@example.org",
            "space_inbox_inbox_url": "https://example.org/?page_id=5",
            "home": "https://example.org",
        }
    )
    assert site.contact == "mailto:owner@example.org"
    assert site.link(space=3) == "https://example.org/?page_id=5&space=3"
    # The bridge's INBOX_URL setting goes first, as for the header's link.
    moved = push.Site.of({push.OPTION_PRIVATE: "a", push.OPTION_PUBLIC: "b"}, "https://in.box/")
    assert moved.link(team=2, conversation=9) == "https://in.box/?team=2&conversation=9"
    assert (
        push.Site.of(
            {push.OPTION_PRIVATE: "a", push.OPTION_PUBLIC: "b", "home": "https://h"}
        ).contact
        == "https://h"
    )


def test_an_unknown_subscription_is_nothing_to_send(app, client, world, service, sender):
    device = _device(client, world["admin"], service)
    send(client, world["member"], SPACE, f"Hello {uuid.uuid4().hex}")
    with app.extensions["space_inbox_engine"].begin() as c:
        c.execute(T.push_subscriptions.delete())
    assert _push(app, sender) == 1
    assert service.for_(device) == [] and all(j.delivered_at for j in _pushes(app))


def test_a_logout_there_ends_the_devices_pushes_at_once(app, client, world, service, wordpress):
    """The plugin's ``user.logins_changed`` event: the devices of ended sessions are forgotten."""
    from devstack.callers import event, signed_post

    admin = world["admin"]
    device_login = log_in(wordpress, "admin", admin.login, admin.display_name, "subscriber")
    _device(client, device_login, service)
    laptop = _device(client, admin, service)
    token = device_login.cookie.split("=", 1)[1].split("%7C")[2]
    wordpress.php(f"WP_Session_Tokens::get_instance({admin.user_id})->destroy({token!r});")
    told = signed_post(
        client,
        "/api/v1/events",
        {"events": [event("user.logins_changed", user_id=admin.user_id)]},
    )
    assert told.status_code == 200, told.get_json()
    with app.extensions["space_inbox_engine"].connect() as c:
        left = c.execute(select(T.push_subscriptions.c.endpoint)).all()
    assert left == [(laptop["endpoint"],)]


def test_an_erased_member_has_no_device_left_to_push(app, client, world, service):
    from devstack.callers import signed_post

    member = world["member"]
    _device(client, member, service)
    erased = signed_post(client, "/api/v1/privacy/erase", {"user_id": member.user_id})
    assert erased.status_code == 200
    with app.extensions["space_inbox_engine"].connect() as c:
        assert c.execute(select(T.push_subscriptions)).all() == []
