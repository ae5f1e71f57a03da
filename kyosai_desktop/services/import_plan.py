"""One shape for every import: read and check the file once into an :class:`ImportPlan`,
show it to the clerk, then ``commit`` it — the writes come from the parsed result.

Every importer (単組・目標・実績 in ``master_import``, the HQ model-union sheet, 別紙2, and the
exchange and report packages to come) offers a *planner*::

    def plan_things(ctx, path, *, progress=None) -> ImportPlan:
        table = read_table(path)                 # may raise ImportFailed (unusable file)
        rows, problems, warnings = ...           # every row parsed and validated, once
        if problems:
            raise ImportFailed(problems)         # refused: the review dialog lists them
        def write(ctx, report, progress):        # writes ``rows``; fills ``report``
            ...
            report.added += 1; report.details.append("追加 05-001 ○○")
            report.changes.append("05-001 ○○ 2025年6月: 3 → 5")   # figures already entered
        return ImportPlan.prepare(ctx, title="…の取り込み", source=table.source,
                                  write=write, warnings=warnings, kinds=("things",))

``prepare`` runs ``write`` once inside a transaction that is rolled back, so the plan's
``preview`` report says exactly what the import would add, change and overwrite (the same
code writes both times; the file is not read again).  ``plan.commit(ctx, progress)`` runs
``write`` again from the parsed rows inside the one all-or-nothing transaction and returns
the final :class:`ImportReport` — its ``op_changes`` are the audit rows the import wrote
(``services.ops.OpChanges``), what an undo of the whole import replays; any exception — including :class:`Cancelled` raised by
``progress`` — rolls every write back.  The plan holds no connection: it may be prepared
on a worker's connection and committed on another.

The GUI shows a plan with ``ui/shared/import_flow.ImportFlow`` (runner + the one review
dialog ``ui/shared/import_review.ImportReviewDialog``); the CLI prints ``plan.text()`` for
a dry run and ``plan.commit(ctx).text()`` otherwise.

``progress(done, total, label)`` is the one progress callback of long work; it raises
:class:`Cancelled` when the clerk cancels.  ``None`` means nobody is watching.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kyosai_desktop.services.ops.changes import TABLE_KINDS, OpChanges
from kyosai_desktop.store import audit
from kyosai_desktop.store.tx import all_or_nothing

# The file readers (services/tabular, openpyxl) load on first use: start-up imports this
# module through the demo loader and the runner, and should not pay for openpyxl.
if TYPE_CHECKING:
    from kyosai_desktop.services.context import AppContext
    from kyosai_desktop.services.tabular import ImportFailed, Problem

Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The clerk cancelled long work; whatever it had written is rolled back."""

    def __init__(self, message: str = "キャンセルしました。") -> None:
        super().__init__(message)


def report_progress(progress: Progress | None, done: int, total: int, label: str = "") -> None:
    if progress is not None:
        progress(done, total, label)


