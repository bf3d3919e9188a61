"""The dispatcher: delivers notification jobs from the outbox to WordPress, without losing any.

A message and its jobs were written in one transaction. Here due jobs are claimed with
``SELECT … FOR UPDATE SKIP LOCKED``, so that any number of dispatchers (a thread in each
server process, or ``space-inbox worker``) share the outbox and never take the same job;
the batch is POSTed, signed, to the plugin's ``/space-inbox/v1/notify`` route, and either
marked delivered or retried later with backoff. The plugin ignores a job id it has done,
so a retry after a lost answer never notifies twice.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from flask import Flask
from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.inbox.values import utcnow
from bridge.storage.db import tables_of
from bridge.wordpress import auth, signing, site

log = logging.getLogger(__name__)

#: Seconds to wait before the next attempt, by attempts made; then the last, forever.
BACKOFF = (2, 5, 15, 60, 300, 900, 3600)
BATCH = 50
TIMEOUT = 10


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt after ``attempts`` failed ones."""
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1] if attempts else 0)


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[Row]:
    """Lock and return due jobs that no other dispatcher holds."""
    o = tables_of(session).outbox
    return list(
        session.execute(
            select(o)
            .where(o.c.delivered_at.is_(None), o.c.next_attempt_at <= now)
            .order_by(o.c.next_attempt_at, o.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


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
    ):
        self._secret = secret
        self._url = url
        #: Whether WordPress can take jobs now (the plugin is on); else they wait, untried.
        self.ready = ready
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
        return len(jobs)


#: Passes this process's dispatcher has made, finished or failed (``/health`` says it: a
#: dispatcher that stopped passing is seen, and a test can wait for the next pass).
passes = 0


def run(sessions: sessionmaker, deliver: Callable, stop: threading.Event, interval: float = 1.0):
    """Deliver due jobs until ``stop`` is set; idle ``interval`` seconds when none are due."""
    global passes
    while not stop.is_set():
        try:
            busy = dispatch_once(sessions, deliver)
        except Exception:  # the database may be down for a while: keep trying
            log.exception("outbox: dispatch failed")
            busy = 0
        passes += 1
        if not busy:
            stop.wait(interval)


def for_app(app: Flask) -> tuple[sessionmaker, Deliverer]:
    """Return the session factory and deliverer of an app's dispatcher."""
    config, keys = app.config, app.extensions["space_inbox_keys"]
    deliver = Deliverer(
        secret=lambda session: signing.shared_secret(session, config.get("SECRET")),
        url=lambda session: notify_url(session, keys, config.get("NOTIFY_URL")),
        ready=lambda session: site.plugin_on(
            session, keys, config["TABLE_PREFIX"], config["PLUGIN_CHECK_INTERVAL"]
        ),
    )
    return app.extensions["space_inbox_db"], deliver


def start_thread(app: Flask, interval: float = 1.0) -> threading.Event:
    """Run a dispatcher in a daemon thread of this process; set the event to stop it."""
    stop = threading.Event()
    sessions, deliver = for_app(app)
    threading.Thread(
        target=run,
        args=(sessions, deliver, stop, interval),
        name="space-inbox-outbox",
        daemon=True,
    ).start()
    return stop
