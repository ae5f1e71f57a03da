"""Store errors, each carrying a Japanese message a clerk can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base class; ``str(exc)`` is the Japanese message shown to the clerk."""


class NotADatabaseError(StoreError):
    pass


class CorruptDatabaseError(StoreError):
    pass


class NewerDatabaseError(StoreError):
    pass


class LockedDatabaseError(StoreError):
    pass


class MigrationError(StoreError):
    pass