@dataclass
class ImportReport:
    """What an import changed (for a plan's preview: would change)."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)  # one line per added / changed record
    changes: list[str] = field(default_factory=list)  # figures already entered that change
    notes: list[str] = field(default_factory=list)
    result: object = None  # the importer's own result, if any
    # What a committed import wrote, row by row from its audit rows (None for a preview):
    # what an undo of the whole import replays (``services.ops.replay``).
    op_changes: OpChanges | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.updated or self.changes)

    def counts(self) -> str:
        return (
            f"{self.rows} 行を読み込み、追加 {self.added} 件・変更 {self.updated} 件・"
            f"変更なし {self.unchanged} 件"
        )


Write = Callable[["AppContext", ImportReport, Progress | None], None]
Summarise = Callable[[ImportReport], list[str]]


def _default_summary(report: ImportReport) -> list[str]:
    return [report.counts()]


@dataclass
class ImportPlan:
    """A parsed, checked file and what importing it would do; ``commit`` writes it."""

    title: str  # 「単組の取り込み」: the dialog's title
    source: str  # the file's name
    preview: ImportReport = field(default_factory=ImportReport)
    warnings: list[Problem] = field(default_factory=list)  # imported anyway, with their cells
    problems: list[Problem] = field(default_factory=list)  # refuse the whole file
    kinds: tuple[str, ...] = ()  # data-bus kinds an import changes
    write: Write | None = None
    summarise: Summarise = _default_summary

    # ---------------------------------------------------------------- building
    @classmethod
    def prepare(
        cls,
        ctx: AppContext,
        *,
        title: str,
        source: str,
        write: Write,
        warnings: Sequence[Problem] = (),
        kinds: Sequence[str] = (),
        summarise: Summarise | None = None,
        progress: Progress | None = None,
        preview: bool = True,
    ) -> ImportPlan:
        """Run ``write`` once in a rolled-back transaction to learn what it would change.

        ``preview=False`` skips that run (the CLI's import without ``--dry-run``)."""
        plan = cls(
            title=title,
            source=source,
            warnings=list(warnings),
            kinds=tuple(kinds),
            write=write,
            summarise=summarise or _default_summary,
        )
        if preview:
            plan.preview = plan._run(ctx, progress, dry_run=True, collect=False)
        return plan

    @classmethod
    def refused(
        cls, title: str, source: str, problems: Sequence[Problem] | ImportFailed
    ) -> ImportPlan:
        if not isinstance(problems, Sequence):  # an ImportFailed
            problems = problems.problems
        return cls(title=title, source=source, problems=list(problems))

    # ---------------------------------------------------------------- reading
    @property
    def is_refused(self) -> bool:
        return bool(self.problems)

    @property
    def has_changes(self) -> bool:
        return not self.is_refused and self.preview.has_changes

    def summary(self) -> list[str]:
        if self.is_refused:
            return [
                f"{self.source} を取り込めませんでした ({len(self.problems)} 件の問題)。",
                "データベースは変更していません。ファイルを直してから、もう一度取り込んでください。",
            ]
        return self.summarise(self.preview)

    def text(self) -> str:
        """Everything the review dialog shows, as plain text (the clipboard's content)."""
        lines = [f"{self.title}: {self.source}", *self.summary()]
        sections = [
            ("問題 (取り込めません)", [str(p) for p in self.problems]),
            ("入力済みの数字が変わります", self.preview.changes),
            ("追加・変更の内容", self.preview.details),
            ("警告 (取り込みは続行)", [str(p) for p in self.warnings]),
            ("注記", self.preview.notes),
        ]
        for heading, items in sections:
            if items:
                lines.append("")
                lines.append(f"■ {heading} ({len(items)} 件)")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines)

    # ---------------------------------------------------------------- writing
    def commit(
        self, ctx: AppContext, progress: Progress | None = None, *, undoable: bool = True
    ) -> ImportReport:
        """Write the parsed rows in one transaction; everything or (on any error) nothing.

        ``undoable`` (the window's imports) keeps every written row as the report's
        ``op_changes``, the one step of 元に戻す; a command line import has no undo and
        skips collecting them (tens of thousands of rows for a national sheet)."""
        if self.is_refused:
            from kyosai_desktop.services.tabular import ImportFailed

            raise ImportFailed(self.problems)
        return self._run(ctx, progress, dry_run=False, collect=undoable)

    def _run(
        self, ctx: AppContext, progress: Progress | None, *, dry_run: bool, collect: bool = True
    ) -> ImportReport:
        assert self.write is not None
        report = ImportReport()
        try:
            with ExitStack() as stack:
                rows = stack.enter_context(audit.collecting(ctx.conn)) if collect else None
                stack.enter_context(all_or_nothing(ctx.conn, dry_run=dry_run))
                self.write(ctx, report, progress)
        finally:
            ctx.products.invalidate()
        if not dry_run and rows is not None:
            report.op_changes = import_changes(rows)
        return report


def import_changes(rows: Sequence[audit.AuditRow]) -> OpChanges:
    """The change set of a committed import: every audit row it wrote, old → new."""
    kinds = frozenset(TABLE_KINDS[r.table] for r in rows if r.table in TABLE_KINDS)
    return OpChanges(kinds, tuple(rows), "import")


__all__ = ["Cancelled", "ImportPlan", "ImportReport", "Progress", "report_progress"]
