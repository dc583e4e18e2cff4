"""planflow: a provincial plan (kế hoạch) becomes tracked, event-sourced duties."""

__version__ = "0.1.0"
