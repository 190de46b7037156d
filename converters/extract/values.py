"""A record's values as the review list shows them, and found by their provenance paths."""

from __future__ import annotations

import re
from typing import Any


def shown(value: Any) -> str:
    """A review candidate as text: a name in several languages as its values, a participant as its name."""
    if isinstance(value, dict):
        if "organisation" in value:
            return shown(value["organisation"].get("name"))
        if "scheme" in value:
            return f"{value['scheme']}: {value['value']}"
        return " / ".join(shown(v) for v in value.values())
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    return str(value)


def value_at(record: dict[str, Any], path: str) -> Any:
    """The value at a provenance path ('budget.total_cost', 'participants[2]')."""
    target: Any = record
    for key in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if key.startswith("["):
            index = int(key[1:-1])
            target = target[index] if isinstance(target, list) and index < len(target) else None
        else:
            target = target.get(key) if isinstance(target, dict) else None
        if target is None:
            return None
    return target
