"""The seed's 別紙2 sample (seed 002 L1270–1300) as files to import, for the estimate tests.

Twenty officers A–T of "〇〇〇職員労働組合"; rows 8 (H) and 9 (I) have no premiums.  The
sheet is written the way the seed prints it: a title line, the header, the 【注意】 notice
between rows 9 and 10, the ¥-424,660 foot line (which belongs to 別紙3's other data set,
not to these rows) and the "↑(1年間差額)" caption.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "No.",
    "氏名",
    "年齢",
    "車名",
    "現在等級",
    "適応等級",
    "車両",
    "他社掛金",
    "じちろう掛金",
    "支払",
    "年間差額",
    "引下率",
    "保険(共済)満期日",
    "車検満了日",
]
TITLE = "〇〇〇職員労働組合_執行部見積り結果一覧"
NOTICE = (
    "【注意】 この一覧は、単組の学習会や募集活動には使用できません。 県支部から単組に対し、"
    "見積り者の一覧として、個別の見積書とともにフィードバックす"
)

# Exactly as printed in the seed (premiums with ¥ and commas, dates in 年月日).
SEED_ROWS: list[list[str]] = [
    [
        "1",
        "A",
        "28",
        "アクセラ",
        "11",
        "11",
        "",
        "¥49,690",
        "¥23,870",
        "年",
        "¥-25,820",
        "-52.0%",
        "2022年2月14日",
        "2020年2月23日",
    ],
    [
        "2",
        "B",
        "25",
        "デイズルークス",
        "20",
        "20",
        "○",
        "¥5,250",
        "¥3,900",
        "月",
        "¥-16,200",
        "-25.7%",
        "2020年10月1日",
        "2021年7月29日",
    ],
    [
        "3",
        "C",
        "54",
        "ハリアー",
        "20",
        "20",
        "○",
        "¥71,950",
        "¥57,640",
        "年",
        "¥-14,310",
        "-19.9%",
        "2020年9月30日",
        "2020年8月24日",
    ],
    [
        "4",
        "D",
        "38",
        "アルト",
        "20",
        "20",
        "○",
        "¥3,850",
        "¥2,100",
        "月",
        "¥-21,000",
        "-45.5%",
        "2020年10月22日",
        "2020年7月27日",
    ],
    [
        "5",
        "E",
        "32",
        "フリード",
        "20",
        "20",
        "○",
        "¥61,890",
        "¥48,410",
        "年",
        "¥-13,480",
        "-21.8%",
        "2020年8月31日",
        "2020年8月30日",
    ],
    [
        "6",
        "F",
        "22",
        "ワゴンR",
        "15",
        "15",
        "",
        "¥6,370",
        "¥4,330",
        "月",
        "¥-24,480",
        "-32.0%",
        "2021年10月5日",
        "2020年7月26日",
    ],
    [
        "7",
        "G",
        "33",
        "エクストレイル",
        "14",
        "14",
        "○",
        "¥70,020",
        "¥42,120",
        "年",
        "¥-27,900",
        "-39.8%",
        "2022年6月30日",
        "2022年6月16日",
    ],
    ["8", "H", "", "MRワゴン", "", "", "", "", "", "", "", "", "", "2021年11月29日"],
    ["9", "I", "", "", "", "", "", "", "", "", "", "", "", "2020年3月9日"],
    [
        "10",
        "J",
        "35",
        "ムーブ",
        "20",
        "20",
        "○",
        "¥46,000",
        "¥29,560",
        "年",
        "¥-16,440",
        "-35.7%",
        "2020年8月25日",
        "2021年3月1日",
    ],
    [
        "11",
        "K",
        "49",
        "XV",
        "20",
        "20",
        "○",
        "¥5,560",
        "¥2,460",
        "月",
        "¥-37,200",
        "-55.8%",
        "2020年9月18日",
        "2020年9月6日",
    ],
    [
        "12",
        "L",
        "29",
        "ステラ",
        "20",
        "20",
        "○",
        "¥61,870",
        "¥44,760",
        "年",
        "¥-17,110",
        "-27.7%",
        "2022年7月17日",
        "2020年3月28日",
    ],
    [
        "13",
        "M",
        "40",
        "カロール ルミオン",
        "20",
        "20",
        "○",
        "¥83,000",
        "¥42,660",
        "年",
        "¥-40,340",
        "-48.6%",
        "2020年10月3日",
        "2021年8月19日",
    ],
    [
        "14",
        "N",
        "33",
        "アクア",
        "6(5)",
        "6(5)",
        "○",
        "¥207,360",
        "¥115,440",
        "年",
        "¥-91,920",
        "-44.3%",
        "2020年4月3日",
        "2022年2月21日",
    ],
    [
        "15",
        "O",
        "23",
        "フレアクロス オーバー",
        "20",
        "21",
        "○",
        "¥51,910",
        "¥31,050",
        "年",
        "¥-20,860",
        "-40.2%",
        "2020年1月9日",
        "2022年1月29日",
    ],
    [
        "16",
        "P",
        "40",
        "キャスト",
        "-",
        "6",
        "",
        "¥21,000",
        "¥46,080",
        "年",
        "¥25,080",
        "119.4%",
        "2020年1月10日",
        "2021年12月15日",
    ],
    [
        "17",
        "Q",
        "22",
        "ノート",
        "20",
        "20",
        "○",
        "¥7,120",
        "¥3,810",
        "月",
        "¥-39,720",
        "-46.5%",
        "2020年5月19日",
        "2020年4月5日",
    ],
    [
        "18",
        "R",
        "27",
        "自動二輪 車",
        "7",
        "7",
        "",
        "¥5,620",
        "¥2,830",
        "月",
        "¥-33,480",
        "-49.6%",
        "2020年8月24日",
        "2020年8月20日",
    ],
    [
        "19",
        "S",
        "31",
        "ゼスト",
        "20",
        "21",
        "○",
        "¥4,020",
        "¥2,490",
        "月",
        "¥-18,360",
        "-38.1%",
        "2019年12月28日",
        "2021年3月21日",
    ],
    [
        "20",
        "T",
        "33",
        "フィット",
        "9",
        "9",
        "○",
        "¥54,980",
        "¥44,020",
        "年",
        "¥-10,960",
        "-19.9%",
        "2020年4月14日",
        "2021年3月27日",
    ],
]
FOOT = ["", "", "", "", "", "", "", "", "", "", "¥-424,660", "", "", ""]
CAPTION = ["", "", "", "", "", "", "", "", "", "", "↑(1年間差額)", "", "", ""]

# The seed's figures for the 18 complete rows (DOMAIN §6, issue 4).
OTHER_TOTAL = 1_233_150
JICHIRO_TOTAL = 788_650
SAVING_TOTAL = 444_500
SAVING_AVERAGE = 24_694  # 444,500 ÷ 18 = 24,694.4… rounded down
INCOMPLETE = (8, 9)


def seed_sheet_rows(*, with_foot: bool = True) -> list[list[str]]:
    rows = [[TITLE], HEADER, *SEED_ROWS[:9], [NOTICE], *SEED_ROWS[9:]]
    if with_foot:
        rows += [FOOT, CAPTION]
    return rows


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def seed_csv(tmp_path: Path, **kw) -> Path:
    return write_csv(tmp_path / "betsushi2.csv", seed_sheet_rows(**kw))


def seed_xlsx(tmp_path: Path, **kw) -> Path:
    return write_xlsx(tmp_path / "betsushi2.xlsx", seed_sheet_rows(**kw))


def add_union(ctx, pref: str = "05", code: str = "001", name: str = "〇〇〇職員労働組合"):
    existing = ctx.unions.find(pref, code)
    return existing or ctx.unions.add(pref, code, name)


def page_text(page) -> str:
    """A PDF page's text as a reader searches it (not normalised): no spaces, and Qt's
    synthetic bold (every fragment drawn twice) collapsed."""
    fragments = [re.sub(r"\s", "", f) for f in page.extract_text().split("\n")]
    kept = [f for i, f in enumerate(fragments) if f and (i == 0 or f != fragments[i - 1])]
    return "".join(kept)


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "".join(page_text(page) for page in PdfReader(str(path)).pages)
