"""Kept for existing importers: the responsibility ledger now lives in
``planflow.application.queries.responsibility`` with the other read queries."""

from planflow.application.queries.responsibility import HeadLedger, LedgerEntry, ledger

__all__ = ["HeadLedger", "LedgerEntry", "ledger"]
