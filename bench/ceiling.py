"""The ceiling: a bare Flask JSON endpoint, served with the bridge's gunicorn settings.

It answers the path the bridge's header poll uses with a body of the same shape and
size, and does nothing else: no database, no login. Nothing served from Flask under
these gunicorn settings can be faster, so the bridge's requests per second over this
app's is how close the bridge comes to the ceiling.

    gunicorn --workers 2 --worker-class gthread --threads 4 'bench.ceiling:app'
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)
app.json.sort_keys = False

_BODY = {"unread": 3, "conversations_unread": 2, "inbox_url": "http://127.0.0.1/space-messages/"}


@app.get("/api/v1/me/summary")
def summary():
    """A constant summary, made conditional like the bridge's (ETag, If-None-Match)."""
    response = jsonify(_BODY)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@app.get("/health")
def health():
    """Ready."""
    return {"status": "ok"}
