"""Placeholder: the estimates subcommands are being built; replaced before this session ends."""

from __future__ import annotations


def register(groups: dict) -> None:
    return None
