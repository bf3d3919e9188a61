"""A push service of the tests' own, speaking the standard a browser's push service speaks:
RFC 8030 delivery (a POST to the subscription's endpoint, ``TTL`` required, 201 with a
``Location``), RFC 8292 VAPID (the ``Authorization: vapid t=<JWT>, k=<key>`` header: an
ES256 JWT for the endpoint's origin, not expired, with a ``sub``, signed by that key) and
RFC 8291 payload encryption (``aes128gcm``, decrypted with the subscription's own keys).

:meth:`PushService.subscribe` makes a subscription as a browser hands it to a page
(``{"endpoint", "keys": {"p256dh", "auth"}}``), holding the private key only this service
knows; what each accepted push said, decrypted, is in :attr:`PushService.received`. A
subscription can be made to answer 404/410 (gone) or 5xx (failing) to test the sender.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    """One push the service accepted."""

    token: str
    payload: dict
    ttl: int
    urgency: str | None
    topic: str | None
    vapid_key: str
    claims: dict
    #: When it was accepted (``time.time()``).
    at: float


@dataclass
class _Subscription:
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    #: The status it answers instead of 201 (404 or 410: gone; 5xx: failing), and how many
    #: times (None: always).
    status: int = 201
    times: int | None = None
    refused: list[str] = field(default_factory=list)


class PushService:
    """The service, on a free port of 127.0.0.1 (a thread); :meth:`close` ends it."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, _Subscription] = {}
        self.received: list[Received] = []
        #: Requests refused, and why (a bad VAPID header, an undecryptable body).
        self.refusals: list[str] = []
        self._lock = threading.Condition()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, headers = service._take(self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    # -- subscriptions ------------------------------------------------------------------

    def subscribe(self) -> dict:
        """A new subscription, as ``PushSubscription.toJSON()`` gives it."""
        token = secrets.token_urlsafe(16)
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        with self._lock:
            self._subscriptions[token] = _Subscription(key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{token}",
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }

    def answer(self, subscription: dict, status: int, times: int | None = None) -> None:
        """Make a subscription answer *status* (*times* times, or always)."""
        with self._lock:
            found = self._subscriptions[self._token(subscription["endpoint"])]
            found.status, found.times = status, times

    def for_(self, subscription: dict) -> list[Received]:
        """What a subscription was sent, in order."""
        token = self._token(subscription["endpoint"])
        with self._lock:
            return [r for r in self.received if r.token == token]

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until *count* pushes in all were accepted; what was."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self.received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _token(endpoint: str) -> str:
        return endpoint.rsplit("/push/", 1)[-1]

    # -- a push ---------------------------------------------------------------------------

    def _take(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        if not path.startswith("/push/"):
            return 404, {}
        token = path.removeprefix("/push/")
        with self._lock:
            found = self._subscriptions.get(token)
        if found is None:
            return 404, {}
        try:
            received = self._check(token, found, headers, body)
        except ValueError as refused:
            with self._lock:
                self.refusals.append(str(refused))
            return 400 if "VAPID" not in str(refused) else 401, {}
        with self._lock:
            if found.status != 201 and (found.times is None or found.times > 0):
                if found.times is not None:
                    found.times -= 1
                return found.status, {}
            self.received.append(received)
            self._lock.notify_all()
        return 201, {"Location": f"{self.origin}/message/{secrets.token_urlsafe(8)}"}

    def _check(self, token: str, found: _Subscription, headers: dict, body: bytes) -> Received:
        lower = {k.lower(): v for k, v in headers.items()}
        if not lower.get("ttl", "").isdigit():
            raise ValueError("no TTL header (RFC 8030 5.2)")
        if lower.get("content-encoding") != "aes128gcm":
            raise ValueError(f"Content-Encoding {lower.get('content-encoding')!r}, not aes128gcm")
        jwt, key = self._vapid(lower.get("authorization", ""))
        claims = self._verify(jwt, key)
        try:
            plain = http_ece.decrypt(
                body, private_key=found.key, auth_secret=found.auth, version="aes128gcm"
            )
        except Exception as error:  # noqa: BLE001 - any failure is a refusal
            raise ValueError(f"payload not decrypted with the device's keys: {error}") from None
        return Received(
            token,
            json.loads(plain),
            int(lower["ttl"]),
            lower.get("urgency"),
            lower.get("topic"),
            key,
            claims,
            time.time(),
        )

    @staticmethod
    def _vapid(authorization: str) -> tuple[str, str]:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"VAPID: Authorization scheme {scheme!r}, not vapid (RFC 8292 3)")
        params = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if "t" not in params or "k" not in params:
            raise ValueError("VAPID: t and k are both needed")
        return params["t"], params["k"]

    def _verify(self, jwt: str, key: str) -> dict:
        try:
            head, claims, signature = jwt.split(".")
            header = json.loads(unb64url(head))
            found = json.loads(unb64url(claims))
            point = unb64url(key)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            raw = unb64url(signature)
        except ValueError as error:
            raise ValueError(f"VAPID: unreadable token or key: {error}") from None
        if header.get("alg") != "ES256" or len(raw) != 64:
            raise ValueError("VAPID: not an ES256 token")
        r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        try:
            public.verify(
                encode_dss_signature(r, s),
                f"{head}.{claims}".encode("ascii"),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise ValueError("VAPID: the signature is not the key's") from None
        if found.get("aud") != self.origin:
            raise ValueError(f"VAPID: aud {found.get('aud')!r}, not {self.origin!r}")
        now = time.time()
        if not now < float(found.get("exp", 0)) <= now + 86400:
            raise ValueError("VAPID: exp not within the next 24 hours")
        if not str(found.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("VAPID: sub is not a mailto: or https: URL")
        return found
