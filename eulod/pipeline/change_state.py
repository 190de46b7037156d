"""What the change step compares and decides: the previous generation's state and the difference.

Shared by the comparison (eulod.pipeline.changes), the pages (eulod.pipeline.feed_pages) and the
incremental build's change step (eulod.pipeline.incremental_changes), so none imports another back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eulod.core.feed import Page
from eulod.core.generation import Generation


@dataclass(frozen=True)
class Previous:
    """What the generation before this build published: entity -> (kind, hash, modified), its pages."""

    generation: Generation | None
    entities: dict[str, tuple[str, str, str]]
    pages: list[Page]


@dataclass
class Diff:
    """Entity -> action ("create", "update", "delete"), and each current entity's kind, hash and modified."""

    actions: dict[str, str] = field(default_factory=dict)
    current: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions.values() if a == action)
