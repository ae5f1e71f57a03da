"""Model-union commands: import headquarters' sheet, the progress table, the 単組進捗シート.

    kyosai import model-unions FILE --fy YEAR [--start-month 6|5] [--dry-run]
    kyosai report model-unions --fy YEAR --as-of YYYY-MM --out FILE.csv|FILE.xlsx|FILE.pdf [--pref PP]
    kyosai report union-sheets --fy YEAR --as-of YYYY-MM --out FILE.pdf [--union PP-UUU] [--pref PP]

Without ``--pref``/``--union`` the reports cover every model union held (全国).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kyosai_desktop.cli import CommandError, open_ctx, paused_gc


def register(groups: dict) -> None:
    imp = groups["import"].add_parser(
        "model-unions",
        help="加入拡大モデル単組シート (本部の Excel) の取り込み",
        description="本部の加入拡大モデル単組シートを検算して取り込みます。まず --dry-run で確認してください。",
    )
    imp.add_argument("file", type=Path, help="シート (.xlsx)")
    imp.add_argument("--fy", type=int, required=True, help="年度 (例: 2024)")
    imp.add_argument(
        "--start-month",
        type=int,
        choices=(6, 5),
        help="この年度の集計開始月 (6=6月開始, 5=5月開始)。省略時は設定のまま",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="書き込まずに変更内容と検算結果だけ表示する"
    )
    imp.add_argument(
        "--sheet", metavar="NAME", help="取り込むシート名 (表示されているシートが複数ある xlsx)"
    )
    imp.set_defaults(handler=cmd_import)

    rep = groups["report"].add_parser(
        "model-unions", help="加入拡大モデル単組 進捗表 (CSV / xlsx / PDF)"
    )
    _common(rep)
    rep.add_argument("--out", type=Path, required=True, help="出力ファイル .csv / .xlsx / .pdf")
    rep.add_argument("--pref", help="県コード (省略時は全国)")
    rep.add_argument(
        "--paper", choices=("A4", "A3"), default="A4", help="用紙 (xlsx / pdf、横向き)"
    )
    rep.add_argument(
        "--start-month", type=int, choices=(6, 5), help="表示の開始月 (省略時は年度の設定)"
    )
    rep.set_defaults(handler=cmd_report)

    sh = groups["report"].add_parser("union-sheets", help="単組進捗シート (A4、1単組1ページの PDF)")
    _common(sh)
    sh.add_argument("--out", type=Path, required=True, help="出力ファイル .pdf")
    sh.add_argument("--union", help="単組 (PP-UUU、例: 05-021)")
    sh.add_argument("--pref", help="県コード (省略時は全国のモデル単組)")
    sh.set_defaults(handler=cmd_union_sheets)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fy", type=int, required=True, help="年度 (例: 2024)")
    p.add_argument("--as-of", required=True, help="集計する月 YYYY-MM (例: 2025-02)")


def _pref(ctx, value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().zfill(2)
    if ctx.prefectures.name_of(code) is None:
        raise CommandError(f"県コード「{value}」は登録されていません。")
    return code


def _check_as_of(ctx, fiscal_year: int, as_of: str, start_month: int | None = None) -> None:
    """Refuse an as-of month outside the fiscal year (before: a table of zeros; after: cut silently)."""
    from kyosai_desktop.domain.months import FiscalYear, MonthOutsideYear, check_as_of

    year = FiscalYear(
        fiscal_year, start_month or ctx.fiscal_years.model_year(fiscal_year).start_month
    )
    try:
        check_as_of(as_of, year)
    except MonthOutsideYear as exc:
        raise CommandError(f"{exc}\n--fy と --as-of を確かめてください。") from exc


def cmd_import(args: argparse.Namespace) -> int:
    with paused_gc():
        return _import(args)


def _import(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.file_reading import start_reading

    # The file is checked now and its cells are read in the background while the import's
    # modules load and the database opens (about a third of the command's time on a national
    # sheet; tests/bench_model_union_import.py).  file_reading loads only what reading needs,
    # so calamine starts before the rest of the import is imported.
    early = args.early_read.take(args.file, args.sheet) if args.early_read else None
    sheet = early or start_reading(args.file, sheet=args.sheet)
    from kyosai_desktop.services.model_union_import import import_model_unions

    ctx = open_ctx(args)
    try:
        result = import_model_unions(
            ctx,
            sheet,
            args.fy,
            start_month=args.start_month,
            dry_run=args.dry_run,
        )
        print(result.text())
        if not args.dry_run:
            print(f"取り込みました: {ctx.path}")
    finally:
        ctx.close()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from kyosai_desktop.domain.months import parse_month
    from kyosai_desktop.services import model_union_report as mr

    as_of = parse_month(args.as_of)
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".pdf"):
        raise CommandError(f"出力形式は .csv / .xlsx / .pdf です: {args.out.name}")
    ctx = open_ctx(args)
    try:
        _check_as_of(ctx, args.fy, as_of, args.start_month)
        report = mr.build_report(
            ctx, args.fy, as_of, pref_code=_pref(ctx, args.pref), start_month=args.start_month
        )
        if not report.rows:
            raise CommandError(
                f"{args.fy}年度の加入拡大モデル単組がありません。先に `kyosai import model-unions` で取り込んでください。"
            )
        if suffix == ".csv":
            out = mr.write_csv(report, args.out)
        elif suffix == ".xlsx":
            out = mr.write_xlsx(report, args.out, paper=args.paper)
        else:
            from kyosai_desktop.render.paper import render_pdf
            from kyosai_desktop.render.paper_table import TablePaper

            out = render_pdf(
                TablePaper(mr.printed_table(report), paper=args.paper, landscape=True), args.out
            )
        summary = "　".join(f"{k} {v}" for k, v in report.table.summary)
        print(f"{report.table.title} ({report.scope_label}) を {out} に出力しました。\n{summary}")
    finally:
        ctx.close()
    return 0


def cmd_union_sheets(args: argparse.Namespace) -> int:
    from kyosai_desktop.domain.months import parse_month
    from kyosai_desktop.services.union_progress_sheet import build_union_sheets, model_union_ids

    as_of = parse_month(args.as_of)
    if args.out.suffix.lower() != ".pdf":
        raise CommandError(f"単組進捗シートは PDF で出力します (.pdf): {args.out.name}")
    ctx = open_ctx(args)
    try:
        _check_as_of(ctx, args.fy, as_of)
        if args.union:
            union = ctx.unions.find_key(args.union)
            if union is None:
                raise CommandError(f"単組「{args.union}」は登録されていません。")
            ids = [union.id]
        else:
            ids = model_union_ids(ctx, args.fy, _pref(ctx, args.pref))
            if not ids:
                raise CommandError(f"{args.fy}年度の加入拡大モデル単組がありません。")
        sheets = build_union_sheets(ctx, ids, args.fy, as_of)
        from kyosai_desktop.render.paper import render_pdf
        from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

        out = render_pdf(UnionSheetPaper(sheets), args.out)
        print(
            f"単組進捗シート {len(sheets)} 単組分 ({len(sheets)} ページ) を {out} に出力しました。"
        )
    finally:
        ctx.close()
    return 0
