"""Signed calls between the plugin and the bridge (docs/plugin-bridge.md): the shared secret,
and the signature that binds a call to its method, endpoint, timestamp, request id and
body. The plugin's PHP twin is ``Space_Inbox_Bridge_Client::sign()``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from sqlalchemy.orm import Session

from bridge.wordpress.auth import get_options, is_digits, same


def shared_secret(session: Session, configured: str | None) -> str | None:
    """Return the secret shared with the plugin: configured, or the option the plugin made."""
    if configured:
        return str(configured)
    return get_options(session, ("space_inbox_secret",)).get("space_inbox_secret") or None


#: Headers of a signed call between the plugin and the bridge (docs/plugin-bridge.md).
TIMESTAMP_HEADER = "X-Space-Inbox-Timestamp"
REQUEST_HEADER = "X-Space-Inbox-Request"
SIGNATURE_HEADER = "X-Space-Inbox-Signature"


def signature(
    secret: str, method: str, endpoint: str, timestamp: str, request_id: str, body: bytes
) -> str:
    """Return the signature of a plugin <-> bridge call: hex HMAC-SHA256 of the method, the
    endpoint (``events``, ``privacy/export``, ``privacy/erase``, ``notify``), the timestamp
    and the request id, a line each, then the body: a call signed for one endpoint is no
    good at another."""
    head = f"{method}\n{endpoint}\n{timestamp}\n{request_id}\n".encode()
    return hmac.new(secret.encode(), head + body, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    endpoint: str,
    body: bytes,
    *,
    method: str = "POST",
    timestamp: str | None = None,
    request_id: str | None = None,
) -> dict[str, str]:
    """Return the headers that sign a call (a fresh timestamp and request id by default)."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    request_id = secrets.token_hex(16) if request_id is None else request_id
    return {
        TIMESTAMP_HEADER: timestamp,
        REQUEST_HEADER: request_id,
        SIGNATURE_HEADER: signature(secret, method, endpoint, timestamp, request_id, body),
    }


def is_request_id(text: str) -> bool:
    """Whether a request id has the form the plugin and the bridge send: 32 hex digits."""
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


def verify_signature(
    secret: str,
    method: str,
    endpoint: str,
    headers,
    body: bytes,
    *,
    now: float,
    max_skew: int,
) -> str | None:
    """Return None when a signed call is good, else why it is refused ('stale' or 'bad').

    :param headers: the call's headers (a mapping that ignores case).
    """
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    request_id = headers.get(REQUEST_HEADER, "")
    sig = headers.get(SIGNATURE_HEADER, "")
    if not is_digits(timestamp) or abs(now - int(timestamp)) > max_skew:
        return "stale"
    if not is_request_id(request_id):
        return "bad"
    expected = signature(secret, method, endpoint, timestamp, request_id, body)
    if not same(expected, sig.lower()):
        return "bad"
    return None
