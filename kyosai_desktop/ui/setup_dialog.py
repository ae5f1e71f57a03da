"""First launch: choose the branch, then start empty, import files, or load demo data.

``run_first_launch(ctx)`` is called by ``ui/app.py`` when the database has no branch yet.
Step 1 lists the 47 prefectures and 60 社保労連 (from the database); step 2 offers the three
ways to begin; step 3 (imports only) runs the usual dry run → confirm → import for the
unions, targets and results files.  Cancelling leaves the database without a branch, so the
setup comes back next time; the app then closes.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kyosai_desktop import APP_TITLE
from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.ops import master as master_ops
from kyosai_desktop.ui.shared import interaction, runner
from kyosai_desktop.ui.shared.import_dialog import KINDS, MasterImport

EMPTY, IMPORT, DEMO = "empty", "import", "demo"
STEP_TITLES = ("1. 県支部の選択", "2. 始め方", "3. ファイルの取り込み")


class SetupDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{APP_TITLE} — はじめての設定")
        self.step_label = QLabel()
        self.step_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self._branch_step())
        self.stack.addWidget(self._start_step())
        self.stack.addWidget(self._import_step())
        self.back_button = QPushButton("戻る")
        self.next_button = QPushButton("次へ")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("キャンセル")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        where = QLabel(f"データの保存先: {ctx.path}")
        where.setStyleSheet("color: #595959;")
        buttons.addWidget(where, 1)
        for b in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.resize(860, 560)
        self.branch_was_set = False
        self.go(0)

    # ------------------------------------------------------------ steps
    def _branch_step(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            "ようこそ。このデータベースを使う<b>県支部</b>を選んでください"
            " (あとから「マスタ・設定」で変更できます)。"
        )
        intro.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("県名またはコードで絞り込み (例: 宮城 / 05)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)
        self.branch_list = QListWidget()
        self.branch_list.setFlow(QListView.Flow.TopToBottom)
        self.branch_list.setWrapping(True)
        self.branch_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.branch_list.setUniformItemSizes(True)
        cell = self.branch_list.fontMetrics().boundingRect("00 鹿児島__").size()
        self.branch_list.setGridSize(QSize(cell.width() + 24, cell.height() + 12))
        for p in self.ctx.prefectures.all():
            item = QListWidgetItem(f"{p.code} {p.name}")
            item.setData(Qt.ItemDataRole.UserRole, p.code)
            if not p.in_national:
                item.setToolTip("全国集計に含まれない組織 (加入拡大モデル単組と同様に扱います)")
            self.branch_list.addItem(item)
        self.branch_list.itemDoubleClicked.connect(lambda _item: self.next())
        self.branch_list.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.branch_list, 1)
        return page

    def _start_step(self) -> QWidget:
        page = QWidget()
        self.chosen_label = QLabel()
        self.mode_group = QButtonGroup(self)
        options = (
            (
                EMPTY,
                "空のデータベースで始める",
                "単組・目標は「マスタ・設定」で登録するか、あとからファイルで取り込みます。",
            ),
            (
                IMPORT,
                "ファイルから取り込む",
                "単組・目標・実績の CSV / Excel ファイルを、内容を確認してから取り込みます。",
            ),
            (
                DEMO,
                "デモデータで試す",
                "架空の単組 (30〜60) と目標・月別実績を読み込み、画面の操作を試せます。"
                "実際の業務には、新しいデータベースを作って使ってください。",
            ),
        )
        layout = QVBoxLayout(page)
        layout.addWidget(self.chosen_label)
        self.mode_buttons: dict[str, QRadioButton] = {}
        for key, title, help_text in options:
            button = QRadioButton(title)
            button.setStyleSheet("font-weight: bold;")
            self.mode_group.addButton(button)
            self.mode_buttons[key] = button
            hint = QLabel(help_text)
            hint.setWordWrap(True)
            hint.setContentsMargins(24, 0, 0, 10)
            layout.addWidget(button)
            layout.addWidget(hint)
        self.mode_buttons[EMPTY].setChecked(True)
        layout.addStretch(1)
        return page

    def _import_step(self) -> QWidget:
        page = QWidget()
        self.flow = MasterImport(self.ctx, None, self)
        self.flow.finished.connect(self._imported)
        intro = QLabel(
            "取り込むファイルを順に選んでください。各ファイルは内容を確認してから取り込みます"
            " (問題があれば行・セルごとに表示し、何も書き込みません)。単組を先に取り込んでください。"
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        self.import_buttons: dict[str, QPushButton] = {}
        self.import_status: dict[str, QLabel] = {}
        for key, spec in KINDS.items():
            button = QPushButton(f"{spec.label}を取り込む…")
            button.setMinimumWidth(170)
            button.clicked.connect(lambda _=False, k=key: self.import_file(k))
            status = QLabel(f"未取り込み — 必要な列: {spec.headers}")
            status.setWordWrap(True)
            row = QHBoxLayout()
            row.addWidget(button)
            row.addWidget(status, 1)
            layout.addLayout(row)
            self.import_buttons[key], self.import_status[key] = button, status
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------ navigation
    def _filter(self, text: str) -> None:
        needle = text.strip()
        first = None
        for i in range(self.branch_list.count()):
            item = self.branch_list.item(i)
            hidden = (
                bool(needle)
                and needle not in item.text()
                and not item.text().startswith(needle.zfill(2))
            )
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None and needle:
            self.branch_list.setCurrentItem(first)

    def chosen_code(self) -> str | None:
        item = self.branch_list.currentItem()
        return None if item is None or item.isHidden() else item.data(Qt.ItemDataRole.UserRole)

    def choose(self, code: str) -> None:
        for i in range(self.branch_list.count()):
            if self.branch_list.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.branch_list.setCurrentRow(i)
                return
        raise KeyError(code)

    def mode(self) -> str:
        return next(k for k, b in self.mode_buttons.items() if b.isChecked())

    def go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.step_label.setText(STEP_TITLES[step])
        if step == 1:
            code = self.chosen_code()
            self.chosen_label.setText(
                f"県支部: <b>{self.ctx.prefectures.name_of(code)}</b> ({code})"
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        step = self.stack.currentIndex()
        self.back_button.setEnabled(step > 0)
        self.next_button.setText("完了" if step == 2 else "次へ")
        self.next_button.setEnabled(step != 0 or self.chosen_code() is not None)

    def back(self) -> None:
        if self.stack.currentIndex() > 0:
            self.go(self.stack.currentIndex() - 1)

    def next(self) -> None:
        step = self.stack.currentIndex()
        if step == 0:
            if self.chosen_code() is not None:
                self.go(1)
        elif step == 1:
            self.start()
        else:
            self.accept()

    def _set_branch(self) -> None:
        master_ops.set_branch(self.ctx, self.chosen_code())
        self.branch_was_set = True

    def start(self) -> None:
        mode = self.mode()
        self._set_branch()
        if mode == IMPORT:
            self.go(2)
            return
        if mode == DEMO:
            self.load_demo()  # accepts the dialog once the demo is loaded
            return
        self.accept()

    def load_demo(self) -> None:
        """Load the demo on the background runner; the dialog closes when it is done."""
        from kyosai_desktop.services.demo import load_demo

        self.next_button.setEnabled(False)
        runner.run(
            self,
            "デモデータ",
            "デモデータを作成しています…",
            lambda job: load_demo(job.ctx, progress=job.progress),
            ctx=self.ctx,
            on_done=self._demo_loaded,
            on_error=self._demo_failed,
            on_cancel=self._demo_cancelled,
        )

    def _demo_loaded(self, lines: list[str]) -> None:
        self.demo_summary = lines
        self.ctx.products.invalidate()
        self.accept()

    def _demo_failed(self, exc: BaseException) -> None:
        from kyosai_desktop.services.demo import DemoRefused

        self.next_button.setEnabled(True)
        if isinstance(exc, DemoRefused):
            interaction.warning(self, "デモデータ", str(exc))
        else:
            interaction.critical(
                self,
                "デモデータ",
                f"デモデータを作成できませんでした。\n{runner.error_message(exc)}",
            )

    def _demo_cancelled(self) -> None:
        self.next_button.setEnabled(True)
        interaction.information(
            self, "デモデータ", "キャンセルしました。デモデータは読み込んでいません。"
        )

    def import_file(self, kind: str, path=None) -> bool:
        """Start importing a file; the status line follows when it is done."""
        return self.flow.run(kind, path)

    def _imported(self, kind: str, report) -> None:
        if report is not None:
            self.import_status[kind].setText(
                f"取り込み済み: {KINDS[kind].label}: {report.counts()}"
            )

    def reject(self) -> None:
        # Cancelled: the database stays without a branch, so this setup opens again next time.
        if self.branch_was_set:
            master_ops.set_branch(self.ctx, None)
            self.branch_was_set = False
        super().reject()


def run_first_launch(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """Show the setup; True when a branch was chosen (and the start option carried out)."""
    dialog = SetupDialog(ctx, parent)
    accepted = interaction.exec_dialog(dialog)
    return accepted and ctx.branch is not None
