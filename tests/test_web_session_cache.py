"""The web's short memory of which sessions count (application/session_cache.py): a revocation
made in this process takes effect at once, one made by another process within the memory's
seconds, an expired token is refused whatever the memory holds, and a kept answer spares the
database its lookup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import event, update

from planflow.application.accounts_admin import AccountAdmin
from planflow.application.accounts_store import AccountStore, sessions
from planflow.application.session_cache import SessionCache, sessions_changed
from planflow.application.tables import to_db
from planflow.web.settings import WebSettings
from webkit import WebWorld, make_world


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _world(tmp_path: Path, web_template: Path, seconds: int) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, web_template, session_cache_seconds=seconds)


@pytest.fixture
def kept(tmp_path: Path, web_template: Path) -> Iterator[WebWorld]:
    """A web app that keeps answers for an hour: what counts at once is not the memory's age."""
    yield from _world(tmp_path, web_template, seconds=3600)


def _accounts(world: WebWorld) -> AccountStore:
    accounts = world.web.state.ctx.accounts
    assert isinstance(accounts, AccountStore)
    return accounts


def _revoke_elsewhere(world: WebWorld, username: str) -> None:
    """What another process (a second web worker, `planflow users passwd`) writes: the rows
    change, and this process is not told."""
    with world.app.engine.begin() as connection:
        connection.execute(
            update(sessions)
            .where(sessions.c.username == username, sessions.c.revoked_at.is_(None))
            .values(revoked_at=to_db(world.clock()))
        )


def _session_lookups(world: WebWorld) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "planflow_sessions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(world.app.engine, "before_cursor_execute", count)
    return seen


def test_a_sign_out_made_by_another_process_counts_here_within_the_memorys_seconds(
    tmp_path: Path, web_template: Path
) -> None:
    for world in _world(tmp_path, web_template, seconds=2):
        ticker = Ticker()
        _accounts(world).cache.ticker = ticker
        bearer = world.token("director")
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 200

        _revoke_elsewhere(world, "director")
        ticker.now += 1.9
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 200  # kept
        ticker.now += 0.1
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 401
        ticker.now += 100
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_sign_out_through_this_process_counts_at_once_however_long_answers_are_kept(
    tmp_path: Path, web_template: Path
) -> None:
    for world in _world(tmp_path, web_template, seconds=3600):
        first, second = world.token("auditor"), world.token("auditor")
        assert world.client.get("/api/v1/me", headers=first).status_code == 200
        assert world.client.get("/api/v1/me", headers=second).status_code == 200
        assert world.client.delete("/api/v1/token", headers=first).status_code == 204
        assert world.client.get("/api/v1/me", headers=first).status_code == 401
        assert world.client.get("/api/v1/me", headers=second).status_code == 200


def test_deactivating_or_a_new_password_ends_kept_sessions_at_once(
    tmp_path: Path, web_template: Path
) -> None:
    for world in _world(tmp_path, web_template, seconds=3600):
        staff, officer = world.token("staff"), world.token("officer-a")
        assert world.client.get("/api/v1/me", headers=staff).status_code == 200
        assert world.client.get("/api/v1/me", headers=officer).status_code == 200

        AccountAdmin(world.app.engine).set_active("admin", world.clock(), "staff", False)
        assert world.client.get("/api/v1/me", headers=staff).status_code == 401

        # A second store on the same database (as AccountAdmin makes one) revokes, too.
        AccountStore(world.app.engine).set_password("officer-a", "brand-new-pass-1", world.clock())
        assert world.client.get("/api/v1/me", headers=officer).status_code == 401


def test_an_expired_token_is_refused_while_its_session_is_still_kept(
    kept: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    bearer = kept.token("director")
    assert kept.client.get("/api/v1/me", headers=bearer).status_code == 200
    now = TimestampSigner.get_timestamp(TimestampSigner("k"))
    expired = now + kept.settings.token_max_age + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: expired)
    assert kept.client.get("/api/v1/me", headers=bearer).status_code == 401


def test_a_kept_answer_spares_the_lookup_and_a_refused_one_is_asked_again(
    tmp_path: Path, web_template: Path
) -> None:
    for world in _world(tmp_path, web_template, seconds=3600):
        bearer = world.token("director")
        lookups = _session_lookups(world)
        for _ in range(5):
            assert world.client.get("/api/v1/me", headers=bearer).status_code == 200
        assert len(lookups) == 1

        _revoke_elsewhere(world, "director")
        sessions_changed()  # forget, so the refusal is read
        for _ in range(3):
            assert world.client.get("/api/v1/me", headers=bearer).status_code == 401
        assert len(lookups) == 4


def test_with_the_memory_off_a_sign_out_elsewhere_counts_at_once(
    tmp_path: Path, web_template: Path
) -> None:
    settings = WebSettings.from_env(
        "sqlite://", {"PLANFLOW_SECRET_KEY": "k", "PLANFLOW_SESSION_CACHE_SECONDS": "0"}
    )
    assert settings.session_cache_seconds == 0
    assert WebSettings.from_env("sqlite://", {"PLANFLOW_SECRET_KEY": "k"}).session_cache_seconds
    for world in _world(tmp_path, web_template, seconds=0):
        bearer = world.token("director")
        lookups = _session_lookups(world)
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 200
        _revoke_elsewhere(world, "director")
        assert world.client.get("/api/v1/me", headers=bearer).status_code == 401
        assert len(lookups) == 2


def test_an_answer_read_across_a_revocation_is_not_kept() -> None:
    ticker = Ticker()
    cache: SessionCache[str] = SessionCache(5, ticker=ticker)
    before = cache.generation()
    sessions_changed()  # a revocation lands while the row is being read
    cache.keep("k", "director", before)
    assert cache.get("k") is None
    cache.keep("k", "director", cache.generation())
    assert cache.get("k") == "director"
    ticker.now += 5
    assert cache.get("k") is None


def test_the_memory_holds_at_most_its_size() -> None:
    cache: SessionCache[int] = SessionCache(60, size=3, ticker=Ticker())
    for n in range(7):
        cache.keep(f"k{n}", n, cache.generation())
    kept = [n for n in range(7) if cache.get(f"k{n}") is not None]
    assert kept and len(kept) <= 3 and 6 in kept
