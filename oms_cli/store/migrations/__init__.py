"""Alembic migrations of the oms schema (see env.py for how to add one)."""
