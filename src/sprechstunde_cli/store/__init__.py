"""SQLite store: the only SQL in the project."""

from sprechstunde_cli.store.store import Inserted, Store, ThreadInfo

__all__ = ["Inserted", "Store", "ThreadInfo"]
