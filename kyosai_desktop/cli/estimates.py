"""Estimate commands: ``kyosai estimates import|summary|anonymise`` and ``kyosai report estimates``.

* ``estimates import FILE --campaign NAME --union PP-UUU [--kind KIND] [--dry-run]`` — a 別紙2
  sheet into the campaign (created, kind その他 unless ``--kind``, when not yet known);
* ``estimates summary --campaign NAME [--union PP-UUU] [--json]`` — one JSON object with
  rows, rows_in_totals, rows_flagged, other_total, jichiro_total, saving_total,
  saving_average, flags, returned, contracts, conversion_rate (yen as integers;
  conversion_rate = 成約 ÷ returned estimates in percent, 1 decimal, or null);
* ``estimates anonymise --campaign NAME --yes`` — clear a finished campaign's personal data,
  then check the database file, its WAL/shm and the backups folder (exit 3 when the names are
  not yet gone from the files, e.g. while another program reads the database);
* ``estimates old-backups --campaign NAME [--delete --yes]`` — the backups that still hold an
  anonymised campaign's personal data, and deleting them;
* ``report estimates --campaign NAME [--union PP-UUU] --kind list|report|summary|closing
  --out FILE.pdf|FILE.xlsx [--within DAYS]`` — 別紙2, 別紙3 (all unions when --union is
  omitted), the campaign summary, the closing list.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from kyosai_desktop.cli import CommandError, open_ctx
from kyosai_desktop.domain.estimates import CAMPAIGN_KINDS

REPORT_KINDS = ("list", "report", "summary", "closing")


def register(groups: dict) -> None:
    root = groups["root"]
    grp = root.add_parser("estimates", help="マイカー共済の見積りキャンペーン").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )

    imp = grp.add_parser("import", help="執行部見積り結果一覧 (別紙2) の取り込み (CSV / xlsx)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--campaign", required=True, help="キャンペーン名 (未登録なら作成)")
    imp.add_argument("--union", required=True, help="単組 PP-UUU (例: 05-001)")
    imp.add_argument(
        "--kind", choices=CAMPAIGN_KINDS, help="新しく作るキャンペーンの種類 (省略時 その他)"
    )
    imp.add_argument("--dry-run", action="store_true", help="書き込まずに結果だけ表示する")
    imp.add_argument(
        "--sheet", metavar="NAME", help="取り込むシート名 (表示されているシートが複数ある xlsx)"
    )
    imp.set_defaults(handler=cmd_import)

    summ = grp.add_parser("summary", help="キャンペーンの集計 (節約総額・成約率など)")
    summ.add_argument("--campaign", required=True)
    summ.add_argument("--union", help="単組 PP-UUU (省略時はキャンペーン全体)")
    summ.add_argument("--json", action="store_true", help="JSON で1行に出力する")
    summ.set_defaults(handler=cmd_summary)

    anon = grp.add_parser("anonymise", help="終了したキャンペーンの個人情報を匿名化する")
    anon.add_argument("--campaign", required=True)
    anon.add_argument("--yes", action="store_true", help="確認なしで実行する (必須)")
    anon.add_argument("--today", help=argparse.SUPPRESS)
    anon.set_defaults(handler=cmd_anonymise)

    old = grp.add_parser(
        "old-backups", help="匿名化したキャンペーンの個人情報が残る古いバックアップを一覧・削除する"
    )
    old.add_argument("--campaign", required=True)
    old.add_argument("--delete", action="store_true", help="それらのバックアップを削除する")
    old.add_argument("--yes", action="store_true", help="確認なしで削除する (--delete に必須)")
    old.set_defaults(handler=cmd_old_backups)

    rep = groups["report"].add_parser(
        "estimates", help="見積り: 別紙2 一覧 / 別紙3 報告 / 集計 / クロージング一覧"
    )
    rep.add_argument("--campaign", required=True)
    rep.add_argument("--union", help="単組 PP-UUU (list では必須、report で省略すると全単組)")
    rep.add_argument(
        "--kind",
        choices=REPORT_KINDS,
        required=True,
        help="list = 別紙2, report = 別紙3, summary = キャンペーン集計, closing = クロージング一覧",
    )
    rep.add_argument("--out", type=Path, required=True, help="出力ファイル .pdf / .xlsx")
    rep.add_argument("--within", type=int, help="closing: 今日から N 日以内に満期の見積りだけ")
    rep.set_defaults(handler=cmd_report)


def _campaign(ctx, name: str):
    camp = ctx.campaigns.find(name)
    if camp is None:
        known = "、".join(c.name for c in ctx.campaigns.list()[:10]) or "(なし)"
        raise CommandError(f"キャンペーン「{name}」は登録されていません。登録済み: {known}")
    return camp


def _union(ctx, key: str | None):
    if key is None:
        return None
    union = ctx.unions.find_key(key)
    if union is None:
        raise CommandError(f"単組 {key} は登録されていません。")
    return union


def cmd_import(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.estimate_import import import_estimates

    ctx = open_ctx(args)
    try:
        result = import_estimates(
            ctx,
            args.file,
            campaign=args.campaign,
            union=args.union,
            kind=args.kind,
            dry_run=args.dry_run,
            sheet=args.sheet,
        )
        print(result.text())
    finally:
        ctx.close()
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.estimate_reports import campaign_summary, summary_json

    ctx = open_ctx(args)
    try:
        camp = _campaign(ctx, args.campaign)
        union = _union(ctx, args.union)
        uid = union.id if union else None
        if args.json:
            print(json.dumps(summary_json(ctx, camp.id, uid), ensure_ascii=False))
            return 0
        s = campaign_summary(ctx, camp.id, uid)
        total = s.total
        assert total is not None
        t, c = total.totals, total.counts
        print(
            f"{camp.name} ({camp.kind}・{camp.period_text})"
            + (f" — {union.key} {union.name}" if union else "")
        )
        print(
            f"  依頼 {c.requests:,} / 見積作成 {c.estimated:,} / 返却済 {c.returned:,} / 成約 {c.contracts:,}"
            f" / 成約率 {'—' if total.conversion is None else f'{total.conversion}%'} / 横断旗 {total.flags:,}本"
        )
        print(
            f"  他社総額 {t.other_total:,}円 / じちろう総額 {t.jichiro_total:,}円 / 節約総額 {t.saving_total:,}円"
            f" / 1人あたり平均 {'—' if t.saving_average is None else f'{t.saving_average:,}円'}"
            f" (集計対象 {t.rows_in_totals}人、集計外 {t.rows_flagged}人)"
        )
    finally:
        ctx.close()
    return 0


def cmd_anonymise(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.estimate_privacy import anonymise_check
    from kyosai_desktop.services.ops.estimates import anonymise_verified

    ctx = open_ctx(args)
    try:
        camp = _campaign(ctx, args.campaign)
        today = date.fromisoformat(args.today) if args.today else None
        check = anonymise_check(ctx, camp.id, today=today)
        if not args.yes:
            raise CommandError(check.question + "\n実行するには --yes を付けてください。")
        done, _changes = anonymise_verified(ctx, camp.id, today=today)
        print(
            f"キャンペーン「{camp.name}」の見積り {done.estimates} 件の個人情報を匿名化しました (集計値は変わりません)。"
        )
        print(done.report.text())
        if not done.report.ok:
            return 3  # anonymised in the tables, but not yet gone from the files: said above
    finally:
        ctx.close()
    return 0


def cmd_old_backups(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.privacy_check import backups_holding, delete_backups

    ctx = open_ctx(args)
    try:
        camp = _campaign(ctx, args.campaign)
        holding = backups_holding(ctx, camp.id)
    finally:
        ctx.close()
    if not holding:
        print(
            f"backups フォルダに、キャンペーン「{camp.name}」の個人情報を含むバックアップはありません。"
        )
        return 0
    print(f"キャンペーン「{camp.name}」の個人情報がまだ残っているバックアップ ({len(holding)} 個):")
    for p in holding:
        print(f"  {p}")
    if not args.delete:
        print("削除するには --delete --yes を付けて実行してください。")
        return 0
    if not args.yes:
        raise CommandError(
            "削除するには --yes も付けてください (削除したバックアップからは復元できなくなります)。"
        )
    gone = delete_backups(holding)
    print(f"{len(holding)} 個のバックアップを削除しました ({len(gone)} ファイル)。")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from kyosai_desktop.services import estimate_reports as er

    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise CommandError(f"出力形式は .pdf か .xlsx です: {args.out.name}")
    ctx = open_ctx(args)
    try:
        camp = _campaign(ctx, args.campaign)
        union = _union(ctx, args.union)
        if args.kind == "list" and union is None:
            raise CommandError(
                "別紙2 (list) は単組ごとの一覧です。--union PP-UUU を指定してください。"
            )
        if args.kind == "list":
            table = er.list_report(ctx, camp.id, union.id)
            _write_table(table, args.out)
        elif args.kind == "report":
            reports = er.union_reports(ctx, camp.id, [union.id] if union else None)
            if suffix == ".xlsx":
                if len(reports) != 1:
                    raise CommandError(
                        "別紙3 の Excel 出力は単組ごとです。--union PP-UUU を指定してください。"
                    )
                reports[0].write_xlsx(args.out)  # laid out as the 別紙3 form
            else:
                from kyosai_desktop.render.estimate_paper import UnionReportPaper
                from kyosai_desktop.render.paper import render_pdf

                render_pdf(UnionReportPaper(reports), args.out)
        elif args.kind == "summary":
            summary = er.campaign_summary(ctx, camp.id, union.id if union else None)
            if suffix == ".xlsx":
                _write_table(summary.table(), args.out)
            else:
                from kyosai_desktop.render.estimate_paper import SummaryPaper
                from kyosai_desktop.render.paper import render_pdf

                render_pdf(SummaryPaper(summary), args.out)
        else:
            table = er.closing_list(
                ctx,
                campaign_id=camp.id,
                union_id=union.id if union else None,
                within_days=args.within,
            )
            _write_table(table, args.out)
        print(f"{args.out} に出力しました。")
    finally:
        ctx.close()
    return 0


def _write_table(table, out: Path, *, landscape: bool = True) -> None:
    if out.suffix.lower() == ".xlsx":
        from kyosai_desktop.services.xlsx_report import write_report_xlsx

        write_report_xlsx(table, out, landscape=landscape)
        return
    from kyosai_desktop.render.paper import render_pdf
    from kyosai_desktop.render.paper_table import TablePaper

    render_pdf(TablePaper(table, landscape=landscape), out)
