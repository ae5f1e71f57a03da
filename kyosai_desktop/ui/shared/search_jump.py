"""Where a search hit opens, and Ctrl+F's 'the filter of the page in front'.

- 単組 of the branch → 月次入力, 単組別 tab on that union (its figures); another prefecture's
  union (a national model union) → マスタ・設定, 単組 tab, all prefectures, its row selected.
- キャンペーン → 見積りキャンペーン with that campaign selected.
- 見積り → 見積りキャンペーン, 見積り一覧 of its campaign and union, its row selected.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from kyosai_desktop.store.search import SearchHit

FILTER_HINT = "絞り込み"  # every page's filter box says so in its placeholder


def open_hit(window, hit: SearchHit) -> QWidget | None:
    """Show the record of ``hit`` in ``window`` (a MainWindow); returns the page shown."""
    page = _show(window, hit)
    window.activateWindow()  # the keyboard goes back to the record, not the search box
    return page


def _show(window, hit: SearchHit) -> QWidget | None:
    ctx = window.ctx
    if hit.kind == "union":
        union = ctx.unions.get(hit.ref)
        if union is None:
            return None
        if union.pref_code == ctx.branch:
            page = window.show_page("entry")
            page.tabs.setCurrentWidget(page.union_panel)
            page._ensure_union_panel()
            if page.union_panel.union_combo.findData(union.id) >= 0:
                page.union_panel.set_union(union.id)
                page.union_panel.view.setFocus()
                return page
        page = window.show_page("master")
        tab = page.union_tab
        page.tabs.setCurrentWidget(tab)
        tab.filter_edit.clear()
        tab.inactive.setChecked(True)
        tab.all_prefs.setChecked(union.pref_code != ctx.branch)
        row = next((i for i, r in enumerate(tab.model.rows) if r.id == union.id), None)
        if row is not None:
            index = tab.proxy.mapFromSource(tab.model.index(row, 2))
            tab.table.setCurrentIndex(index)
            tab.table.scrollTo(index)
        tab.table.setFocus()
        return page
    if hit.kind == "campaign":
        page = window.show_page("estimates")
        page.reload_campaigns(select=hit.ref)
        page.tabs.setCurrentIndex(0)
        return page
    estimate = ctx.estimates.get(hit.ref)
    if estimate is None:
        return None
    page = window.show_page("estimates")
    page.reload_campaigns(select=estimate.campaign_id)
    panel = page.list_panel
    panel.filter_edit.clear()
    page._open_union(estimate.union_id)
    panel.select_ids([estimate.id])
    current = panel.table.currentIndex()
    if current.isValid():
        panel.table.scrollTo(current)
    panel.table.setFocus()
    return page


def page_filter(page: QWidget | None) -> QLineEdit | None:
    """The filter box of the page in front: the visible line edit whose hint says 絞り込み."""
    if page is None:
        return None
    for edit in page.findChildren(QLineEdit):
        if edit.isVisible() and edit.isEnabled() and edit.placeholderText().startswith(FILTER_HINT):
            return edit
    return None


def focus_filter(page: QWidget | None) -> QLineEdit | None:
    edit = page_filter(page)
    if edit is not None:
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()
    return edit
