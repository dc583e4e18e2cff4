"""Accounts and roles for the web app: the types and the store live in the application layer
(planflow.application.accounts_store, which holds the SQL); web code imports them from here."""

from __future__ import annotations

from planflow.application.accounts_store import (
    ROLE_LABELS,
    USERNAME_CHARS,
    AccountExists,
    AccountStore,
    Role,
    User,
)

__all__ = ["ROLE_LABELS", "USERNAME_CHARS", "AccountExists", "AccountStore", "Role", "User"]
