"""Services on top of the store: imports, exports, report data, backups. No Qt."""
