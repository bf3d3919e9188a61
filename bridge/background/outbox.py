"""The dispatcher: delivers notification jobs from the outbox to WordPress, without losing any.

A message and its jobs were written in one transaction. Here due jobs are claimed with
``SELECT … FOR UPDATE SKIP LOCKED``, so that any number of dispatchers (a thread in each
server process, or ``space-inbox worker``) share the outbox and never take the same job;
the batch is POSTed, signed, to the plugin's ``/space-inbox/v1/notify`` route, and either
marked delivered or retried later with backoff. The plugin ignores a job id it has done,
so a retry after a lost answer never notifies twice. Each pass first turns the e-mail
digests that are due into jobs (:mod:`bridge.inbox.digests`) and sends the pushes due to
devices (:mod:`bridge.background.push`).

A dispatcher with nothing due waits, but not for its interval when jobs are queued: the
commit of a transaction that queued some (:data:`bridge.inbox.jobs.QUEUED`) wakes the
dispatcher of its process at once or, in a process that runs none (``serve
--no-dispatcher``, a plain gunicorn), on a site with Redis, those of the other processes
through the site's channel (:class:`Wake`). A ``space-inbox worker`` of a site without
Redis, which no commit can wake, looks at the outbox every :data:`POLL` seconds.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from flask import Flask
from sqlalchemy import Row, case, event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.background import channel as channels
from bridge.background import push
from bridge.inbox import choices, digests, pushes
from bridge.inbox.jobs import QUEUED
from bridge.inbox.values import utcnow
from bridge.storage.db import tables_of
from bridge.wordpress import auth, signing, site

log = logging.getLogger(__name__)

#: Seconds to wait before the next attempt, by attempts made; then the last, forever.
BACKOFF = (2, 5, 15, 60, 300, 900, 3600)
BATCH = 50
TIMEOUT = 10
#: Seconds between the looks at the outbox of a dispatcher that no commit can wake.
POLL = 0.1


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt after ``attempts`` failed ones."""
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts else 0)


def claim(session: Session, now: datetime, limit: int = BATCH, push: bool = False) -> list[Row]:
    """Lock and return due jobs that no other dispatcher holds: WordPress' jobs, or with
    *push* the pushes to devices."""
    o = tables_of(session).outbox
    kind = o.c.kind == pushes.KIND if push else o.c.kind != pushes.KIND
    return list(
        session.execute(
            select(o)
            .where(o.c.delivered_at.is_(None), o.c.next_attempt_at <= now, kind)
            .order_by(o.c.next_attempt_at, o.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def backlog(session: Session, now: datetime) -> dict:
    """The jobs WordPress has not taken: how many, how many failed, the oldest's age and
    the last error (:class:`bridge.api.plugin_shapes.OutboxBacklog`)."""
    o = tables_of(session).outbox
    waiting = o.c.delivered_at.is_(None)
    count, failing, oldest = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((o.c.attempts > 0, 1), else_=0)), 0),
            func.min(o.c.created_at),
        ).where(waiting)
    ).one()
    last_error = session.execute(
        select(o.c.last_error)
        .where(waiting, o.c.attempts > 0)
        .order_by(o.c.next_attempt_at.desc(), o.c.id.desc())
        .limit(1)
    ).scalar()
    return {
        "waiting": count,
        "failing": int(failing),
        "oldest_seconds": None if oldest is None else max(0, int((now - oldest).total_seconds())),
        "last_error": last_error,
    }


