"""The estimate demo step, loaded with the branch demo in one transaction."""

from __future__ import annotations

from kyosai_desktop.services import demo
from kyosai_desktop.services.estimate_reports import campaign_summary, closing_list, summary_json


def test_demo_step_adds_a_working_campaign(ctx, monkeypatch):
    monkeypatch.setattr(demo, "EXTRA_STEP_MODULES", ["kyosai_desktop.services.estimate_demo"])
    lines = demo.load_demo(ctx)
    assert any("見積りキャンペーン" in line for line in lines)
    camp = ctx.campaigns.list()[0]
    assert camp.kind == "単組執行部見積り強化月間" and camp.period_to
    s = summary_json(ctx, camp.id)
    assert s["rows"] >= 36 and s["rows_in_totals"] + s["rows_flagged"] == s["rows"]
    assert s["saving_total"] > 0 and 0 < s["contracts"] <= s["returned"]
    assert len(campaign_summary(ctx, camp.id).rows) >= 6
    assert closing_list(ctx, campaign_id=camp.id).rows
    assert {h.source for h in ctx.audit.history("estimates", "1")} == {"demo"}
