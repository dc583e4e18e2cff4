"""What every request needs: the application, the accounts, the settings and the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from planflow.application.accounts_admin import AccountAdmin
from planflow.application.app import PlanflowApp
from planflow.application.digests import DigestStore
from planflow.application.queries.board_cache import BoardCache
from planflow.web.accounts import AccountStore
from planflow.web.settings import WebSettings

Clock = Callable[[], datetime]


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

    def account_admin(self) -> AccountAdmin:
        """Managing accounts, their sign-in log and change log (made once per app)."""
        found = self.cache.get("account-admin")
        if isinstance(found, AccountAdmin):
            return found
        admin = AccountAdmin(self.app.engine)
        self.cache["account-admin"] = admin
        return admin

    def digests(self) -> DigestStore:
        """The digest preferences (made once per app: making one checks its tables exist)."""
        found = self.cache.get("digests")
        if isinstance(found, DigestStore):
            return found
        made = DigestStore(self.app.engine)
        self.cache["digests"] = made
        return made

    def board_cache(self) -> BoardCache:
        """The board's counts and page figures until the next event or minute (one per app)."""
        found = self.cache.get("board-cache")
        if isinstance(found, BoardCache):
            return found
        events = self.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        made = self.cache.setdefault("board-cache", BoardCache(self.app.engine, events))
        assert isinstance(made, BoardCache)
        return made
