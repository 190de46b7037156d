"""A process that ends when another one does, however that one ended.

Worker processes (a build's validation and rendering processes, a server's worker processes)
wait for work from the process that started them. Killed without a chance to stop them (``kill
-9``, the OOM killer), that process leaves them waiting forever, holding memory, and a server's
workers would go on answering on its port; where no end of file tells them (a process pool's
workers hold both ends of their task queue), they watch the process instead.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # how often a platform without pidfd checks that the process still runs


def leave_with(pid: int) -> None:
    """Start a thread that ends this process as soon as process ``pid`` has ended."""
    threading.Thread(target=_wait_then_leave, args=(pid,), name=f"eulod-leave-with-{pid}", daemon=True).start()


def _wait_then_leave(pid: int) -> None:
    wait_for_end(pid)
    log.warning("process %d ended without stopping process %d; it leaves too", pid, os.getpid())
    os._exit(1)  # no clean-up to run: the process that owned the work is gone


def wait_for_end(pid: int) -> None:
    """Return once process ``pid`` has ended (exited or killed, reaped or not).

    On Linux a pidfd becomes readable when the process ends, even while it is a zombie its
    parent has not reaped yet, so the wait costs nothing; elsewhere the process is polled."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):  # no pidfd here: poll
        while _running(pid):
            time.sleep(POLL_SECONDS)
        return
    try:
        select.select([handle], [], [])
    finally:
        os.close(handle)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        pass
    return True
