"""Whose inbox an account reads, and its unread count (for the header on every page)."""

from __future__ import annotations

from planflow.application.digests import audience_of
from planflow.application.queries import Audience, unread_count
from planflow.web.accounts import User
from planflow.web.context import WebContext


def audience(user: User) -> Audience | None:
    """The Office's roles hear of what the agencies send; an agency's accounts, of what happens
    to its tasks. Auditors and administrators have no inbox."""
    return audience_of(user)


def count(ctx: WebContext, user: User | None) -> int | None:
    """The unread count for the header (None: the account has no inbox)."""
    who = audience(user) if user is not None else None
    return None if who is None else unread_count(ctx.app.engine, who, ctx.now())
