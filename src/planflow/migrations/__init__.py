"""Alembic migrations of the read-model tables (run through planflow.application.schema)."""
