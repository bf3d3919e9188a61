"""MariaDB servers of the harness's own, beside the machine's: one to stop and start again
(a fault), or a primary with a replica that follows it (GTID replication, as a site with
a read replica runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pymysql

from devstack.wordpress import free_port


class MariaDB:
    """A MariaDB server in a folder of its own, root without a password on 127.0.0.1.

    :param options: more ``mariadbd`` options (``--log-bin``, ``--server-id=2``…).
    """

    def __init__(self, *options: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="si-mariadb-"))  # short: the socket path
        self.port = free_port()
        self.options = list(options)
        self.process: subprocess.Popen | None = None
        self.as_root = ["--user=root"] if os.geteuid() == 0 else []

    def install(self) -> None:
        installed = subprocess.run(
            [
                shutil.which("mariadb-install-db") or "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.dir / 'data'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *self.as_root,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if installed.returncode != 0:
            raise RuntimeError(installed.stdout + installed.stderr)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("mariadbd") or "/usr/sbin/mariadbd",
                "--no-defaults",
                f"--datadir={self.dir / 'data'}",
                f"--port={self.port}",
                f"--socket={self.dir / 'sock'}",
                f"--pid-file={self.dir / 'pid'}",
                f"--log-error={self.dir / 'error.log'}",
                "--bind-address=127.0.0.1",
                "--innodb-buffer-pool-size=32M",
                *self.options,
                *self.as_root,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited:\n{self.error_log()}")
            try:
                self.connect().close()
                return
            except pymysql.MySQLError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mariadbd does not answer:\n{self.error_log()}") from None
                time.sleep(0.1)

    def connect(self) -> pymysql.Connection:
        # Without TLS, as WordPressSite._connect: pymysql would build a TLS context each time.
        return pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", autocommit=True, ssl_disabled=True
        )

    def sql(self, statement: str, args: object = None) -> list[tuple]:
        """Run one statement as root; its rows."""
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(statement, args)
            return list(cursor.fetchall())

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def error_log(self) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ReplicatedPair:
    """A primary (binary log on) and a read-only replica following it from its first
    transaction, by GTID: what the primary commits reaches the replica, as on a site
    with a read replica. :meth:`pause` stops the replica applying (it lags);
    :meth:`resume` lets it catch up."""

    def __init__(self) -> None:
        self.primary = MariaDB("--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW")
        self.replica = MariaDB("--server-id=2", "--read-only=1", "--relay-log=replica-relay")

    def start(self) -> ReplicatedPair:
        self.primary.install()
        # The same empty data folder for both: the replica needs nothing copied.
        shutil.copytree(self.primary.dir / "data", self.replica.dir / "data")
        self.primary.start()
        self.replica.start()
        self.replica.sql(
            "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = %s, "
            "MASTER_USER = 'root', MASTER_USE_GTID = slave_pos",
            [self.primary.port],
        )
        self.replica.sql("START SLAVE")
        return self

    def position(self, server: MariaDB) -> str:
        variable = "gtid_binlog_pos" if server is self.primary else "gtid_slave_pos"
        return server.sql(f"SELECT @@{variable}")[0][0] or ""

    def caught_up(self, timeout: float = 30.0) -> None:
        """Wait until the replica has applied everything the primary committed so far."""
        wanted = self.position(self.primary)
        waited = self.replica.sql("SELECT MASTER_GTID_WAIT(%s, %s)", [wanted, timeout])[0][0]
        if waited != 0:
            raise RuntimeError(f"the replica did not reach {wanted}:\n{self.replica.error_log()}")

    def pause(self) -> None:
        self.replica.sql("STOP SLAVE SQL_THREAD")

    def resume(self) -> None:
        self.replica.sql("START SLAVE SQL_THREAD")

    def remove(self) -> None:
        self.replica.remove()
        self.primary.remove()
