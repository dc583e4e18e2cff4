"""Sign-in rate limiting, per account and per address, with a back-off that doubles.

After ``account_limit`` wrong passwords for one account (or ``address_limit`` from one address)
within ``window``, that key is blocked for ``base``; each further failure once the block ends
doubles it, up to ``cap``. While blocked, sign-in answers 429 with Retry-After before any password
is checked (hashing is the expensive part). A success clears the account's strikes, not the
address's. Time comes from the web context's clock. The counts live in this process's memory
(``planflow serve`` runs one process); the table is bounded so a flood of names cannot grow it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from planflow.web.errors import WebError


class TooManyAttempts(WebError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {retry_after} giây",
            f"too many failed sign-ins; try again in {retry_after} seconds",
        )


@dataclass
class _Strikes:
    failures: int
    last: datetime
    blocked_until: datetime | None = None


class SignInThrottle:
    def __init__(
        self,
        *,
        account_limit: int = 5,
        address_limit: int = 20,
        base: timedelta = timedelta(seconds=30),
        cap: timedelta = timedelta(minutes=15),
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 10_000,
    ) -> None:
        self.limits = {"account": account_limit, "address": address_limit}
        self.base = base
        self.cap = cap
        self.window = window
        self.max_keys = max_keys
        self._strikes: dict[tuple[str, str], _Strikes] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> list[tuple[str, str]]:
        return [("account", username.strip().lower()), ("address", address)]

    def check(self, username: str, address: str, now: datetime) -> None:
        """Raise TooManyAttempts while the account or the address is blocked."""
        waits = []
        with self._lock:
            for key in self._keys(username, address):
                strikes = self._strikes.get(key)
                if strikes and strikes.blocked_until and strikes.blocked_until > now:
                    waits.append((strikes.blocked_until - now).total_seconds())
        if waits:
            raise TooManyAttempts(max(1, math.ceil(max(waits))))

    def failed(self, username: str, address: str, now: datetime) -> None:
        with self._lock:
            for key in self._keys(username, address):
                strikes = self._strikes.get(key)
                idle = strikes is None or (
                    now - strikes.last > self.window
                    and (strikes.blocked_until is None or strikes.blocked_until <= now)
                )
                if strikes is None or idle:
                    strikes = self._strikes[key] = _Strikes(0, now)
                strikes.failures += 1
                strikes.last = now
                over = strikes.failures - self.limits[key[0]]
                if over >= 0:
                    block = min(self.base * (2 ** min(over, 20)), self.cap)
                    strikes.blocked_until = now + block
            self._prune(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._strikes.pop(self._keys(username, address)[0], None)

    def _prune(self, now: datetime) -> None:
        if len(self._strikes) <= self.max_keys:
            return
        for key, strikes in list(self._strikes.items()):
            if now - strikes.last > self.window and (
                strikes.blocked_until is None or strikes.blocked_until <= now
            ):
                del self._strikes[key]
        if len(self._strikes) > self.max_keys:  # still full: forget the quietest
            ordered = sorted(self._strikes, key=lambda k: self._strikes[k].last)
            for key in ordered[: len(self._strikes) - self.max_keys]:
                del self._strikes[key]
