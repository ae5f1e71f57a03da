"""Demo step: designate a few of the demo prefecture's unions as 加入拡大モデル単組.

Called by ``services/demo.py`` when this module is listed in its ``EXTRA_STEP_MODULES``
(the demo loads in one transaction; this step writes through the repository, audited with
source ``demo``).  Like the real programme, 2–4 unions per prefecture whose 加入率 is below
the 組織加入 threshold get a yearly target of new 団体生命共済 contracts.
"""

from __future__ import annotations

from kyosai_desktop.store.model_unions import Designation

DEMO_YEARS = (2024, 2025)


def _target(members: int) -> int:
    """Round targets like headquarters' (10, 15, 20, 30, 50 …): about 4 % of the members."""
    raw = members * 0.04
    for step in (10, 15, 20, 23, 30, 35, 50, 60, 80, 100, 120, 150, 200):
        if raw <= step:
            return step
    return 200


def demo_step(data) -> None:  # data: services.demo.DemoData
    ctx = data.ctx
    threshold = ctx.settings.org_join_threshold
    candidates = [
        u
        for u in data.active_unions
        if u.members and u.members >= 100 and (u.holdings or 0) * 100 < threshold * u.members
    ]
    if not candidates:
        return
    count = min(len(candidates), data.rng.randint(2, 4))
    chosen = sorted(data.rng.sample(candidates, count), key=lambda u: u.union_code)
    for year in DEMO_YEARS:
        ctx.fiscal_years.ensure(year)
        ctx.model_unions.designate_many(
            [
                Designation(
                    year, u.id, _target(u.members or 0), u.members, u.holdings, u.effective_month
                )
                for u in chosen
            ],
            source="demo",
        )
        if ctx.model_unions.year_info(year) is None:
            ctx.model_unions.set_year_info(
                year, as_of=None, sheet_start_month=None, source="デモデータ", source_kind="demo"
            )
    names = "・".join(u.name for u in chosen)
    data.summary.append(
        f"加入拡大モデル単組 {count} 単組 ({names}) を {DEMO_YEARS[0]}・{DEMO_YEARS[1]}年度に指定"
    )
