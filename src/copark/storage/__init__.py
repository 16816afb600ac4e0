"""Storage: SQLAlchemy tables, engines per backend, Alembic migrations."""
