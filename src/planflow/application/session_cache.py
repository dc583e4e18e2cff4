"""A short-lived memory of which sessions count, in front of ``AccountStore.session_user``.

Every API request and every signed-in page asks whether its session row still counts (not
revoked, the account active). The answer changes only when a session is revoked (sign-out, a
password change or reset, an account deactivated), so a web process keeps each positive answer
for a few seconds:

- A revocation made by this process (through ``AccountStore`` or ``AccountAdmin``) calls
  ``sessions_changed()``, which forgets every kept answer at once: it takes effect on the next
  request, as without the cache.
- A revocation made by another process (another web worker, ``planflow users passwd``) takes
  effect here once the kept answer is older than ``seconds`` (2 s by default,
  PLANFLOW_SESSION_CACHE_SECONDS; 0 turns the memory off).
- How long a session or token lasts is checked on its signature on every request (web/auth.py),
  before this memory is asked: expiry is never delayed.
- Only answers "this session counts" are kept (a refused session is asked again each time), at
  most ``size`` of them; the time is a monotonic ticker, injected by tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_generation = [0]


def sessions_changed() -> None:
    """Sessions or accounts changed in this process: every kept answer is forgotten."""
    with _lock:
        _generation[0] += 1


class SessionCache(Generic[T]):
    def __init__(
        self,
        seconds: float,
        *,
        size: int = 10_000,
        ticker: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.ticker = ticker
        self._kept: dict[str, tuple[T, float, int]] = {}

    def get(self, key: str) -> T | None:
        """The answer kept for ``key`` if it is young enough and nothing was revoked since."""
        found = self._kept.get(key)
        if found is None:
            return None
        value, until, generation = found
        if generation != _generation[0] or self.ticker() >= until:
            self._kept.pop(key, None)
            return None
        return value

    def generation(self) -> int:
        """Read before the database is asked: an answer read across a revocation is not kept."""
        return _generation[0]

    def keep(self, key: str, value: T, generation: int) -> None:
        if self.seconds <= 0 or generation != _generation[0]:
            return
        if len(self._kept) >= self.size:
            self._kept.clear()  # rare (that many live sessions within seconds): start afresh
        self._kept[key] = (value, self.ticker() + self.seconds, generation)
