"""An exclusive lock on an output folder, so two runs never append to the same ``series.csv``.

The lock is an operating-system lock (``flock``) on ``DIR/.nakinetics.lock``; the file also records the
holder's PID, host and start time so a refused run can say who holds it.  The kernel drops the lock when
the holder exits in any way, ``SIGKILL`` included, so a crashed run leaves no stale lock: the file's old
PID is simply overwritten by the next holder.  The file itself is never deleted (deleting a lock file that
another process has opened would let two runs hold "the" lock).
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from ..exceptions import OutputError

LOCK_NAME = ".nakinetics.lock"

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


class FolderLock:
    """``with FolderLock(folder, "geis"):`` — hold ``folder`` exclusively, or raise :class:`OutputError`
    naming the holder (PID, host, start time)."""

    def __init__(self, folder: Path, command: str) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> Self:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot create the lock file ({exc.strerror or exc})") from None
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise OutputError(
                f"{self.folder} is in use by another run ({holder}); wait for it to finish or choose another "
                "--out (two runs appending to one series would mix their rows)"
            )
        stamp = f"pid={os.getpid()} host={socket.gethostname()} command={self.command} started={datetime.now().isoformat(timespec='seconds')}\n"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, stamp.encode(), 0)
        except OSError:  # the lock holds even when the note cannot be written
            pass
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            _unlock(fd)
        os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", errors="replace").strip()
    except OSError:
        text = ""
    fields = dict(item.partition("=")[::2] for item in text.split())
    if "pid" not in fields:
        return "holder unknown"
    return f"PID {fields['pid']} on {fields.get('host', '?')}, started {fields.get('started', '?')}"
