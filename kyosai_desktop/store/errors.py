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


class ForeignDatabaseError(StoreError):
    """A SQLite file of another program (tables, none of ours): never changed."""


class EmptyDatabaseFileError(StoreError):
    """An existing 0-byte file: only made into a new database when the clerk says so."""


class ReadOnlyDatabaseError(StoreError):
    pass


class DiskFullError(StoreError):
    pass


class FolderPathError(StoreError):
    """The path given for the database is a folder."""
