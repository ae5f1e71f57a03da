"""Branch ⇄ headquarters commands.

kyosai --db BRANCH hq export --fy 2024 --out PP.kyosai-report
kyosai --db HQ init --hq                                    (cli/master.py)
kyosai --db HQ hq import FILE [FILE …] [--dry-run]
kyosai --db HQ report national --fy 2024 --as-of 2025-01 [--product-as-of 商品=YYYY-MM …]
                               --out FILE.csv|FILE.xlsx|FILE.pdf [--matrix]
kyosai --db BRANCH national import FILE [--dry-run]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kyosai_desktop.cli import CommandError, open_ctx


def register(groups: dict) -> None:
    root = groups["root"]
    hq = root.add_parser(
        "hq", help="本部への報告パッケージ (県支部) と取り込み (本部)"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    exp = hq.add_parser("export", help="本部への報告パッケージを作成する (個人情報は含みません)")
    exp.add_argument("--fy", type=int, required=True, help="年度 (例: 2024)。前年度分も含めます")
    exp.add_argument("--out", type=Path, required=True, help="出力ファイル (例: 05.kyosai-report)")
    exp.set_defaults(handler=cmd_export)
    imp = hq.add_parser("import", help="県支部の報告パッケージを本部用データベースに取り込む")
    imp.add_argument("files", type=Path, nargs="+", help="報告パッケージ (.kyosai-report)")
    imp.add_argument("--dry-run", action="store_true", help="書き込まずに変更内容だけ表示する")
    imp.set_defaults(handler=cmd_import)

    rep = groups["report"].add_parser(
        "national", help="全国集計 (主要共済の実績: 目標・実績・到達率・目標達成県支部)"
    )
    rep.add_argument("--fy", type=int, required=True, help="年度 (例: 2024)")
    rep.add_argument("--as-of", required=True, help="集計月 YYYY-MM (商品ごとの指定がない商品)")
    rep.add_argument(
        "--product-as-of",
        action="append",
        default=[],
        metavar="商品=YYYY-MM",
        help="商品ごとの集計月 (例: マイカー共済=2024-12)。繰り返し指定できます",
    )
    rep.add_argument("--out", type=Path, required=True, help="出力ファイル .csv / .xlsx / .pdf")
    rep.add_argument(
        "--matrix", action="store_true", help="全県支部 × 商品の表を出力する (.xlsx / .pdf)"
    )
    rep.set_defaults(handler=cmd_report_national)

    nat = root.add_parser("national", help="本部の全国実績 (県支部で取り込む)").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    ni = nat.add_parser("import", help="全国実績 CSV の取り込み")
    ni.add_argument("file", type=Path)
    ni.add_argument("--dry-run", action="store_true", help="書き込まずに内容だけ表示する")
    ni.set_defaults(handler=cmd_national_import)


def cmd_export(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.report_package import build_package

    ctx = open_ctx(args)
    try:
        if ctx.is_hq:
            raise CommandError(
                "本部用データベースからは報告パッケージを作れません。県支部のデータベースを指定してください。"
            )
        print(build_package(ctx, args.fy, args.out).text())
    finally:
        ctx.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.hq_import import import_packages

    ctx = open_ctx(args)
    try:
        outcomes = import_packages(ctx, args.files, dry_run=args.dry_run)
        for o in outcomes:
            print(o.text())
        refused = sum(1 for o in outcomes if o.refused)
        if refused:
            print(f"{refused} 件のパッケージを取り込めませんでした (それぞれ変更なし)。")
            return 2
        if args.dry_run:
            print("試行のため書き込んでいません。--dry-run を外すと取り込みます。")
    finally:
        ctx.close()
    return 0


def product_as_of(ctx, items: list[str]) -> dict[int, str]:
    from kyosai_desktop.domain.months import parse_month

    out: dict[int, str] = {}
    for item in items:
        name, sep, month = item.partition("=")
        if not sep:
            raise CommandError(f"--product-as-of は 商品=YYYY-MM の形式です: {item}")
        product = ctx.products.resolve(name)
        if product is None:
            raise CommandError(f"商品「{name}」は登録されていません。")
        out[product.id] = parse_month(month)
    return out


def cmd_report_national(args: argparse.Namespace) -> int:
    from kyosai_desktop.domain.months import parse_month
    from kyosai_desktop.services import national_report as nr

    as_of = parse_month(args.as_of)
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".pdf"):
        raise CommandError(f"出力形式は .csv / .xlsx / .pdf です: {args.out.name}")
    if args.matrix and suffix == ".csv":
        raise CommandError("--matrix は .xlsx か .pdf で出力します。")
    ctx = open_ctx(args)
    try:
        if not ctx.is_hq:
            raise CommandError(
                "全国集計は本部用データベースで行います (`kyosai --db HQ init --hq`)。"
            )
        report = nr.build_national_report(
            ctx, args.fy, as_of, product_as_of(ctx, args.product_as_of)
        )
        if not report.products:
            raise CommandError(
                f"{args.fy}年度の目標を含む報告パッケージがありません。先に `kyosai hq import` で取り込んでください。"
            )
        table = nr.branch_matrix_table(report) if args.matrix else nr.national_report_table(report)
        if suffix == ".csv":
            out = nr.write_national_csv(report, args.out)
        elif suffix == ".xlsx":
            from kyosai_desktop.services.xlsx_report import write_report_xlsx

            out = write_report_xlsx(
                table,
                args.out,
                paper="A3" if args.matrix else "A4",
                landscape=args.matrix,
                sheet_title="全国集計",
            )
        else:
            from kyosai_desktop.render.paper import render_pdf
            from kyosai_desktop.render.paper_table import TablePaper

            out = render_pdf(
                TablePaper(table, paper="A3" if args.matrix else "A4", landscape=args.matrix),
                args.out,
            )
        print(f"{table.title} を {out} に出力しました (報告済み {report.senders} 県支部)。")
    finally:
        ctx.close()
    return 0


def cmd_national_import(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.national_import import import_national

    ctx = open_ctx(args)
    try:
        print(import_national(ctx, args.file, dry_run=args.dry_run).text())
    finally:
        ctx.close()
    return 0
