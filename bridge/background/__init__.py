"""Beside the requests: the notification outbox and its dispatcher, live updates, kept answers."""
