"""Reports read from a replica when ``DATABASE_REPLICA_URL`` is set (issue 20, item 1).

Only the reports' own read-only paths ask for it, through :func:`read_alias`; the router keeps
every write (the rollups included) and every migration on the primary, so a replica can never be
written to by mistake. Without a replica, ``read_alias`` is the primary.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

REPLICA = "replica"


def read_alias() -> str:
    return REPLICA if REPLICA in settings.DATABASES else "default"


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None  # the default; reports choose the replica explicitly with ``.using(read_alias())``

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        instance = hints.get("instance")
        if instance is not None and getattr(instance._state, "db", None) == REPLICA:
            return "default"  # an object read from the replica is written to the primary
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
