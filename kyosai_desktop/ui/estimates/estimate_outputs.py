"""Output actions of the estimates page: preview, print, PDF and Excel of each document.

A menu button offers the four ways out for a document built on demand.  PDFs (and batch
PDFs: every 別紙3 of a campaign) render on the background runner with a progress bar and
キャンセル; a cancelled render leaves no file behind (``render_pdf`` writes atomically).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from kyosai_desktop.render.paper import PaperDocument, render_pdf
from kyosai_desktop.render.paper_table import TablePaper
from kyosai_desktop.services.report_table import ReportTable
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.print_preview import preview, print_document
from kyosai_desktop.ui.shared.print_preview import save_xlsx as save_xlsx_file

DocFactory = Callable[[], PaperDocument | None]
TableFactory = Callable[[], ReportTable | None]


def safe_name(text: str) -> str:
    for ch in '\\/:*?"<>|':
        text = text.replace(ch, "_")
    text = "".join(ch for ch in text if ch >= " ")  # control characters: no file name can hold them
    return text.strip() or "帳票"


def output_button(
    parent: QWidget,
    label: str,
    make_doc: DocFactory,
    file_stem: Callable[[], str],
    *,
    make_table: TableFactory | None = None,
    landscape: bool = True,
) -> QPushButton:
    """A push button with a menu: 印刷プレビュー / 印刷 / PDF に保存 / Excel に保存."""
    button = QPushButton(label)
    menu = QMenu(button)
    menu.addAction("印刷プレビュー…", lambda: show_preview(parent, make_doc))
    menu.addAction("印刷…", lambda: print_doc(parent, make_doc))
    menu.addAction("PDF に保存…", lambda: save_pdf(parent, make_doc, file_stem()))
    if make_table is not None:
        menu.addAction(
            "Excel に保存…", lambda: save_xlsx(parent, make_table, file_stem(), landscape)
        )
    button.setMenu(menu)
    button.setObjectName(f"output_{label}")
    return button


def show_preview(parent: QWidget, make_doc: DocFactory):
    doc = _build(parent, make_doc)
    return None if doc is None else preview(doc, parent)


def print_doc(parent: QWidget, make_doc: DocFactory) -> None:
    doc = _build(parent, make_doc)
    if doc is not None:
        print_document(doc, parent)


def save_pdf(parent: QWidget, make_doc: DocFactory, stem: str):
    doc = _build(parent, make_doc)
    if doc is None:
        return None
    path = interaction.save_file(parent, "PDF に保存", f"{safe_name(stem)}.pdf", "PDF (*.pdf)")
    if path is None:
        return None
    return render_with_progress(parent, doc, path)


def render_with_progress(parent: QWidget, doc: PaperDocument, path):
    """Render a (possibly long) document on the background runner, with progress and キャンセル.

    Returns the running task; the clerk is told when the file is saved, cancelled (no file
    is left behind: ``render_pdf`` writes atomically) or could not be written.
    """
    total = doc.page_count()

    def done(out) -> None:
        interaction.information(parent, "PDF に保存", f"{out} に保存しました ({total} ページ)。")

    def cancelled() -> None:
        interaction.information(
            parent, "PDF に保存", "キャンセルしました。ファイルは作成していません。"
        )

    return runner.run(
        parent,
        "PDF に保存",
        f"{path.name} を作成しています…",
        lambda job: render_pdf(doc, path, job.stepper(0, total, "ページ")),
        on_done=done,
        on_cancel=cancelled,
    )


def save_xlsx(parent: QWidget, make_table: TableFactory, stem: str, landscape: bool = True):
    from kyosai_desktop.services.xlsx_report import write_report_xlsx

    try:
        table = make_table()
    except ValueError as exc:
        interaction.warning(parent, "Excel に保存", str(exc))
        return None
    if table is None:
        return None

    def write(path) -> None:
        if hasattr(table, "write_xlsx"):  # a form with its own layout (別紙3)
            table.write_xlsx(path)
        else:
            write_report_xlsx(table, path, landscape=landscape)

    return save_xlsx_file(parent, f"{safe_name(stem)}.xlsx", write)


def _build(parent: QWidget, make_doc: DocFactory) -> PaperDocument | None:
    try:
        return make_doc()
    except ValueError as exc:
        interaction.warning(parent, "出力", str(exc))
        return None


def table_doc(make_table: TableFactory, *, landscape: bool = True) -> DocFactory:
    def build() -> PaperDocument | None:
        table = make_table()
        return None if table is None else TablePaper(table, landscape=landscape)

    return build
