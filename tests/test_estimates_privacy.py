"""Anonymising a finished campaign: personal fields and their history go, aggregates stay."""

from __future__ import annotations

from datetime import date

import pytest
from estimate_fixtures import add_union, seed_csv

from kyosai_desktop.services.estimate_import import import_estimates
from kyosai_desktop.services.estimate_privacy import (
    NotFinished,
    anonymise_campaign,
    anonymise_check,
)
from kyosai_desktop.services.estimate_reports import campaign_summary, summary_json, union_report
from kyosai_desktop.store.estimates import PERSONAL_FIELDS

NAME = "匿名化確認用の氏名"
PHONE = "090-1234-5678"


@pytest.fixture
def campaign(ctx, tmp_path):
    union = add_union(ctx)
    import_estimates(ctx, seed_csv(tmp_path), campaign="2024執行部", union="05-001")
    camp = ctx.campaigns.find("2024執行部")
    ctx.campaigns.update(camp.id, period_from="2024-10-01", period_to="2024-12-31")
    first = ctx.estimates.list(camp.id)[0]
    ctx.estimates.update(first.id, name=NAME, contact=PHONE, notes="自宅に電話可")
    ctx.estimates.set_status(first.id, "成約", "2024-12-10")
    return ctx.campaigns.get(camp.id), union


def test_aggregates_are_equal_before_and_after(ctx, campaign):
    camp, union = campaign
    before = (
        summary_json(ctx, camp.id),
        union_report(ctx, camp.id, union.id),
        campaign_summary(ctx, camp.id).table().display_rows(),
    )
    n = anonymise_campaign(ctx, camp.id, today=date(2025, 1, 31))
    assert n == 20
    after = (
        summary_json(ctx, camp.id),
        union_report(ctx, camp.id, union.id),
        campaign_summary(ctx, camp.id).table().display_rows(),
    )
    assert after == before
    assert before[0]["saving_total"] == 444_500 and before[0]["contracts"] == 1


def test_personal_fields_and_their_history_are_cleared(ctx, campaign):
    camp, _ = campaign
    anonymise_campaign(ctx, camp.id, today=date(2025, 1, 31))
    for e in ctx.estimates.list(camp.id):
        assert all(getattr(e, f) is None for f in PERSONAL_FIELDS)
        assert e.other_premium is not None or e.seq in (8, 9)
        assert e.grade_new is not None or e.seq in (8, 9)
    first = ctx.estimates.list(camp.id)[0]
    assert first.status == "成約" and first.closed_on == "2024-12-10"
    audit_text = repr([tuple(r) for r in ctx.conn.execute("SELECT * FROM audit")])
    assert NAME not in audit_text and PHONE not in audit_text and "アクセラ" not in audit_text
    assert ctx.campaigns.get(camp.id).anonymised_at


def test_names_are_gone_from_the_database_file(ctx, campaign):
    camp, _ = campaign
    path = ctx.path
    anonymise_campaign(ctx, camp.id, today=date(2025, 1, 31))
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in path.parent.glob(path.name + "-wal") if p.exists()
    )
    for secret in (NAME, PHONE, "デイズルークス", "エクストレイル"):
        assert secret.encode() not in raw, secret


def test_campaign_still_running_is_refused(ctx, campaign):
    camp, _ = campaign
    check = anonymise_check(ctx, camp.id, today=date(2024, 12, 1))
    assert not check.finished and "実施中" in check.reason
    with pytest.raises(NotFinished):
        anonymise_campaign(ctx, camp.id, today=date(2024, 12, 1))
    assert ctx.estimates.list(camp.id)[0].name == NAME


def test_campaign_without_end_date_is_refused(ctx, campaign):
    camp, _ = campaign
    ctx.campaigns.update(camp.id, period_to=None)
    with pytest.raises(NotFinished) as info:
        anonymise_campaign(ctx, camp.id, today=date(2030, 1, 1))
    assert "終了日がありません" in str(info.value)


def test_question_warns_about_open_estimates(ctx, campaign):
    camp, _ = campaign
    check = anonymise_check(ctx, camp.id, today=date(2025, 1, 31))
    assert check.finished and check.open_estimates == 19
    assert "19 件" in check.question and "元に戻せません" in check.question


def test_anonymised_estimates_refuse_edits(ctx, campaign):
    camp, union = campaign
    anonymise_campaign(ctx, camp.id, today=date(2025, 1, 31))
    e = ctx.estimates.list(camp.id)[1]
    with pytest.raises(ValueError, match="匿名化済み"):
        ctx.estimates.update(e.id, name="戻す")
    with pytest.raises(ValueError, match="匿名化済み"):
        ctx.estimates.add(camp.id, union.id, name="新規")
    again = anonymise_check(ctx, camp.id, today=date(2025, 1, 31))
    assert again.already and "匿名化済み" in again.reason


def test_history_of_an_estimate_deleted_before_is_cleared_too(ctx, campaign):
    camp, _ = campaign
    gone = ctx.estimates.list(camp.id)[1]
    ctx.estimates.update(gone.id, name="削除された人", contact="080-0000-1111")
    ctx.estimates.delete(gone.id)
    other = ctx.campaigns.add("別のキャンペーン", "その他")
    kept = ctx.estimates.add(other.id, gone.union_id, name="別キャンペーンの人")
    anonymise_campaign(ctx, camp.id, today=date(2025, 1, 31))
    audit_text = repr([tuple(r) for r in ctx.conn.execute("SELECT * FROM audit")])
    for secret in ("削除された人", "080-0000-1111", "デイズルークス"):
        assert secret not in audit_text, secret
    # another campaign's history is left alone
    assert [h.new for h in ctx.audit.history("estimates", str(kept.id)) if h.field == "name"] == [
        "別キャンペーンの人"
    ]


def test_a_deleted_estimate_id_is_never_reused(ctx, campaign):
    """The audit trail keys estimates by id: a new estimate must not inherit a deleted one's history."""
    camp, _union = campaign
    last = max(ctx.estimates.list(camp.id), key=lambda e: e.id)
    other = ctx.campaigns.add("別のキャンペーン", "その他")
    ctx.estimates.delete(last.id)
    fresh = ctx.estimates.add(other.id, last.union_id, name="新しい人")
    assert fresh.id > last.id
    from kyosai_desktop.store.estimates import estimate_key

    assert all(h.new != "新しい人" for h in ctx.audit.history("estimates", estimate_key(last.id)))
    assert ctx.audit.history("estimates", estimate_key(last.id))  # the deleted one keeps its own
