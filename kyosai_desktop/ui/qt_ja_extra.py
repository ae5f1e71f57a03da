"""Japanese for the few strings of Qt's own dialogs that qtbase_ja leaves in English.

Qt's print dialog shows 「Double Sided Printing」, 「Pages」, 「Page Set:」 and a help tip in
English even with qtbase_ja installed (the page-setup widget's 「Pages per sheet」 too).  This
translator answers those by their source text, whatever the context, and defers every other
string to Qt's catalogue (``None`` = no translation here).
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

MISSING = {
    "Double Sided Printing": "両面印刷",
    "Long side binding": "長辺とじ",
    "Short side binding": "短辺とじ",
    "Off": "オフ",
    "Pages": "ページ指定",
    "Page &Set:": "印刷するページ(&S):",
    "Pages per sheet:": "1枚あたりのページ数:",
    "Page order:": "ページの順序:",
    "Advanced": "詳細",
    "Folder": "フォルダ",
    "Look in:": "場所:",
    "Files of type:": "ファイルの種類:",
    "Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by a hyphen. "
    "E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.": "ページまたは範囲をカンマで区切って指定します。範囲はハイフンでつないだ2つの数字です。"
    "例: 3,5-7,9 は 3・5・6・7・9 ページを印刷します。",
}


class MissingJapanese(QTranslator):
    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: ARG002 - Qt API
        return MISSING.get(source_text)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False
