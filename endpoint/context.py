"""What every view needs from the running app: its settings and its store handle."""

from __future__ import annotations

from flask import current_app

from eulod.core.config import Settings
from eulod.core.handle import StoreHandle


def store_handle() -> StoreHandle:
    """The app's handle on the store it serves (local or remote: both have the same surface)."""
    return current_app.extensions["eulod_store"]


def settings() -> Settings:
    return current_app.config["EULOD"]
