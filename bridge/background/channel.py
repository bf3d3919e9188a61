"""A site's Redis channels, as the bridge's processes use them: a client named after its
channel, and a subscription held until told to stop (:mod:`bridge.background.live`'s
changes, :mod:`bridge.background.outbox`'s wakes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Seconds between two attempts to subscribe again after the subscription was lost.
RESUBSCRIBE_AFTER = 1.0


def client(redis_url: str, channel: str) -> Any:
    """A Redis client for *channel*'s traffic."""
    import redis  # optional: only sites that configure Redis need the package

    return redis.Redis.from_url(
        redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
        # Named after the channel, so that an operator sees whose connections these are.
        client_name=channel.replace(" ", "_"),
    )


def follow(
    redis: Any,
    channel: str,
    stop: threading.Event,
    heard: Callable[[dict], None],
    lost: Callable[[], None],
) -> None:
    """Hear *channel* until *stop* is set: each message, the subscription's confirmation
    included, goes to *heard*; when the subscription fails, *lost* is called and it is
    taken again after :data:`RESUBSCRIBE_AFTER` seconds."""
    while not stop.is_set():
        pubsub = redis.pubsub()
        try:
            pubsub.subscribe(channel)
            while not stop.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message is not None:
                    heard(message)
        except Exception:  # noqa: BLE001 - any failure: subscribe again
            log.warning("%s: subscription lost", channel, exc_info=True)
        finally:
            lost()
            try:
                pubsub.close()
            except Exception:  # noqa: BLE001
                pass
        stop.wait(RESUBSCRIBE_AFTER)
