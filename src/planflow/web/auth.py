"""Bearer tokens for the API and signed session cookies (with a CSRF token) for the pages.

A signed-in cookie or a token carries a session id whose row in ``planflow_sessions`` must still
count (AccountStore.session_user): signing out or changing the password revokes it server-side, so
a copy of the cookie made before is refused afterwards. A cookie without an account (the sign-in
form's CSRF token) has no row.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from planflow.web.accounts import AccountStore, User
from planflow.web.settings import WebSettings

SESSION_COOKIE = "planflow_session"
LANG_COOKIE = "planflow_lang"
TOKEN_MEMORY = 4096  # verified bearer tokens kept per process (forgotten all at once when full)


@dataclass(frozen=True)
class Session:
    username: str | None
    csrf: str
    session_id: str | None = None


class Signer:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._tokens = URLSafeTimedSerializer(settings.secret_key, salt="planflow-api-token")
        # The clock of the tokens' signatures (TimestampSigner.get_timestamp), for remembered ones.
        self._stamps = TimestampSigner(settings.secret_key, salt="planflow-api-token")
        # token -> (username, session id, signed at): its signature was checked once
        self._verified: dict[str, tuple[str, str, int]] = {}
        self._sessions = URLSafeTimedSerializer(settings.secret_key, salt="planflow-session")

    def token(self, user: User, session_id: str) -> str:
        """A bearer token for a session opened with AccountStore.open_session(…, "token", …)."""
        return self._tokens.dumps({"u": user.username, "s": session_id})

    def token_session(self, token: str) -> tuple[str, str] | None:
        """(username, session id) of a well-signed, young enough token, else None.

        A token whose signature checked out is remembered with the moment it was signed, so the
        next request with it costs a dict lookup and the same age check, not an HMAC, base64 and
        JSON (only signed tokens are ever kept: the key is the whole token)."""
        kept = self._verified.get(token)
        if kept is not None:
            age = self._stamps.get_timestamp() - kept[2]
            return kept[:2] if 0 <= age <= self.settings.token_max_age else None
        try:
            data, signed_at = self._tokens.loads(
                token, max_age=self.settings.token_max_age, return_timestamp=True
            )
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict):
            return None
        username, session_id = data.get("u"), data.get("s")
        if not isinstance(username, str) or not isinstance(session_id, str):
            return None
        if len(self._verified) >= TOKEN_MEMORY:
            self._verified.clear()
        self._verified[token] = (username, session_id, int(signed_at.timestamp()))
        return username, session_id

    def token_user(self, token: str, accounts: AccountStore) -> User | None:
        found = self.token_session(token)
        if found is None:
            return None
        user = accounts.session_user(found[1])
        return user if user is not None and user.username == found[0] else None

    def new_session(
        self, username: str | None, session_id: str | None = None
    ) -> tuple[Session, str]:
        session = Session(username, secrets.token_urlsafe(24), session_id)
        return session, self._sessions.dumps({"u": username, "c": session.csrf, "s": session_id})

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
        session_id = data.get("s")
        if not isinstance(username, str) or not isinstance(session_id, str):
            return Session(None, data["c"])  # no account signed in: only the CSRF token counts
        return Session(username, data["c"], session_id)


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    if session is None or not submitted:
        return False
    return hmac.compare_digest(session.csrf, submitted)
