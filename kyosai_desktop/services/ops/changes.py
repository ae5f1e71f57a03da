"""What an operation changed, as typed data: :class:`OpChanges` (after Anki's ``OpChanges``).

Every write of the application is audited, and the audit row is the change: table, record
key, field, old and new value (``store.audit.AuditRow``, typed values, not the texts the
trail stores).  An operation collects the rows its writes made and returns them as an
``OpChanges``; the kinds (:class:`ChangeKind`) say which screens must refresh, the rows are
what an undo replays (``services.ops.replay``).

How an import reports its changes: run it inside :func:`services.ops.core.operation` with
``dry_run=`` (its one all-or-nothing transaction) — or, when the import owns its
transaction already, inside ``store.audit.collecting(conn)`` — and return
``OpChanges.from_rows(rows, source="import")``; a dry run's rows are what a real run would
change.  Kinds a screen must refresh beyond the rows (rare) go in ``extra``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from kyosai_desktop.store.audit import WHOLE_RECORD, AuditRow


class ChangeKind(Enum):
    RESULTS = "results"  # monthly figures (月次実績)
    UNIONS = "unions"  # unions and their figures
    PRODUCTS = "products"  # products (order, riders, periods, target flag)
    TARGETS = "targets"  # branch and union targets
    YEARS = "years"  # fiscal years (labels, start months)
    SETTINGS = "settings"  # branch, 支援県支部, thresholds, goals
    MODEL_UNIONS = "model_unions"  # model-union designations and their sheets
    CAMPAIGNS = "campaigns"  # estimate campaigns and their participating unions
    ESTIMATES = "estimates"  # estimates
    NATIONAL = "national"  # headquarters' national figures held at a branch
    HQ_PACKAGES = "hq_packages"  # headquarters: a branch's report package replaced its figures


ALL_KINDS = frozenset(ChangeKind)

# Which kind a write to each audited table is.
TABLE_KINDS: dict[str, ChangeKind] = {
    "results": ChangeKind.RESULTS,
    "unions": ChangeKind.UNIONS,
    "products": ChangeKind.PRODUCTS,
    "product_aliases": ChangeKind.PRODUCTS,
    "targets": ChangeKind.TARGETS,
    "fiscal_years": ChangeKind.YEARS,
    "settings": ChangeKind.SETTINGS,
    "prefectures": ChangeKind.SETTINGS,
    "model_unions": ChangeKind.MODEL_UNIONS,
    "model_union_years": ChangeKind.MODEL_UNIONS,
    "estimate_campaigns": ChangeKind.CAMPAIGNS,
    "estimate_campaign_unions": ChangeKind.CAMPAIGNS,
    "estimates": ChangeKind.ESTIMATES,
    "national_figures": ChangeKind.NATIONAL,
    "hq_packages": ChangeKind.HQ_PACKAGES,
}


def kind_of_table(table: str) -> ChangeKind:
    try:
        return TABLE_KINDS[table]
    except KeyError:
        raise KeyError(f"no change kind for table {table!r}: add it to TABLE_KINDS") from None


@dataclass(frozen=True)
class OpChanges:
    """The kinds of data an operation changed and its rows (old → new), in the order written.

    ``complete`` is False when the kinds say more than the rows (a change known only by its
    kinds, or ``extra`` kinds): a screen must not update itself from the rows alone then —
    nor after merging such a change with others."""

    kinds: frozenset[ChangeKind] = frozenset()
    rows: tuple[AuditRow, ...] = ()
    source: str = ""
    complete: bool = True

    @classmethod
    def from_rows(
        cls, rows: Iterable[AuditRow], source: str = "", extra: Iterable[ChangeKind] = ()
    ) -> OpChanges:
        rows = tuple(rows)
        described = frozenset(kind_of_table(r.table) for r in rows)
        beyond = frozenset(extra) - described
        return cls(described | beyond, rows, source, not beyond)

    @classmethod
    def of(cls, *kinds: ChangeKind, source: str = "") -> OpChanges:
        """A change known only by its kinds (no rows to replay)."""
        return cls(frozenset(kinds), (), source, complete=not kinds)

    @classmethod
    def everything(cls, source: str = "") -> OpChanges:
        """Every kind (a restored or newly opened database, demo data)."""
        return cls(ALL_KINDS, (), source, complete=False)

    @property
    def empty(self) -> bool:
        return not self.kinds

    def touches(self, *kinds: ChangeKind) -> bool:
        return bool(self.kinds.intersection(kinds))

    def rows_of(self, table: str) -> list[AuditRow]:
        return [r for r in self.rows if r.table == table]

    def records(self, table: str) -> list[str]:
        """The keys of ``table``'s records this change touched, first-touched first."""
        return list(dict.fromkeys(r.key for r in self.rows if r.table == table))

    def created(self, table: str) -> list[AuditRow]:
        return [
            r for r in self.rows if r.table == table and r.field == WHOLE_RECORD and r.old is None
        ]

    def merged(self, other: OpChanges) -> OpChanges:
        return OpChanges(
            self.kinds | other.kinds,
            self.rows + other.rows,
            self.source or other.source,
            self.complete and other.complete,
        )