def job_json(job: Row) -> dict:
    """Return a job as the plugin receives it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "user_id": job.user_id,
        "created_at": job.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "data": json.loads(job.payload),
    }


NOTIFY_ROUTE = "/?rest_route=/space-inbox/v1/notify"


def notify_url(session: Session, keys: auth.SiteKeys, configured: str | None) -> str:
    """Return where the plugin takes jobs: configured, or the site's REST route.

    The ``?rest_route=`` form works with and without pretty permalinks.
    """
    if configured:
        return configured
    home = keys.options(session, ("home",)).get("home") or ""
    return home.rstrip("/") + NOTIFY_ROUTE


class Deliverer:
    """POSTs job batches to the plugin, signed with the shared secret."""

    def __init__(
        self,
        secret: Callable[[Session], str | None],
        url: Callable[[Session], str],
        ready: Callable[[Session], bool] = lambda session: True,
        policy: Callable[[Session], choices.Policy] | None = None,
        push: push.Sender | None = None,
    ):
        self._secret = secret
        self._url = url
        #: Whether WordPress can take jobs now (the plugin is on); else they wait, untried.
        self.ready = ready
        #: The site's e-mail settings: with them, each pass first turns due digests into
        #: jobs (:func:`gather_once`).
        self.policy = policy
        #: Sends the pushes to devices, in each pass too (:func:`push_once`).
        self.push = push
        self._http = requests.Session()

    def __call__(self, session: Session, jobs: list[Row]) -> str | None:
        """Deliver a batch; return None when WordPress took it, else why not."""
        secret = self._secret(session)
        if not secret:
            return "no shared secret configured"
        body = json.dumps({"jobs": [job_json(j) for j in jobs]}).encode()
        try:
            answer = self._http.post(
                self._url(session),
                data=body,
                headers={
                    "Content-Type": "application/json",
                    **signing.signed_headers(secret, "notify", body),
                },
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            return f"{exc.__class__.__name__}: {exc}"[:255]
        if answer.status_code >= 300:
            return f"HTTP {answer.status_code}: {answer.text[:200]}"
        return None


def dispatch_once(sessions: sessionmaker, deliver: Callable, limit: int = BATCH) -> int:
    """Claim and deliver one batch of due jobs; return how many were claimed (none while
    the deliverer is not ready: the plugin is off)."""
    ready = getattr(deliver, "ready", None)
    with sessions() as session, session.begin():
        if ready is not None and not ready(session):
            return 0
        now = utcnow()
        jobs = claim(session, now, limit)
        if not jobs:
            return 0
        # The row locks are held while WordPress answers: no other dispatcher takes
        # these jobs meanwhile, and the outcome is written in the same transaction.
        error = deliver(session, jobs)
        o = tables_of(session).outbox
        ids = [j.id for j in jobs]
        if error is None:
            session.execute(update(o).where(o.c.id.in_(ids)).values(delivered_at=utcnow()))
        else:
            log.warning("outbox: %d jobs not delivered: %s", len(jobs), error)
            for job in jobs:
                retry_later(session, job, now, error)
        return len(jobs)


def retry_later(session: Session, job: Row, now: datetime, error: str) -> None:
    """A job not delivered: tried again after its backoff, with why it was not."""
    o = tables_of(session).outbox
    attempts = job.attempts + 1
    session.execute(
        update(o)
        .where(o.c.id == job.id)
        .values(
            attempts=min(attempts, 65535),
            next_attempt_at=now + backoff(attempts),
            last_error=error[:255],
        )
    )


def gather_once(sessions: sessionmaker, policy: Callable[[Session], choices.Policy]) -> int:
    """Turn the digests whose delay has passed into e-mail jobs; return how many were due."""
    with sessions() as session, session.begin():
        return digests.gather_due(session, utcnow(), policy(session))


def push_once(sessions: sessionmaker, sender: push.Sender, limit: int = BATCH) -> int:
    """Send one batch of due pushes to devices; return how many were claimed."""
    with sessions() as session, session.begin():
        now = utcnow()
        jobs = claim(session, now, limit, push=True)
        o = tables_of(session).outbox
        for job in jobs:  # sent, or no longer wanted: done; else tried again later
            error = sender(session, job, now)
            if error is None:
                session.execute(update(o).where(o.c.id == job.id).values(delivered_at=now))
            else:
                log.warning("outbox: push %d not sent: %s", job.id, error)
                retry_later(session, job, now, error)
        return len(jobs)


#: Passes this process's dispatcher has made, finished or failed (``/health`` says it: a
#: dispatcher that stopped passing is seen, and a test can wait for the next pass).
passes = 0


def run(
    sessions: sessionmaker,
    deliver: Callable,
    stop: threading.Event,
    interval: float = 1.0,
    wake: threading.Event | None = None,
):
    """Deliver due jobs until ``stop`` is set; idle ``interval`` seconds when none are due,
    or until ``wake`` is set (jobs were queued). Set ``wake`` with ``stop`` to stop at once."""
    global passes
    while not stop.is_set():
        if wake is not None:
            wake.clear()  # before the claim: a commit after it wakes the next wait
        policy = getattr(deliver, "policy", None)
        sender = getattr(deliver, "push", None)
        try:
            busy = (
                (gather_once(sessions, policy) if policy else 0)
                + (push_once(sessions, sender) if sender else 0)
                + dispatch_once(sessions, deliver)
            )
        except Exception:  # the database may be down for a while: keep trying
            log.exception("outbox: dispatch failed")
            busy = 0
        passes += 1
        if not busy:
            (wake or stop).wait(interval)


class Wake:
    """What ends the idle wait of a process's dispatchers when jobs are queued.

    :meth:`queued` (after the commit) sets :attr:`event`; in a process that runs no
    dispatcher, when the site has Redis, it publishes on ``channel`` instead (one message
    wakes the others' dispatchers, not every dispatcher for every send); :meth:`listen`
    subscribes to it, so that such a commit sets this process' :attr:`event`. Nothing here
    is needed for a job to be delivered: a lost wake only waits for the interval.
    """

    def __init__(self, redis_url: str | None, channel: str) -> None:
        self.event = threading.Event()
        #: Set while the subscription is live (tests wait for it).
        self.subscribed = threading.Event()
        self.channel = channel
        self._redis = channels.client(redis_url, channel) if redis_url else None
        self._listening = False
        self._lock = threading.Lock()
        self._closed = threading.Event()
        #: Whether a dispatcher of this process waits on :attr:`event`.
        self.dispatching = False

    @property
    def shared(self) -> bool:
        """Whether commits of other processes reach this one (the site has Redis)."""
        return self._redis is not None

    def queued(self) -> None:
        """Wake the dispatchers: a committed transaction queued jobs."""
        self.event.set()
        if self._redis is not None and not self.dispatching:
            try:
                self._redis.publish(self.channel, b"1")
            except Exception:  # noqa: BLE001 - the jobs are safe; their dispatch only waits
                log.warning("outbox: could not publish a wake", exc_info=True)

    def serve(self) -> None:
        """A dispatcher of this process waits on :attr:`event`: its commits wake it, and it
        hears those of processes that run none (a thread, started once; not without Redis)."""
        self.dispatching = True
        self.listen()

    def listen(self) -> None:
        """Hear other processes' commits (a thread, started once; nothing without Redis)."""
        with self._lock:
            if self._redis is None or self._listening:
                return
            self._listening = True
        threading.Thread(target=self._run, name="space-inbox-outbox-wake", daemon=True).start()

    def close(self) -> None:
        """End the subscription (tests)."""
        self._closed.set()

    def _run(self) -> None:
        channels.follow(self._redis, self.channel, self._closed, self._heard, self.subscribed.clear)

    def _heard(self, message: dict) -> None:
        if message["type"] in ("subscribe", "message"):
            # A (new) subscription too: a wake may have been missed without one.
            self.event.set()
            self.subscribed.set()


def init_app(app: Flask, sessions: sessionmaker) -> None:
    """Wake the dispatchers when a session of the app commits queued jobs."""
    wake = Wake(app.config.get("REDIS_URL"), f"{app.config['SITE_KEY']}:outbox")
    app.extensions["space_inbox_outbox_wake"] = wake

    @event.listens_for(sessions, "after_commit")
    def _queued(session: Session) -> None:
        if session.info.pop(QUEUED, False):
            wake.queued()

    @event.listens_for(sessions, "after_rollback")
    def _dropped(session: Session) -> None:
        session.info.pop(QUEUED, None)


def wake_of(app: Flask) -> Wake:
    """The app's :class:`Wake`."""
    return app.extensions["space_inbox_outbox_wake"]


def for_app(app: Flask) -> tuple[sessionmaker, Deliverer]:
    """Return the session factory and deliverer of an app's dispatcher."""
    config, keys = app.config, app.extensions["space_inbox_keys"]

    def policy(session: Session) -> choices.Policy:
        return choices.site_policy(session, keys)

    deliver = Deliverer(
        secret=lambda session: signing.shared_secret(session, config.get("SECRET")),
        url=lambda session: notify_url(session, keys, config.get("NOTIFY_URL")),
        ready=lambda session: site.plugin_on(
            session, keys, config["TABLE_PREFIX"], config["PLUGIN_CHECK_INTERVAL"]
        ),
        policy=policy,
        push=push.Sender(
            lambda session: push.Site.of(
                keys.options(session, push.KEY_OPTIONS), config.get("INBOX_URL")
            ),
            policy,
            pushes.services(config.get("PUSH_SERVICES")),
        ),
    )
    return app.extensions["space_inbox_db"], deliver


def start_thread(app: Flask, interval: float = 1.0) -> threading.Event:
    """Run a dispatcher in a daemon thread of this process, woken by the app's commits of
    queued jobs (and other processes', with Redis); set the event to stop it."""
    stop = threading.Event()
    sessions, deliver = for_app(app)
    wake = wake_of(app)
    wake.serve()
    threading.Thread(
        target=run,
        args=(sessions, deliver, stop, interval, wake.event),
        name="space-inbox-outbox",
        daemon=True,
    ).start()
    return stop
