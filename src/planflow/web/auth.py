"""Bearer tokens for the API and signed session cookies (with a CSRF token) for the pages."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from planflow.web.accounts import AccountStore, User
from planflow.web.settings import WebSettings

SESSION_COOKIE = "planflow_session"
LANG_COOKIE = "planflow_lang"


@dataclass(frozen=True)
class Session:
    username: str | None
    csrf: str


class Signer:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._tokens = URLSafeTimedSerializer(settings.secret_key, salt="planflow-api-token")
        self._sessions = URLSafeTimedSerializer(settings.secret_key, salt="planflow-session")

    def token(self, user: User) -> str:
        return self._tokens.dumps({"u": user.username})

    def token_user(self, token: str, accounts: AccountStore) -> User | None:
        try:
            data = self._tokens.loads(token, max_age=self.settings.token_max_age)
        except (BadSignature, SignatureExpired):
            return None
        return accounts.get(str(data.get("u", ""))) if isinstance(data, dict) else None

    def new_session(self, username: str | None) -> tuple[Session, str]:
        session = Session(username, secrets.token_urlsafe(24))
        return session, self._sessions.dumps({"u": username, "c": session.csrf})

    def read_session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=self.settings.session_max_age)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        username = data.get("u")
        return Session(username if isinstance(username, str) else None, data["c"])


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf, submitted)
