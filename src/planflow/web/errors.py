"""The web's branch of planflow's errors: access, sign-in, uploads, pages that are not there."""

from __future__ import annotations

from planflow.domain.errors import PlanflowError


class WebError(PlanflowError):
    """An error only the web has; mapped to an HTTP status in web/problems.py."""
