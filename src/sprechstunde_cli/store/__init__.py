"""SQLite store: the only SQL in the project."""

from sqlite3 import Connection

from sprechstunde_cli.store.store import Store

# The transaction handle `Store.write()` yields, for services that pass it to store functions.
__all__ = ["Connection", "Store"]
