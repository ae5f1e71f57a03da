"""Foundation commands: init, unions/targets/results import, branch report, backup."""

from __future__ import annotations

import argparse
from pathlib import Path

from kyosai_desktop.cli import CommandError, open_ctx


def register(groups: dict) -> None:
    root = groups["root"]
    p = root.add_parser("init", help="データベースを作成し、県支部を設定する (--hq: 本部用)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--branch", help="自治労県コード (例: 05)")
    who.add_argument(
        "--hq", action="store_true", help="本部用データベース (全県支部の報告パッケージを集計)"
    )
    p.set_defaults(handler=cmd_init)

    for kind, help_text, func in (
        ("unions", "単組の取り込み", "import_unions"),
        ("targets", "目標の取り込み", "import_targets"),
        ("results", "月別実績の取り込み", "import_results"),
    ):
        grp = root.add_parser(kind, help=help_text).add_subparsers(
            dest="action", metavar="ACTION", required=True
        )
        imp = grp.add_parser("import", help=help_text + " (CSV / xlsx)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="書き込まずに変更内容だけ表示する")
        imp.add_argument(
            "--sheet", metavar="NAME", help="取り込むシート名 (表示されているシートが複数ある xlsx)"
        )
        imp.set_defaults(handler=cmd_import, importer=func)

    rep = groups["report"].add_parser("branch", help="県支部 実績 (商品別 目標・実績・到達率)")
    rep.add_argument("--fy", type=int, required=True, help="年度 (例: 2024)")
    rep.add_argument("--as-of", required=True, help="集計する月 YYYY-MM")
    rep.add_argument("--out", type=Path, required=True, help="出力ファイル .csv / .xlsx")
    rep.add_argument("--pref", help="県コード (省略時はこのデータベースの県支部)")
    rep.set_defaults(handler=cmd_report_branch)

    bk = root.add_parser("backup", help="データベースのバックアップを作成する")
    bk.add_argument("--out", type=Path, help="保存先 (省略時は backups フォルダ)")
    bk.set_defaults(handler=cmd_backup)


def cmd_init(args: argparse.Namespace) -> int:
    ctx = open_ctx(args)
    try:
        if args.hq:
            from kyosai_desktop.services.hq_import import init_hq

            init_hq(ctx)
            print(
                f"{ctx.path} を本部用データベースとして設定しました。"
                f"`kyosai --db {ctx.path.name} hq import FILE …` で報告パッケージを取り込みます。"
            )
            return 0
        if ctx.is_hq:
            raise CommandError(
                "このデータベースは本部用です。県支部のデータベースは別のファイルに作成してください。"
            )
        code = args.branch.zfill(2)
        from kyosai_desktop.services.ops import master as master_ops

        master_ops.set_branch(ctx, code)
        print(
            f"{ctx.path} を {ctx.prefectures.name_of(code)}県支部 ({code}) のデータベースとして設定しました。"
        )
    finally:
        ctx.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kyosai_desktop.services import master_import

    ctx = open_ctx(args)
    try:
        summary = getattr(master_import, args.importer)(
            ctx, args.file, dry_run=args.dry_run, sheet=args.sheet
        )
        print(summary.text())
        if args.dry_run:
            for line in summary.details[:200]:
                print("  " + line)
    finally:
        ctx.close()
    return 0


def cmd_report_branch(args: argparse.Namespace) -> int:
    from kyosai_desktop.domain.months import MonthOutsideYear, parse_month
    from kyosai_desktop.services.branch_report import (
        branch_progress,
        rider_goals,
        write_branch_report,
    )

    as_of = parse_month(args.as_of)
    ctx = open_ctx(args)
    try:
        pref = args.pref.zfill(2) if args.pref else ctx.branch
        if pref is None:
            raise CommandError(
                "県支部が設定されていません。先に `kyosai init --branch PP` を実行するか --pref を指定してください。"
            )
        try:
            report = branch_progress(ctx, args.fy, as_of, pref)
        except MonthOutsideYear as exc:
            raise CommandError(f"{exc}\n--fy と --as-of を確かめてください。") from exc
        out = write_branch_report(report, args.out, rider_goals(ctx))
        print(f"{report.title} を {out} に出力しました。")
    finally:
        ctx.close()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.backup import make_backup

    ctx = open_ctx(args)
    try:
        dest = make_backup(ctx, args.out)
        print(f"バックアップを作成しました: {dest}")
    finally:
        ctx.close()
    return 0
