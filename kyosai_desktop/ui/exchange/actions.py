"""The ファイル menu's exchange actions, for the main window.

* 持ち出し用コピーを作成… — the office database as an encrypted package (services/exchange.checkout);
* 変更を書き出す… — a laptop copy's changes as one package;
* 変更を取り込む… — on the office: a laptop's package, reviewed in the one import review
  dialog (a dry run first: what will change, by kind, and the conflicts), then all or nothing;
  on a laptop copy (or a new, empty database): an office package opens or refreshes the copy;
* 競合の一覧… — the conflict list (ConflictsDialog).

The passphrase is asked through the prompt seam (``interaction.passphrase``).  The exchange
engine links its own SQLite, which must not share an open file with the app's connection, so
the window's database is closed for the moment the engine works on the file and reopened
after (pages are rebuilt, as after a restore).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from kyosai_desktop.services import exchange
from kyosai_desktop.services.context import open_context
from kyosai_desktop.services.import_plan import ImportPlan, ImportReport
from kyosai_desktop.services.ops import OpChanges
from kyosai_desktop.services.package import read_manifest
from kyosai_desktop.ui.shared import interaction, runner

if TYPE_CHECKING:
    from kyosai_desktop.ui.main_window import MainWindow

FILTER = "交換パッケージ (*.kyosai);;すべてのファイル (*)"
UNCHANGED = "データは変更していません。"


def exchange_plan(source: str, res: dict) -> ImportPlan:
    """A dry run's result as the review dialog's plan (its commit is the real import)."""
    report = ImportReport(
        rows=res["applied"] + res["unchanged"] + res["conflicts"],
        updated=res["applied"],
        unchanged=res["unchanged"],
        details=res["added"],
        changes=res["changed"],
        notes=[f"競合 (上書きしません): {line}" for line in res["conflict_list"]]
        + [
            f"見積り No.{r['from']} → No.{r['to']} (事務所で同じ No. が使われているため)"
            for r in res["renumbered"]
        ],
        result=res,
    )

    def summarise(rep: ImportReport) -> list[str]:
        r = rep.result if isinstance(rep.result, dict) else res
        kinds = "、".join(f"{exchange.KIND_LABELS[k]} {n}" for k, n in r["by_kind"].items())
        return [
            f"{r['source']} の変更 (第{r['seq']}回、{r['created_at'].replace('T', ' ')} 作成)",
            f"反映 {r['applied']} 件{' (' + kinds + ')' if kinds else ''}、同じ内容 {r['unchanged']} 件、"
            f"競合 {r['conflicts']} 件",
            *(["競合は上書きせず、競合の一覧に残します。"] if r["conflicts"] else []),
        ]

    return ExchangePlan(title="変更の取り込み", source=source, preview=report, summarise=summarise)


class ExchangePlan(ImportPlan):
    """A package with only conflicts is still taken in: the conflicts are listed, not lost."""

    @property
    def has_changes(self) -> bool:
        res = self.preview.result
        return not self.is_refused and (
            self.preview.has_changes or bool(isinstance(res, dict) and res["conflicts"])
        )


class ExchangeActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.conflicts_dialog = None

    # ------------------------------------------------------------ helpers
    @contextmanager
    def _file_released(self) -> Iterator[Path]:
        """Close the window's database for the engine; reopen and rebuild the pages after."""
        window = self.window
        path = window.ctx.path
        window.ctx.close()
        try:
            yield path
        finally:
            window.replace_context(open_context(path))

    def _ready(self, title: str) -> bool:
        if runner.busy():
            interaction.information(
                self.window, title, "取り込みや PDF の作成が終わるまでお待ちください。"
            )
            return False
        return self.window.commit_pending()

    def _ask_passphrase(self, title: str, *, twice: bool = False) -> str | None:
        text = "パッケージのパスフレーズ (8文字以上) を入力してください。"
        if twice:
            text = (
                "持ち出し先で使うパスフレーズ (8文字以上) を決めて入力してください。"
                "パッケージには個人情報が含まれます。パスフレーズはファイルと別に伝えてください。"
            )
        first = interaction.passphrase(self.window, title, text)
        if first is None:
            return None
        if twice:
            again = interaction.passphrase(
                self.window, title, "確認のため、もう一度入力してください。"
            )
            if again is None:
                return None
            if again != first:
                interaction.warning(self.window, title, f"パスフレーズが一致しません。{UNCHANGED}")
                return None
        return first

    def _run(self, title: str, work: Callable[[], object]) -> object | None:
        try:
            return work()
        except (exchange.ExchangeError, exchange.PackageError, OSError) as exc:
            interaction.critical(self.window, title, f"{exc}")
            return None

    def _announce(self) -> None:
        self.window.bus.announce(OpChanges.everything(source="exchange"))
        self.window.update_title()

    # ------------------------------------------------------------ actions
    def checkout(self, path: Path | None = None) -> dict | None:
        title = "持ち出し用コピーを作成"
        if not self._ready(title):
            return None
        if path is None:
            path = interaction.save_file(
                self.window, title, f"{self.window.ctx.path.stem}-持ち出し.kyosai", FILTER
            )
            if path is None:
                return None
        pw = self._ask_passphrase(title, twice=True)
        if pw is None:
            return None
        info = self._run(title, lambda: exchange.checkout(self.window.ctx.conn, path, pw))
        if isinstance(info, dict):
            c = info["counts"]
            interaction.information(
                self.window,
                title,
                f"持ち出し用コピーを作成しました ({info['size'] / 1e6:.1f} MB)。\n{path}\n単組 {c['unions']:,}、"
                f"実績 {c['results']:,}、見積り {c['estimates']:,}\n\nノートPCでは ファイル → 変更を取り込む… で"
                "このファイルを開きます。",
            )
            return info
        return None

    def export(self, path: Path | None = None) -> dict | None:
        title = "変更を書き出す"
        if not self._ready(title):
            return None
        if exchange.status(self.window.ctx.conn).role != "laptop":
            interaction.information(
                self.window, title, "変更の書き出しは持ち出し用コピー (ノートPC) で行います。"
            )
            return None
        if path is None:
            path = interaction.save_file(
                self.window, title, f"{self.window.ctx.path.stem}-変更.kyosai", FILTER
            )
            if path is None:
                return None
        pw = self._ask_passphrase(title)
        if pw is None:
            return None
        with self._file_released() as db:
            info = self._run(title, lambda: exchange.export_changes(db, path, pw))
        self.window.update_title()
        if isinstance(info, dict):
            kinds = (
                "、".join(f"{exchange.KIND_LABELS[k]} {n}" for k, n in info["counts"].items())
                or "変更なし"
            )
            interaction.information(
                self.window,
                title,
                f"変更を書き出しました (第{info['seq']}回)。\n{path}\n{kinds}\n\n"
                "事務所のパソコンで ファイル → 変更を取り込む… で取り込みます。",
            )
            return info
        return None

    def import_package(self, path: Path | None = None) -> dict | None:
        title = "変更を取り込む"
        if not self._ready(title):
            return None
        if path is None:
            path = interaction.open_file(self.window, title, FILTER)
            if path is None:
                return None
        manifest = self._run(title, lambda: read_manifest(path))
        if not isinstance(manifest, dict):
            return None
        if manifest.get("kind") == "checkout":
            return self._open_copy(path, manifest)
        pw = self._ask_passphrase(title)
        if pw is None:
            return None
        with self._file_released() as db:
            dry = self._run(title, lambda: exchange.import_changes(db, path, pw, dry_run=True))
        if not isinstance(dry, dict):
            return None
        from kyosai_desktop.ui.shared.import_review import ImportReviewDialog

        plan = exchange_plan(path.name, dry)
        if (
            not interaction.exec_dialog(ImportReviewDialog(plan, self.window))
            or not plan.has_changes
        ):
            return None
        with self._file_released() as db:
            res = self._run(title, lambda: exchange.import_changes(db, path, pw))
        if not isinstance(res, dict):
            return None
        self._announce()
        text = "\n".join(plan.summarise(ImportReport(result=res)))
        interaction.information(self.window, title, f"取り込みました。\n{text}")
        if res["conflicts"]:
            self.show_conflicts()
        return res

    def _open_copy(self, path: Path, manifest: dict) -> dict | None:
        title = "持ち出し用コピーを開く"
        st = exchange.status(self.window.ctx.conn)
        when = (manifest.get("created_at") or "").replace("T", " ")
        question = (
            f"{when} 時点の事務所のデータでこの持ち出し用コピーを更新します。まだ送っていない変更は残します"
            "(事務所で別の値に変わったものは競合の一覧に載せます)。よろしいですか？"
            if st.role == "laptop"
            else f"このデータベースを {when} 時点の事務所のデータの持ち出し用コピーにします。よろしいですか？"
        )
        if not interaction.confirm(self.window, title, question):
            return None
        pw = self._ask_passphrase(title)
        if pw is None:
            return None
        with self._file_released() as db:
            res = self._run(title, lambda: exchange.open_copy(db, path, pw))
        if not isinstance(res, dict):
            return None
        self._announce()
        if res["refreshed"]:
            interaction.information(
                self.window,
                title,
                f"更新しました。未送信の変更: 反映 {res['applied']} 件、"
                f"同じ内容 {res['unchanged']} 件、競合 {res['conflicts']} 件",
            )
            if res["conflicts"]:
                self.show_conflicts()
        else:
            interaction.information(
                self.window,
                title,
                "持ち出し用コピーとして開きました。"
                "ネットワークがなくても、すべての画面・入力・印刷が使えます。",
            )
        return res

    def show_conflicts(self):
        from kyosai_desktop.ui.exchange.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.window.ctx, self.window)
        dialog.settled.connect(self._announce)
        self.conflicts_dialog = dialog
        interaction.exec_dialog(dialog)
        return dialog
