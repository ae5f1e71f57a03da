"""Laptop exchange commands: ``kyosai exchange checkout|open|export|import|conflicts|resolve|status``.

* ``checkout --out COPY.kyosai --passphrase-file PW`` — the office database as a laptop copy;
* ``open COPY.kyosai --passphrase-file PW [--label NAME]`` — a new or empty database becomes a laptop copy;
  an existing laptop copy is refreshed from it, keeping its unsent changes;
* ``export --out CHANGES.kyosai --passphrase-file PW`` — the laptop's changes as one package;
* ``import CHANGES.kyosai --passphrase-file PW [--dry-run] [--json]`` — the office takes
  them (exit 0, conflicts included; exit 2 when refused, nothing changed);
* ``conflicts [--json] [--all]`` — the listed conflicts (``--all`` includes settled ones);
* ``resolve (--all | --id N) --keep office|laptop``;
* ``status [--json]`` — role (office / laptop), pending (unsent changes), last exchange.
"""

from __future__ import annotations

import json
from pathlib import Path

from kyosai_desktop.cli import CommandError, open_ctx


def register(groups: dict) -> None:
    grp = (
        groups["root"]
        .add_parser("exchange", help="ノートPCへの持ち出しと変更の持ち帰り")
        .add_subparsers(dest="action", metavar="ACTION", required=True)
    )

    def pw(p):
        p.add_argument(
            "--passphrase-file", type=Path, required=True, help="パスフレーズを書いたファイル"
        )
        return p

    p = pw(grp.add_parser("checkout", help="持ち出し用コピーを作成する (事務所)"))
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(handler=cmd_checkout)
    p = pw(grp.add_parser("open", help="持ち出し用コピーを開く・更新する (ノートPC)"))
    p.add_argument("package", type=Path)
    p.add_argument(
        "--label",
        help="このノートPCの名前 (事務所の変更履歴に「持ち帰り (名前)」と残る。省略時はコンピューター名)",
    )
    p.set_defaults(handler=cmd_open)
    p = pw(grp.add_parser("export", help="変更を書き出す (ノートPC)"))
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(handler=cmd_export)
    p = pw(grp.add_parser("import", help="変更を取り込む (事務所)"))
    p.add_argument("package", type=Path)
    p.add_argument("--dry-run", action="store_true", help="書き込まずに結果だけ表示する")
    p.add_argument("--json", action="store_true", help="JSON で1行に出力する")
    p.set_defaults(handler=cmd_import)
    p = grp.add_parser("conflicts", help="競合の一覧")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="解決済みも含める")
    p.set_defaults(handler=cmd_conflicts)
    p = grp.add_parser("resolve", help="競合を解決する")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true")
    which.add_argument("--id", type=int, action="append")
    p.add_argument("--keep", choices=("office", "laptop"), required=True)
    p.set_defaults(handler=cmd_resolve)
    p = grp.add_parser("status", help="事務所 / 持ち出し用コピー、未送信の変更")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)


def _passphrase(args) -> str:
    try:
        text = args.passphrase_file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(
            f"パスフレーズのファイルを読めません: {args.passphrase_file}", 2
        ) from exc
    return text.rstrip("\r\n")


def _path(args) -> Path:
    """Create/migrate the database like every command, then hand over its path (closed)."""
    ctx = open_ctx(args)
    path = ctx.path
    ctx.close()
    return path


def _refusal(exc: Exception) -> CommandError:
    return CommandError(f"エラー: {exc}", 2)


def cmd_checkout(args) -> int:
    from kyosai_desktop.services import exchange

    ctx = open_ctx(args)
    try:
        info = exchange.checkout(ctx.conn, args.out, _passphrase(args))
    except (exchange.ExchangeError, exchange.PackageError) as exc:
        raise _refusal(exc) from exc
    finally:
        ctx.close()
    counts = info["counts"]
    print(
        f"持ち出し用コピーを作成しました: {args.out} ({info['size']:,} バイト; 単組 {counts['unions']:,}、"
        f"実績 {counts['results']:,}、見積り {counts['estimates']:,})"
    )
    return 0


def cmd_open(args) -> int:
    from kyosai_desktop.services import exchange

    path = _path(args)
    try:
        res = exchange.open_copy(path, args.package, _passphrase(args), label=args.label)
    except (exchange.ExchangeError, exchange.PackageError) as exc:
        raise _refusal(exc) from exc
    if res["refreshed"]:
        print(
            f"持ち出し用コピーを更新しました ({res['taken_at']} 時点の事務所データ)。未送信の変更: 反映 {res['applied']} 件、"
            f"同じ内容 {res['unchanged']} 件、競合 {res['conflicts']} 件"
        )
    else:
        print(f"持ち出し用コピーとして開きました ({res['taken_at']} 時点の事務所データ): {path}")
    return 0


