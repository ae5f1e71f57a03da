"""The three master files the ファイル → 取り込み menu and the settings screen import (単組 ·
目標 · 実績): their labels and columns, without Qt, so the window's menus can list them at
start-up without loading the import dialog (ui/shared/import_dialog.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kyosai_desktop.services.import_plan import ImportPlan


@dataclass(frozen=True)
class ImportKind:
    key: str  # the ChangeKind's value as well: "unions" / "targets" / "results"
    label: str  # 単組 / 目標 / 実績
    headers: str  # the columns the file needs, for the clerk
    function: str  # planner's name in services/master_import

    @property
    def planner(self) -> Callable[..., ImportPlan]:
        # Imported on first use: the import services load openpyxl, which start-up can skip.
        from kyosai_desktop.services import master_import

        return getattr(master_import, self.function)


KINDS = {
    "unions": ImportKind(
        "unions",
        "単組",
        "自治労県コード・単組コード・単組名・組合員数・団生保有・発効月 (任意: 組織加入・基準日)",
        "plan_unions",
    ),
    "targets": ImportKind(
        "targets", "目標", "年度・商品・目標件数 (任意: 版 第1次/第2次・単組コード)", "plan_targets"
    ),
    "results": ImportKind(
        "results",
        "実績",
        "自治労県コード・単組コード・商品・発効年月 (YYYY-MM)・件数",
        "plan_results",
    ),
}
