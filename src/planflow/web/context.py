"""What every request needs: the application, the accounts, the settings and the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from planflow.application.accounts_admin import AccountAdmin
from planflow.application.app import PlanflowApp
from planflow.application.digests import DigestStore
from planflow.application.queries.board_cache import BoardCache
from planflow.web.accounts import AccountStore
from planflow.web.settings import WebSettings

Clock = Callable[[], datetime]
T = TypeVar("T")


@dataclass
class WebContext:
    app: PlanflowApp
    accounts: AccountStore
    settings: WebSettings
    clock: Clock
    cache: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the web clock must return timezone-aware datetimes")
        return moment

    def _once(self, key: str, kind: type[T], make: Callable[[], T]) -> T:
        """The app's one ``kind`` kept under ``key``, made on first use."""
        found = self.cache.get(key)
        if isinstance(found, kind):
            return found
        made = self.cache.setdefault(key, make())
        assert isinstance(made, kind)
        return made

    def account_admin(self) -> AccountAdmin:
        """Managing accounts, their sign-in log and change log (made once per app)."""
        return self._once("account-admin", AccountAdmin, lambda: AccountAdmin(self.app.engine))

    def digests(self) -> DigestStore:
        """The digest preferences (made once per app: making one checks its tables exist)."""
        return self._once("digests", DigestStore, lambda: DigestStore(self.app.engine))

    def board_cache(self) -> BoardCache:
        """The board's counts and page figures until the next event or minute (one per app)."""
        events = self.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        return self._once("board-cache", BoardCache, lambda: BoardCache(self.app.engine, events))
