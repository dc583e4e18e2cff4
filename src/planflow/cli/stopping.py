"""Waiting for Ctrl-C or SIGTERM without a lock in the signal handler.

A signal handler runs in the main thread between two bytecodes, wherever that thread happens to
be. ``threading.Event.set()`` takes the event's lock, and ``Event.wait()`` holds that same lock for
a moment each time it wakes up; a signal landing in that moment made the handler wait for a lock
its own thread held, for ever, while the background ticks went on (the stuck ``planflow run`` of
stop 18). So the handler here only assigns a flag, and the main thread sleeps in short steps and
looks at it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Set by a signal, read by the main thread. Holds no lock, so it is safe in a handler."""

    def __init__(self) -> None:
        self.requested = False

    def handler(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def wait(self, poll_seconds: float = 0.2) -> None:
        """Return once a stop was requested, looking every ``poll_seconds``."""
        while not self.requested:
            time.sleep(poll_seconds)


@contextmanager
def stop_on_signals(signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> Iterator[StopRequest]:
    """Route ``signals`` to a fresh :class:`StopRequest` for the block, then restore the old
    handlers."""
    stop = StopRequest()
    previous = {s: signal.signal(s, stop.handler) for s in signals}
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
