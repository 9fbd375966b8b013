"""Materialised paths of the organisation tree (``/wup/pup-a/pup-a-dept/``), as plain strings, so
any app can reason about ancestors without loading organisations."""

from __future__ import annotations


def path_prefixes(path: str) -> list[str]:
    """The paths from the root down to ``path`` itself: ``/a/b/`` → ``["/a/", "/a/b/"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def ancestor_paths(path: str) -> list[str]:
    """The paths strictly above ``path``: ``/a/b/`` → ``["/a/"]``."""
    return path_prefixes(path)[:-1]


def root_path(path: str) -> str:
    """The path of the tree's root (the data controller, ADR 0041): ``/a/b/`` → ``/a/``."""
    prefixes = path_prefixes(path)
    return prefixes[0] if prefixes else "/"
