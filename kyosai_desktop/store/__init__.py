"""SQLite store: connection and migrations, one repository per kind of record."""
