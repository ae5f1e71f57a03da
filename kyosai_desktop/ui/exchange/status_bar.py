"""The status bar's exchange part, without the exchange engine (imported at start-up)."""

from __future__ import annotations

from kyosai_desktop.services.exchange_status import ExchangeStatus


def status_text(st: ExchangeStatus) -> str:
    """The status bar's exchange part (ODK's visible "not yet sent")."""
    if st.role == "laptop":
        at = st.last_exchange_at or ""
        last = f"{at[5:7]}/{at[8:10]} {at[11:16]}" if len(at) >= 16 else "-"
        text = f"持ち出し用コピー 未送信の変更 {st.pending} 件 · 最終やり取り {last}"
    else:
        text = ""
    if st.open_conflicts:
        text = f"{text} · 未解決の競合 {st.open_conflicts} 件".lstrip(" ·")
    return text
