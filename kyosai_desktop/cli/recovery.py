"""Recovery commands that work when the database cannot be opened: ``kyosai restore``.

    kyosai restore                      # list the backups, newest first, each checked
    kyosai restore BACKUP --yes         # restore that file
    kyosai restore --latest --yes       # restore the newest backup that passes quick_check

The current file (with its -wal/-shm) is copied to ``backups/<name>-before-restore-<date>``
first; the stale -wal/-shm are removed so SQLite cannot replay them into the restored file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kyosai_desktop.cli import CommandError


def register(groups: dict) -> None:
    p = groups["root"].add_parser(
        "restore", help="バックアップから復元する (データベースが開けないときも使えます)"
    )
    p.add_argument("backup", type=Path, nargs="?", help="復元するバックアップファイル")
    p.add_argument("--latest", action="store_true", help="検査に通る最新のバックアップから復元する")
    p.add_argument("--yes", action="store_true", help="確認なしで復元する (必須)")
    p.set_defaults(handler=cmd_restore)


def cmd_restore(args: argparse.Namespace) -> int:
    from kyosai_desktop.paths import default_db_path
    from kyosai_desktop.services.restore import (
        backup_candidates,
        inspect_backup,
        newest_good_backup,
        restore_file,
    )

    db_path = Path(args.db) if args.db else default_db_path()
    if args.backup is None and not args.latest:
        candidates = backup_candidates(db_path)
        if not candidates:
            raise CommandError(
                f"{db_path.resolve().parent / 'backups'} にバックアップがありません。"
            )
        print(f"{db_path} のバックアップ (新しい順):")
        for c in candidates:
            print("  " + c.label())
        print("復元するには: kyosai restore ファイル --yes (または --latest --yes)")
        return 1
    if args.backup is not None and args.latest:
        raise CommandError("BACKUP と --latest はどちらか一方を指定してください。")
    if args.latest:
        chosen = newest_good_backup(db_path)
        if chosen is None:
            raise CommandError(
                "検査に通るバックアップが backups フォルダにありません。"
                "kyosai restore (引数なし) で一覧と理由を確かめてください。"
            )
        backup = chosen.path
    else:
        backup = args.backup
    info = inspect_backup(backup, db_path)
    print(info.describe())
    if not args.yes:
        print(
            f"\n{db_path} をこのバックアップの内容に置き換えます。よければ --yes を付けて、もう一度実行してください。"
            "置き換える前に、現在のファイルを backups フォルダにコピーします。"
        )
        return 1
    safety = restore_file(db_path, backup)
    print(f"\n{db_path} を {backup.name} から復元しました。\n復元前のファイルのコピー: {safety}")
    return 0
