"""Anonymising a finished campaign's personal data (DOMAIN §8), keeping its aggregates.

A campaign is *finished* when its period has an end date before today.  Anonymising clears
氏名, 年齢, 連絡先, 車名, 保険(共済)満期日, 車検満了日 and 備考 of every estimate of the
campaign and the same fields in their audit history; premiums, 支払, 車両, grades, roles,
statuses and status dates stay, so 別紙3, the summary and the CLI figures do not change.
The GUI asks for confirmation with :attr:`AnonymiseCheck.question`; the CLI needs ``--yes``.
:func:`anonymise_and_verify` then checks the bytes of the database file, its WAL and shm and
the backups folder (services/privacy_check.py) and reports what it found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kyosai_desktop.services.context import AppContext
from kyosai_desktop.services.privacy_check import (
    PrivacyCheck,
    PrivacyReport,
    collect_personal_texts,
)


class NotFinished(ValueError):
    """The campaign may not be anonymised yet; ``str(exc)`` is Japanese."""


@dataclass(frozen=True)
class AnonymiseCheck:
    campaign: str
    estimates: int
    open_estimates: int
    finished: bool
    already: bool
    reason: str = ""

    @property
    def question(self) -> str:
        lines = [
            f"キャンペーン「{self.campaign}」の見積り {self.estimates:,} 件から、個人情報 "
            "(氏名・年齢・連絡先・車名・保険満期日・車検満了日・備考) を消去します。",
            "掛金・支払・状況などの集計に使う値は残るため、別紙3 や集計表の数字は変わりません。",
            "この操作は元に戻せません (変更履歴の個人情報も消去されます)。",
        ]
        if self.open_estimates:
            lines.append(
                f"※ まだ成約・不成約になっていない見積りが {self.open_estimates:,} 件あります。"
                "匿名化するとクロージングの連絡ができなくなります。"
            )
        lines.append("匿名化してよろしいですか？")
        return "\n".join(lines)


def anonymise_check(
    ctx: AppContext, campaign_id: int, *, today: date | None = None
) -> AnonymiseCheck:
    """Whether the campaign can be anonymised, and what the clerk must be told first."""
    camp = ctx.campaigns.get(campaign_id)
    if camp is None:
        raise ValueError("キャンペーンが見つかりません。")
    today = today or date.today()
    n = ctx.estimates.count(campaign_id)
    n_open = len(ctx.estimates.open_estimates(campaign_id=campaign_id))
    reason = ""
    finished = bool(camp.period_to) and camp.period_to < today.isoformat()  # type: ignore[operator]
    if camp.anonymised_at:
        reason = f"キャンペーン「{camp.name}」は {camp.anonymised_at[:10]} に匿名化済みです。"
    elif not camp.period_to:
        reason = (
            f"キャンペーン「{camp.name}」には期間の終了日がありません。"
            "終了したキャンペーンだけ匿名化できます。先に期間の終了日を設定してください。"
        )
    elif not finished:
        reason = (
            f"キャンペーン「{camp.name}」は {camp.period_to} まで実施中です。"
            "終了日を過ぎてから匿名化してください。"
        )
    return AnonymiseCheck(camp.name, n, n_open, finished, bool(camp.anonymised_at), reason)


def anonymise_campaign(ctx: AppContext, campaign_id: int, *, today: date | None = None) -> int:
    """Anonymise a finished campaign; returns the number of estimates. Refuses otherwise."""
    check = anonymise_check(ctx, campaign_id, today=today)
    if check.reason:
        raise NotFinished(check.reason)
    return ctx.estimates.anonymise_campaign(campaign_id)


@dataclass
class Anonymised:
    """The result of :func:`anonymise_and_verify`: how many estimates, and the check."""

    estimates: int
    report: PrivacyReport
    # Run again once a reader has let go: ``check.run()``, or ``check.on(ctx).run()`` on
    # another connection (a background task's own).
    check: PrivacyCheck


def anonymise_and_verify(
    ctx: AppContext, campaign_id: int, *, today: date | None = None
) -> Anonymised:
    """Anonymise a finished campaign, then verify the texts are gone from the files."""
    check = anonymise_check(ctx, campaign_id, today=today)
    if check.reason:
        raise NotFinished(check.reason)
    texts = collect_personal_texts(ctx.conn, campaign_id)  # kept in memory only, for the check
    n = ctx.estimates.anonymise_campaign(campaign_id)
    verify = PrivacyCheck(ctx, campaign_id, check.campaign, texts)
    return Anonymised(n, verify.run(), verify)
