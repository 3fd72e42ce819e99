"""Persistence: SQLAlchemy Core schema, Alembic migrations, queries and the group-commit writer."""
