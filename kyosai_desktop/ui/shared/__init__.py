"""Widgets and helpers shared by every page (views, dialogs, prompts, the change bus)."""
