"""Screenshots of every page on demo data, offscreen: the pictures of the user guide.

    .venv/bin/python tools/help_screenshots.py [--out resources/help/img] [--size 1280x720]

Builds a demo database in a temporary folder (宮城県支部, the same fictitious figures the
first-start 「デモデータ」 gives), opens the main window at the given size and saves one PNG
per page (``page_<key>.png``); ``--tabs`` adds every tab of the pages that have tabs.  The guide's
pictures are made by this script, so re-running it after a screen changes keeps them true.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


def shoot(out: Path, width: int, height: int, scale: float = 1.0, tabs: bool = False) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QTabWidget

    from kyosai_desktop.services.context import open_context
    from kyosai_desktop.services.demo import load_demo
    from kyosai_desktop.ui.app import make_application
    from kyosai_desktop.ui.main_window import MainWindow

    app = make_application()
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, tmp)  # never the clerk's settings
        ctx = open_context(Path(tmp) / "demo.sqlite3")
        ctx.settings.set_branch("05")
        load_demo(ctx)
        window = MainWindow(ctx)
        window.resize(width, height)
        window.show()
        for spec in window.specs:
            window.show_page(spec.key)
            page = window.pages[spec.key]
            app.processEvents()
            target = out / f"page_{spec.key}.png"
            _save(window, target, scale)
            saved.append(target)
            for widget in page.findChildren(QTabWidget) if tabs else []:
                if not widget.isVisible():
                    continue
                for i in range(1, widget.count()):
                    widget.setCurrentIndex(i)
                    app.processEvents()
                    target = out / f"page_{spec.key}_{widget.objectName() or 'tab'}_{i}.png"
                    _save(window, target, scale)
                    saved.append(target)
                widget.setCurrentIndex(0)
        window.close()
        ctx.close()
    return saved


def _save(window, target: Path, scale: float) -> None:
    from PySide6.QtCore import Qt

    image = window.grab()
    if scale != 1.0:
        image = image.scaledToWidth(
            round(image.width() * scale), Qt.TransformationMode.SmoothTransformation
        )
    image.save(str(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "help" / "img")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--scale", type=float, default=0.75, help="shrink the saved pictures")
    parser.add_argument(
        "--tabs", action="store_true", help="also every tab of every page (for review)"
    )
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    for path in shoot(args.out, width, height, args.scale, args.tabs):
        print(path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
