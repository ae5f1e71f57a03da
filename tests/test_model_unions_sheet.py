"""The 単組進捗シート: its figures as data, and the A4 pages as PDF text and as an image."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pypdf import PdfReader

from kyosai_desktop.services.model_union_import import import_model_unions
from kyosai_desktop.services.union_progress_sheet import (
    SheetsCancelled,
    build_union_sheet,
    build_union_sheets,
    model_union_ids,
    org_status,
)
from tests.model_union_fixtures import SAMPLE


@pytest.fixture
def loaded(ctx):
    ctx.settings.set_branch("41")
    import_model_unions(ctx, SAMPLE, 2024)
    return ctx


def page_text(path, index: int = 0) -> str:
    raw = PdfReader(path).pages[index].extract_text()
    return "".join(raw.split())


def test_org_status_against_the_threshold():
    # 高知市職員労働組合: 1,132 of 1,552 = 72.9 % → 1,242 needed for 80 %, 110 short
    kochi = org_status(1552, 1132, 80.0, False)
    assert not kochi.joined and kochi.needed == 110 and "あと 110 件で 80%" in kochi.text
    # 松本市職員労働組合 (seed 004): 1,014 of 1,265 = 80.2 % → 組織加入
    matsumoto = org_status(1265, 1014, 80.0, True)
    assert matsumoto.joined and matsumoto.needed == 0 and matsumoto.text.startswith("組織加入")
    assert org_status(100, 80, 80.0, False).joined  # exactly 80 % counts
    assert org_status(None, 10, 80.0, False).needed is None


def test_sheet_figures(loaded):
    ctx = loaded
    kochi = ctx.unions.find("41", "002")
    product = ctx.products.resolve("マイカー共済")
    ctx.targets.set(2024, product.id, "第1次", 40, kochi.id)
    ctx.results.set(kochi.id, product.id, "2024-10", 7)
    ctx.results.set(kochi.id, product.id, "2025-01", 5)
    ctx.results.set(kochi.id, product.id, "2025-04", 9)  # after the as-of month
    ctx.unions.update(kochi.id, note="書記長 交代予定 (4月)")
    sheet = build_union_sheet(ctx, kochi.id, 2024, "2025-02")
    assert (sheet.members, sheet.holdings, sheet.join_rate, sheet.effective_month) == (
        1552,
        1132,
        Decimal("72.9"),
        9,
    )
    assert sheet.org.needed == 110
    model = sheet.model
    assert (model.target, model.cumulative, model.rate, model.remaining, model.yoy) == (
        50,
        48,
        Decimal("96.0"),
        2,
        7,
    )
    assert model.previous == 41 and model.counts[1] == 17 and model.counts[9:] == (None, None, None)
    assert float(model.elapsed) == 0.75  # 9 of 12 months
    lines = {p.product: p for p in sheet.products}
    mycar = lines["マイカー共済"]
    assert (mycar.total, mycar.target, mycar.rate) == (12, 40, Decimal("30.0"))
    assert lines["団体生命共済"].total == 48
    assert sheet.note == "書記長 交代予定 (4月)"
    assert sheet.estimates == ()


def test_sheet_of_a_union_that_is_not_a_model_union(loaded):
    ctx = loaded
    other = ctx.unions.add("41", "010", "高知県職員労働組合", members=2000, holdings=1700)
    sheet = build_union_sheet(ctx, other.id, 2024, "2025-02")
    assert sheet.model is None and sheet.org.joined and sheet.products == ()


def test_open_estimates_are_listed_by_maturity(loaded):
    ctx = loaded
    kochi = ctx.unions.find("41", "002")
    campaign = ctx.campaigns.add("2025 執行部見積り強化月間", "その他")
    ctx.estimates.add(
        campaign.id, kochi.id, name="山田 太郎", car="プリウス", policy_maturity="2025-06-30"
    )
    ctx.estimates.add(
        campaign.id, kochi.id, name="高知 花子", car="N-BOX", policy_maturity="2025-04-15"
    )
    sheet = build_union_sheet(ctx, kochi.id, 2024, "2025-02")
    assert [e.name for e in sheet.estimates] == ["高知 花子", "山田 太郎"]
    assert sheet.estimates[0].maturity == "2025-04-15"


def test_pdf_one_a4_page_per_union(loaded, tmp_path, qapp):
    from kyosai_desktop.render.paper import Cancelled, render_pdf
    from kyosai_desktop.render.union_sheet_paper import UnionSheetPaper

    ctx = loaded
    kochi = ctx.unions.find("41", "002")
    campaign = ctx.campaigns.add("見積りキャンペーン", "その他")
    ctx.estimates.add(
        campaign.id, kochi.id, name="山田 太郎", car="プリウス", policy_maturity="2025-06-30"
    )
    ids = model_union_ids(ctx, 2024)
    assert len(ids) == 9 and model_union_ids(ctx, 2024, "01") == ids[:2]
    sheets = build_union_sheets(ctx, ids, 2024, "2025-02")
    out = render_pdf(UnionSheetPaper(sheets), tmp_path / "sheets.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) == 9
    assert (
        round(float(reader.pages[0].mediabox.width)),
        round(float(reader.pages[0].mediabox.height)),
    ) == (595, 842)
    text = page_text(out, ids.index(kochi.id))
    for part in (
        "単組進捗シート",
        "高知市職員労働組合",
        "72.9%",
        "あと110件で80%",
        "96.0%",
        "山田太郎",
        "2025年6月30日",
        "個人情報を含みます",
        "メモ",
    ):
        assert part in text, part
    assert "見積りはありません" in page_text(out, 0)
    # the page as an image: the progress bar is painted in the achievement tone
    import pypdfium2 as pdfium

    image = pdfium.PdfDocument(str(out))[ids.index(kochi.id)].render(scale=1).to_pil()
    colours = image.getcolors(maxcolors=1_000_000)
    assert any(
        rgb[:3] == (0xDD, 0xEB, 0xF7) for _n, rgb in colours
    )  # on_track: 96 % after 9 months
    # cancel while collecting or painting: an exception, and no file
    with pytest.raises(SheetsCancelled):
        build_union_sheets(ctx, ids, 2024, "2025-02", progress=lambda done, total: done < 3)
    with pytest.raises(Cancelled):
        render_pdf(
            UnionSheetPaper(sheets),
            tmp_path / "cancelled.pdf",
            progress=lambda done, total: done < 4,
        )
    assert not (tmp_path / "cancelled.pdf").exists()
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "sheets.pdf"
    ]  # no temporary left behind