def cmd_export(args) -> int:
    from kyosai_desktop.services import exchange

    path = _path(args)
    try:
        info = exchange.export_changes(path, args.out, _passphrase(args))
    except (exchange.ExchangeError, exchange.PackageError) as exc:
        raise _refusal(exc) from exc
    kinds = (
        "、".join(f"{exchange.KIND_LABELS[k]} {n}" for k, n in info["counts"].items()) or "変更なし"
    )
    print(f"変更を書き出しました: {args.out} (第{info['seq']}回, {info['size']:,} バイト; {kinds})")
    return 0


def cmd_import(args) -> int:
    from kyosai_desktop.services import exchange

    path = _path(args)
    try:
        res = exchange.import_changes(path, args.package, _passphrase(args), dry_run=args.dry_run)
    except (exchange.ExchangeError, exchange.PackageError) as exc:
        raise _refusal(exc) from exc
    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    elif res.get("already_imported"):
        print(
            f"{res['source']} 第{res['seq']}回のパッケージは取り込み済みです。何も変更していません。"
        )
    else:
        head = "取り込みの確認 (書き込んでいません)" if args.dry_run else "取り込みました"
        kinds = "、".join(f"{exchange.KIND_LABELS[k]} {n}" for k, n in res["by_kind"].items())
        print(
            f"{head}: {res['source']} 第{res['seq']}回 — 反映 {res['applied']} 件"
            f"{' (' + kinds + ')' if kinds else ''}、同じ内容 {res['unchanged']} 件、競合 {res['conflicts']} 件"
        )
        for r in res["renumbered"]:
            print(
                f"  見積り No.{r['from']} は No.{r['to']} になりました (事務所で同じ No. が使われていたため)"
            )
        if res["conflicts"]:
            print(
                "競合は kyosai exchange conflicts で確認し、kyosai exchange resolve で解決してください。"
            )
    return 0


def cmd_conflicts(args) -> int:
    from kyosai_desktop.services import exchange

    ctx = open_ctx(args)
    try:
        rows = exchange.list_conflicts(ctx.conn, settled=args.all)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        return 0
    if not rows:
        print("未解決の競合はありません。")
    for r in rows:
        if r.situation == "orphaned":
            print(
                f"[{r.id}] {exchange.KIND_LABELS[r.kind]} {r.key} {exchange.field_label(r.field)}:"
                f" ノートPC {exchange.record_text(r.laptop, r.table)} ({r.laptop_actor or '-'} {r.laptop_at or '-'})"
                f" — {r.deleted} は事務所で削除されています"
            )
            continue
        if r.dependants:
            print(
                f"[{r.id}] {exchange.KIND_LABELS[r.kind]} {r.key}: ノートPCで削除"
                f" ({r.laptop_actor or '-'} {r.laptop_at or '-'}) — 事務所にはこの記録を参照する"
                f"{r.dependants}があります"
            )
            continue
        print(
            f"[{r.id}] {exchange.KIND_LABELS[r.kind]} {r.key} {r.field}: 事務所 {r.office!r}"
            f" ({r.office_actor or '-'} {r.office_at or '-'}) / ノートPC {r.laptop!r}"
            f" ({r.laptop_actor or '-'} {r.laptop_at or '-'}) — {exchange.SITUATIONS[r.situation]}"
        )
    return 0


def cmd_resolve(args) -> int:
    from kyosai_desktop.services import exchange

    ctx = open_ctx(args)
    try:
        n = exchange.resolve(ctx.conn, None if args.all else args.id, args.keep)
    except ValueError as exc:
        raise CommandError(f"エラー: {exc}", 2) from exc
    finally:
        ctx.close()
    print(
        f"{n} 件の競合を解決しました ({'事務所の値を維持' if args.keep == 'office' else 'ノートPCの値を採用'})。"
    )
    return 0


def cmd_status(args) -> int:
    from kyosai_desktop.services import exchange

    ctx = open_ctx(args)
    try:
        st = exchange.status(ctx.conn)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(st.as_dict(), ensure_ascii=False))
    elif st.role == "laptop":
        print(
            f"持ち出し用コピー ({st.label}): 未送信の変更 {st.pending} 件、最終やり取り {st.last_exchange_at or '-'}、"
            f"未解決の競合 {st.open_conflicts} 件"
        )
    else:
        print(f"事務所のデータベース: 未解決の競合 {st.open_conflicts} 件")
    return 0
