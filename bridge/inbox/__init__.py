"""The inbox rules: who may read and write which conversation, and what a write does.

Functions take a session and plain values, raise :mod:`bridge.refusals` and never
commit: the caller owns the transaction. Nothing here knows HTTP. One module per job:

- :mod:`~bridge.refusals`: what the rules refuse, each with its status.
- :mod:`~bridge.inbox.values`: checks of what callers send (bodies, keys, cursors).
- :mod:`~bridge.inbox.access`: who may see and write which Space and conversation.
- :mod:`~bridge.inbox.writes`: messages, reads, status and blocks, with their
  notification jobs (the outbox) and audit rows.
- :mod:`~bridge.inbox.reads`: the lists and the messages.
- :mod:`~bridge.inbox.sync`: the events WordPress sends (Spaces, teams, users).
- :mod:`~bridge.inbox.privacy`: a user's data, for WordPress' exporter and eraser.
- :mod:`~bridge.inbox.statements`: the statements of the hot paths (the header poll, the
  send), built once per site; the rules above call them.
"""
