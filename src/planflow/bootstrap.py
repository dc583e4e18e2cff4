"""Builds the application. Nothing heavy happens at import time; tests build their own."""

from __future__ import annotations

from planflow.application.app import PlanflowApp


def bootstrap(database_url: str) -> PlanflowApp:
    return PlanflowApp(database_url)
