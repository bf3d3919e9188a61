"""The Space Inbox benchmark: the bridge against WordPress itself and against bare Flask.

``make bench`` (``python -m bench.run``) seeds two datasets, starts a real WordPress with
the plugin, the bridge and a bare Flask app under the same gunicorn settings, loads them
with ``wrk`` from loopback, and writes ``bench/results/latest.{json,md,png}``. It reports;
it asserts nothing about speed. ``python -m bench.profile`` shows where a request's time
goes. See ``bench/README.md``.
"""
