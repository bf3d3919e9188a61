"""The development stack: real WordPress sites (Debian's 6.1, 7.1, BuddyPress, BuddyBoss),
the bridge as a server, and the two together, for the tests, the demo, the load test and
the benchmark.

- :mod:`devstack.wordpress`: a WordPress site in a temporary folder and database, served
  by PHP's built-in server; real logins, cookies and nonces.
- :mod:`devstack.platforms`: the releases a site is built from (WordPress 7.1, BuddyPress,
  BuddyBoss Platform).
- :mod:`devstack.stack`: any gunicorn app as a server, the bridge as ``space-inbox
  serve``, and the whole stack.
- :mod:`devstack.detached`: servers started in their own process groups and tracked by
  pid files, never found by their command line.
- :mod:`devstack.kept`: a stack kept between runs in one folder (the demo's).
- :mod:`devstack.nginx`, :mod:`devstack.php_fpm`: the site's address in front of both, as
  a deployment has it.
- :mod:`devstack.callers`: the bridge's callers through Flask's test client.
- :mod:`devstack.streams`: a live stream read as a browser's EventSource does.
"""
