"""Start-up of the GUI: Qt application, Japanese font and translations, database, window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from kyosai_desktop import APP_NAME, APP_TITLE
from kyosai_desktop.paths import default_db_path, resources_dir
from kyosai_desktop.render.fonts import install_app_font
from kyosai_desktop.ui.shared import interaction

# Optional extras that libraries load when they happen to be installed (openpyxl and
# sqlite-utils try numpy / pandas).  Starting the window needs neither, and they would add
# about 0.15–0.45 s to every start (tests/bench_foundation.py), so the GUI process blocks
# them while it starts.  The headquarters roll-up does use pandas (services/hq_import.py,
# services/national_report.py, imported on first use): run_gui() lifts the block once the
# window is up, and the Windows build ships both (build.spec).
UNUSED_OPTIONAL_MODULES = ("numpy", "pandas")


def skip_unused_optional_modules() -> list[str]:
    """Make the optional imports fail fast while the GUI starts; returns the names blocked
    (give them to :func:`allow_optional_modules` once the window is up)."""
    blocked = []
    for name in UNUSED_OPTIONAL_MODULES:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment] - "import numpy" raises ImportError
            blocked.append(name)
    return blocked


def allow_optional_modules(blocked: list[str]) -> None:
    """Lift :func:`skip_unused_optional_modules`' block: the next ``import pandas`` loads it."""
    for name in blocked:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("jichiro-kyosai")
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    install_app_font(app)
    install_translations(app)
    return app  # type: ignore[return-value]


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own Japanese catalogue, so standard buttons read キャンセル / はい."""
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    installed = []
    folders = [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(resources_dir() / "translations"),
    ]
    for base in ("qtbase_ja",):
        for folder in folders:
            translator = QTranslator(app)
            if translator.load(base, folder):
                app.installTranslator(translator)
                installed.append(translator)
                break
    from kyosai_desktop.ui.qt_ja_extra import MissingJapanese

    extra = MissingJapanese(app)  # installed last = asked first; defers everything else
    app.installTranslator(extra)
    installed.append(extra)
    return installed


def open_main_window(db_path: Path | None = None, *, confirm_after_paint: bool = False):
    """Open the database and build the window.

    When the database cannot be opened, the start-up recovery dialog says why and offers to
    restore a backup, try again, open another file or quit (ui/startup_recovery.py).
    Returns the window, or None when the clerk quit there or cancelled the first-launch setup.

    ``confirm_after_paint`` (how ``run_gui`` starts): when the page-by-page integrity check
    is still running once the window is built, the window is returned at once and the check
    is confirmed just after its first paint (``StartupCheckGate``); until then the
    connection is query-only and no input reaches the window.
    """
    import sqlite3

    from kyosai_desktop.store.errors import StoreError
    from kyosai_desktop.ui.main_window import MainWindow
    from kyosai_desktop.ui.startup import open_or_recover

    path = Path(db_path) if db_path else default_db_path()
    # The page-by-page integrity check (PRAGMA quick_check) runs on its own connection while
    # the window is built, and is confirmed before the window is shown: nothing is written
    # before it has passed (tests/bench_foundation.py: about a third of the start-up).
    ctx = open_or_recover(path, check_later=True)
    if ctx is None:
        return None
    window = None
    try:
        if ctx.branch is not None or ctx.is_hq:
            window = MainWindow(ctx)
            window.build_last_page()
    except sqlite3.DatabaseError:  # a damaged file may already fail while the window reads it
        window = _discard(window)
    if confirm_after_paint and window is not None and ctx.db.pending_check is not None:
        window.restore_last_page()
        window.startup_gate = StartupCheckGate(window)
        return window
    try:
        ctx.db.confirm_intact()
    except StoreError:
        window = _discard(window)
        damaged = ctx.path
        ctx.db.abandon()  # closed without a checkpoint: the file stays as it was
        ctx = open_or_recover(damaged)  # checked again at once; the recovery dialog says why
        if ctx is None:
            return None
    if ctx.branch is None and not ctx.is_hq:  # a headquarters database has no branch of its own
        from kyosai_desktop.ui.setup_dialog import run_first_launch

        if not run_first_launch(ctx):
            ctx.close()
            return None
    if window is None:
        window = MainWindow(ctx)
    window.restore_last_page()
    # The daily automatic backup runs just after the window is up, so start-up stays fast.
    QTimer.singleShot(300, lambda: automatic_backup(window))
    return window


class StartupCheckGate(QObject):
    """Confirms the start-up integrity check just after the window's first paint.

    PRAGMA quick_check reads every page of the file (about 0.1 s on a national-scale
    database, more on a busy machine); it runs on its own connection from the moment the
    file is opened, and the window is shown without waiting for it.  Until it is confirmed:
    the window's connection is query-only (SQLite refuses any write), and the first input
    event (a key, a click, a shortcut) waits for the check before it is delivered — so
    nothing a clerk does can write to a file the check has not passed.  The check is
    confirmed right after the first paint (or after ``FALLBACK_MS`` without one); the
    daily automatic backup starts only after it passed.  A damaged file: the window is
    hidden, its connection closed without writing (``Database.abandon``), and the start-up
    recovery dialog says why (``open_or_recover``); the window goes on with the file the
    clerk chooses there, and ``quit_requested`` is emitted when the clerk quits.
    """

    FALLBACK_MS = 300
    quit_requested = Signal()  # the clerk quit in the recovery dialog
    _INPUT = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.ShortcutOverride,
            QEvent.Type.Shortcut,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.Wheel,
            QEvent.Type.ContextMenu,
            QEvent.Type.InputMethod,
            QEvent.Type.TouchBegin,
            QEvent.Type.TabletPress,
            QEvent.Type.Drop,
            QEvent.Type.Close,
        }
    )

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.done = False
        self.intact: bool | None = None  # None while the check is not confirmed
        self.quit = False  # the clerk quit in the recovery dialog
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self.confirm)
        self._fallback.start(self.FALLBACK_MS)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.Paint and not self.done:
            QTimer.singleShot(0, self.confirm)  # after this paint has reached the screen
        elif kind in self._INPUT and not self.done:
            if not self.confirm():
                return True  # damaged: the event never arrives
        return False

    def confirm(self) -> bool:
        """Wait for the check (if still running); True when the file is intact."""
        if self.done:
            return bool(self.intact)
        self.done = True
        self._fallback.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        from kyosai_desktop.store.errors import StoreError

        try:
            self.window.ctx.db.confirm_intact()
        except StoreError:
            self.intact = False
            self.window.setEnabled(False)  # queued input must not reach the pages
            QTimer.singleShot(0, self._recover)
            return False
        self.intact = True
        QTimer.singleShot(300, lambda: automatic_backup(self.window))
        return True

    def _recover(self) -> None:
        from kyosai_desktop.ui.startup import open_or_recover

        window = self.window
        app = QApplication.instance()
        quit_on_close = app.quitOnLastWindowClosed() if app is not None else True
        if app is not None:
            app.setQuitOnLastWindowClosed(False)  # the dialog may be the only window a while
        try:
            window.hide()
            damaged = window.ctx.path
            window.ctx.db.abandon()  # closed without a checkpoint: unchanged
            ctx = open_or_recover(damaged)  # checked at once; the dialog says why
            if ctx is not None and ctx.branch is None and not ctx.is_hq:
                from kyosai_desktop.ui.setup_dialog import run_first_launch

                if not run_first_launch(ctx):
                    ctx.close()
                    ctx = None
        finally:
            if app is not None:
                app.setQuitOnLastWindowClosed(quit_on_close)
        if ctx is None:
            self.quit = True
            self.quit_requested.emit()  # run_gui ends the application
            return
        window.replace_context(ctx)
        window.setEnabled(True)
        window.show()
        QTimer.singleShot(300, lambda: automatic_backup(window))


def _discard(window):
    if window is not None:
        window.deleteLater()
    return None


def automatic_backup(window):
    """Once a working day, on the window that is shown (skipped for a closed window).

    Runs on the background runner (its own connection); returns the task, or None.
    """
    from kyosai_desktop.services.backup import backup_if_due
    from kyosai_desktop.ui.shared import runner

    try:
        if not window.isVisible():
            return None
    except RuntimeError:  # the window was already deleted
        return None

    def done(dest) -> None:
        if dest is not None:
            window.statusBar().showMessage(f"自動バックアップを作成しました: {dest.name}", 8000)

    def failed(exc: BaseException) -> None:  # a failed automatic backup must not stop work
        interaction.warning(
            window,
            "自動バックアップ",
            f"自動バックアップを作成できませんでした。\n{runner.error_message(exc)}",
        )

    return runner.run(
        window,
        "自動バックアップ",
        "自動バックアップを作成しています…",
        lambda job: backup_if_due(job.ctx),
        ctx=window.ctx,
        on_done=done,
        on_error=failed,
        cancellable=False,
    )


def choose_platform(environ=os.environ, platform: str = sys.platform) -> str | None:
    """On Linux without a display, fall back to the offscreen platform instead of aborting.

    Qt's xcb plugin aborts the process when there is no X server; a headless machine (a
    server, CI) still starts the app, invisibly, and says so.  Returns the platform chosen.
    """
    if environ.get("QT_QPA_PLATFORM"):
        return environ["QT_QPA_PLATFORM"]
    if platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        environ["QT_QPA_PLATFORM"] = "offscreen"
        print(
            "画面 (DISPLAY) がないため、画面なし (offscreen) で起動しました。"
            "画面を見るには xvfb-run -a kyosai などで起動してください。",
            file=sys.stderr,
        )
        return "offscreen"
    return None


def run_gui(db_path: Path | None = None) -> int:
    blocked = skip_unused_optional_modules()
    choose_platform()
    app = make_application()
    window = open_main_window(db_path, confirm_after_paint=True)
    if window is None:
        return 1
    gate = getattr(window, "startup_gate", None)
    if gate is not None:
        gate.quit_requested.connect(lambda: app.exit(1))
    window.show()
    # after the first paint: the HQ pages' roll-up may import pandas from now on
    QTimer.singleShot(0, lambda: allow_optional_modules(blocked))
    code = app.exec()
    if gate is None or not gate.quit:  # after quitting in the recovery dialog it is closed
        window.ctx.close()
    return code
