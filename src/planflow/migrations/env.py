"""Alembic's entry: the migrations run on the connection planflow hands over."""

from alembic import context

from planflow.application.schema import run_migrations

run_migrations(context.config)
