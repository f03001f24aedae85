"""A throwaway PostgreSQL cluster on a loopback port, made with the server's own initdb/pg_ctl.

Written here rather than taken from pytest-postgresql: that plugin runs initdb as the current
user, and initdb refuses to run as root, which is what CI machines run as. As root, the cluster
is made and run by the unprivileged ``postgres`` user that PostgreSQL's packages create.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

INSTALL_POSTGRES = (
    "PostgreSQL's server programs initdb and pg_ctl are not on PATH. Install PostgreSQL 15 or "
    "newer (Debian/Ubuntu: apt install postgresql; macOS: brew install postgresql@15) and put "
    "its bin directory (e.g. /usr/lib/postgresql/15/bin) on PATH"
)
RUN_AS = "postgres"
TIMEOUT = 300  # seconds; a hang guard sized for a loaded machine


class PostgresMissing(RuntimeError):
    """PostgreSQL cannot be started here; the message says what to install."""


def require_postgres() -> None:
    """Check that a cluster can be started here.

    Raises:
        PostgresMissing: initdb/pg_ctl are not installed, or there is no user to run them as.
    """
    _programs()
    _owner()


def _programs() -> tuple[str, str]:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresMissing(INSTALL_POSTGRES)
    return initdb, pg_ctl


def _owner() -> dict[str, Any]:
    """How to run the server's programs: as ``postgres`` when this process is root."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(RUN_AS)
    except KeyError:
        raise PostgresMissing(
            f"initdb refuses to run as root and there is no {RUN_AS!r} user to run it as: "
            f"run the tests as an unprivileged user, or create one (useradd {RUN_AS})"
        ) from None
    return {"user": RUN_AS, "group": None}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], owner: dict[str, Any]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, **owner)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a fresh cluster on 127.0.0.1 and yield its connection URL; delete it afterwards.

    Raises:
        PostgresMissing: initdb/pg_ctl are not installed, or there is no user to run them as.
    """
    initdb, pg_ctl = _programs()
    owner = _owner()
    home = Path(tempfile.mkdtemp(prefix="langchain-vs-pg-"))
    if owner:
        os.chown(home, pwd.getpwnam(RUN_AS).pw_uid, -1)
    data = home / "data"
    port = _free_port()
    try:
        _run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"], owner)
        # Its Unix socket in its own folder: the system's may not be writable.
        options = f"-h 127.0.0.1 -p {port} -k {home}"
        log = str(home / "server.log")
        _run([pg_ctl, "-D", str(data), "-l", log, "-o", options, "-w", "-t", "300", "start"], owner)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
        finally:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], owner)
    finally:
        shutil.rmtree(home, ignore_errors=True)
