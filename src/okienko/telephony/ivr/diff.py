"""What changed between two IVR flow definitions, node by node (the editor's version comparison
and its "someone else saved meanwhile" view). Pure: no database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

FLOW_FIELDS = ("start", "default_office", "description")


def revision(definition: Any) -> str:
    """A short fingerprint of a definition: the same JSON gives the same text, whatever its key order."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"options": {"1": "a"}}`` → ``{"options.1": "a"}``; lists are kept whole."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value} if prefix else {}


def _nodes(definition: Any) -> dict[str, Any]:
    nodes = definition.get("nodes") if isinstance(definition, Mapping) else None
    return {str(k): v for k, v in nodes.items()} if isinstance(nodes, Mapping) else {}


def _fields(before: Any, after: Any) -> list[dict[str, Any]]:
    old, new = flatten(before), flatten(after)
    return [
        {"field": name, "before": old.get(name), "after": new.get(name)}
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]


def diff_definitions(before: Any, after: Any) -> dict[str, Any]:
    """``{"flow": [field changes], "nodes": [{"node", "status": added|removed|changed, "fields"}]}``;
    a field change is ``{"field", "before", "after"}`` (``None``: the field is absent)."""
    flow = [
        {"field": name, "before": _get(before, name), "after": _get(after, name)}
        for name in FLOW_FIELDS
        if _get(before, name) != _get(after, name)
    ]
    old, new = _nodes(before), _nodes(after)
    nodes: list[dict[str, Any]] = []
    for node_id in sorted(set(old) | set(new)):
        if node_id not in old:
            nodes.append({"node": node_id, "status": "added", "fields": _fields({}, new[node_id])})
        elif node_id not in new:
            nodes.append({"node": node_id, "status": "removed", "fields": _fields(old[node_id], {})})
        elif old[node_id] != new[node_id]:
            nodes.append({"node": node_id, "status": "changed", "fields": _fields(old[node_id], new[node_id])})
    return {"flow": flow, "nodes": nodes, "same": not flow and not nodes}


def _get(definition: Any, name: str) -> Any:
    return definition.get(name) if isinstance(definition, Mapping) else None
