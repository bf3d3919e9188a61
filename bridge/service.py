"""Running the bridge as a service: the connections a live worker may hold under the
process's open-files limit, and the systemd unit ``space-inbox service`` writes."""

from __future__ import annotations

import resource
import shlex

#: The most connections a live worker holds, whatever the open-files limit allows.
MOST_CONNECTIONS = 10000
#: File descriptors a worker keeps for other things than streams: its listening socket,
#: MariaDB and Redis connections, logs, Python's own files.
SPARE_FILES = 256
#: The fewest connections a live worker is given.
FEWEST_CONNECTIONS = 64


def open_files_limit() -> int:
    """The soft limit on open files of this process (what a worker inherits)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MOST_CONNECTIONS + SPARE_FILES if soft == resource.RLIM_INFINITY else int(soft)


def connections_allowed(limit: int) -> int:
    """The connections a live worker may hold under an open-files limit of *limit*."""
    return max(FEWEST_CONNECTIONS, min(MOST_CONNECTIONS, limit - SPARE_FILES))


def files_needed(connections: int) -> int:
    """The open-files limit a live worker holding *connections* needs."""
    return connections + SPARE_FILES


def systemd_unit(command: list[str], *, user: str, environment_file: str, connections: int) -> str:
    """A systemd unit that runs *command* (``space-inbox serve …``) as *user*, with settings
    from *environment_file*, its output in the journal, restarted when it fails, and an
    open-files limit that fits *connections* per worker."""
    return f"""[Unit]
Description=Space Inbox bridge
After=network-online.target mariadb.service redis-server.service
Wants=network-online.target

[Service]
Type=simple
User={user}
Group={user}
# SPACE_INBOX_* settings (SPACE_INBOX_REDIS_URL for live updates, ...), one per line.
EnvironmentFile=-{environment_file}
ExecStart={shlex.join(command)}
Restart=on-failure
RestartSec=2
# Each open page holds one connection: {connections} per worker, and some to spare.
LimitNOFILE={files_needed(connections)}
StandardOutput=journal
StandardError=journal
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=full

[Install]
WantedBy=multi-user.target
"""
