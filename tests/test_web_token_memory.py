"""The signer's memory of verified bearer tokens (web/auth.py): a token's signature is checked
once per process, its age at every request, a forged or altered token is never taken from the
memory, and the memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from planflow.web import auth
from planflow.web.accounts import Role, User
from planflow.web.auth import Signer
from planflow.web.settings import WebSettings


def _signer(tmp_path: Path, secret: str = "s" * 32) -> Signer:
    return Signer(WebSettings(database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key=secret))


def _user(name: str = "officer-a") -> User:
    return User(name, Role.AGENCY_OFFICER, "so-a")


def _at(monkeypatch: pytest.MonkeyPatch, stamp: int) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: stamp)


def test_a_remembered_token_skips_the_signature_check_but_not_its_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = _signer(tmp_path)
    _at(monkeypatch, 1_700_000_000)
    token = signer.token(_user(), "session-1")
    checks = []
    real = URLSafeTimedSerializer.loads

    def counted(self: URLSafeTimedSerializer, *args: object, **kwargs: object) -> object:
        checks.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted)
    for _ in range(5):
        assert signer.token_session(token) == ("officer-a", "session-1")
    assert len(checks) == 1

    max_age = signer.settings.token_max_age
    _at(monkeypatch, 1_700_000_000 + max_age)
    assert signer.token_session(token) == ("officer-a", "session-1")
    _at(monkeypatch, 1_700_000_000 + max_age + 1)
    assert signer.token_session(token) is None
    _at(monkeypatch, 1_700_000_000 - 1)  # signed "in the future": refused, as itsdangerous does
    assert signer.token_session(token) is None
    assert len(checks) == 1


def test_an_altered_or_foreign_token_is_refused_after_the_real_one_was_remembered(
    tmp_path: Path,
) -> None:
    signer = _signer(tmp_path)
    token = signer.token(_user(), "session-1")
    assert signer.token_session(token) == ("officer-a", "session-1")
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert signer.token_session(altered) is None
    foreign = _signer(tmp_path, secret="t" * 32).token(_user("director"), "session-2")
    assert signer.token_session(foreign) is None
    assert signer.token_session(token) == ("officer-a", "session-1")


def test_the_memory_of_tokens_stays_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "TOKEN_MEMORY", 3)
    signer = _signer(tmp_path)
    tokens = [signer.token(_user(), f"session-{n}") for n in range(7)]
    for n, token in enumerate(tokens):
        assert signer.token_session(token) == ("officer-a", f"session-{n}")
        assert len(signer._verified) <= 3
    assert signer.token_session(tokens[0]) == ("officer-a", "session-0")
