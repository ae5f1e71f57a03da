"""One transaction helper for every repository.

``with transaction(conn):`` starts ``BEGIN IMMEDIATE`` and commits (one durable commit per
user edit), or — when the caller already holds a transaction, as an all-or-nothing import
does — uses a SAVEPOINT so the outer transaction decides.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from kyosai_desktop.store import audit


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        marks = audit.mark(conn)
        try:
            yield conn
        except BaseException:
            audit.rewind(conn, marks)  # the rolled-back rows were never made
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def all_or_nothing(
    conn: sqlite3.Connection, *, dry_run: bool = False
) -> Iterator[sqlite3.Connection]:
    """An import's single transaction: everything commits, or (on error or a dry run) nothing.

    A dry run performs the very same writes and rolls them back, so what it reports is
    exactly what a real run would change.  Repository writes inside nest as SAVEPOINTs.
    After a real run the WAL is checkpointed (passively: a reader is never blocked).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK" if dry_run else "COMMIT")
    if not dry_run:
        # A large write: copy the WAL into the main file now rather than whenever SQLite gets to it.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def execute_beside(
    conn: sqlite3.Connection,
    sql: str,
    args: Mapping[str, object],
    work: Callable[[], object] | None,
) -> None:
    """Execute one statement while ``work`` runs on a second thread; return when both end.

    The sqlite3 module releases the GIL while SQLite steps a statement, and an INSERT …
    SELECT runs in a single step: Python work that does not touch the database (the check
    of the sheet a bulk import writes) then runs on the other core instead of after the
    statement.  Only a single statement, never a loop of them: each step would hand the
    GIL back and forth with the busy thread.  An exception from ``work`` is raised here,
    after the statement, so the caller's transaction rolls everything back.
    """
    if work is None:
        conn.execute(sql, args)
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="beside-sql")
    thread.start()
    try:
        conn.execute(sql, args)
    finally:
        thread.join()
    if failed:
        raise failed[0]
