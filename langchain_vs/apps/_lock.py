"""One writer per dataset file: an advisory lock on ``<file>.lock``, held while a run writes.

The lock is the operating system's (``flock``; ``msvcrt.locking`` on Windows), taken without
waiting: a second writer is refused at once with the holder's process id, host and start time,
which the holder writes into the lock file. The system drops the lock when its process ends,
killed or not, so a lock file left behind by a killed run never blocks the next one.

Examples:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> lock = WriterLock(folder / "data.jsonl")
    >>> lock.acquire()
    >>> WriterLock(folder / "data.jsonl").acquire()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...data.jsonl is being written by another run (process ...
    >>> lock.release()
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path

__all__ = ["WriterLock"]


def _try_lock(fd: int) -> bool:
    """Take the lock on ``fd`` without waiting; whether it was free."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class WriterLock:
    """The lock on ``<target>.lock``; `acquire()` once, `release()` when done."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.with_name(target.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or refuse at once.

        Raises:
            ValueError: Another run (this process or another) writes ``target``; the message
                names it.
            OSError: The lock file cannot be created (an unwritable folder).
        """
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _try_lock(fd):
                    raise ValueError(
                        f"{self.target} is being written by another run ({self._holder(fd)}): "
                        "wait for it to end, or write to another file"
                    )
                if self._still_ours(fd):
                    break
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder we waited on removed the file: lock the new one
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(holder).encode())
        self._fd = fd

    def _still_ours(self, fd: int) -> bool:
        """The locked file is still the one at ``path`` (not unlinked by its last holder)."""
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)

    @staticmethod
    def _holder(fd: int) -> str:
        """Who holds the lock, as its holder wrote it."""
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            holder = json.loads(os.read(fd, 4096))
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(holder["since"])))
            return f"process {int(holder['pid'])} on {holder['host']}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "process unknown: it is starting"

    def release(self) -> None:
        """Drop the lock and remove the lock file (a no-op when not held)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):  # Windows keeps an open file: left, harmless
            self.path.unlink(missing_ok=True)  # before unlocking: a waiter re-checks the inode
        os.close(fd)  # closing drops the lock
