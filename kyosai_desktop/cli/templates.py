"""``kyosai template KIND --out FILE.xlsx``: a blank import template (``services/templates``)."""

from __future__ import annotations

import argparse
from pathlib import Path

KINDS = ("unions", "targets", "results", "estimates", "model-unions")


def register(groups: dict) -> None:
    p = groups["root"].add_parser("template", help="取り込み用の空のテンプレート (xlsx) を作る")
    p.add_argument(
        "kind",
        choices=KINDS,
        metavar="KIND",
        help="unions | targets | results | estimates | model-unions",
    )
    p.add_argument("--out", type=Path, required=True, help="書き出す xlsx ファイル")
    p.add_argument("--fy", type=int, help="モデル単組: 年度 (省略時は今年度)")
    p.add_argument(
        "--start-month",
        type=int,
        default=6,
        choices=range(1, 13),
        metavar="M",
        help="モデル単組: 年度の開始月 (既定 6)",
    )
    p.set_defaults(handler=cmd_template)


def cmd_template(args: argparse.Namespace) -> int:
    from kyosai_desktop.services.templates import template, write_template

    path = write_template(args.kind, args.out, fiscal_year=args.fy, start_month=args.start_month)
    print(f"{template(args.kind).label}のテンプレートを書き出しました: {path}")
    return 0
