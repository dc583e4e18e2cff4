"""Data shipped with planflow: agency registers."""
