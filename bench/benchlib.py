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


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def setup_django(database_url: str, var_dir: object) -> None:
    """Django for a bench process: the database created when missing and migrated, ``src`` on the
    path (the caller has put the environment the server processes get into ``os.environ``)."""
    import sys
    from pathlib import Path

    Path(str(var_dir)).mkdir(parents=True, exist_ok=True)
    if database_url.startswith("postgres"):
        ensure_database(database_url)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
