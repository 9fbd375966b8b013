"""What the bench scripts share: the PostgreSQL database they measure on, created when missing."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the database named at the end of ``url`` unless it exists (never drops anything:
    several scripts may load into the same database)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
