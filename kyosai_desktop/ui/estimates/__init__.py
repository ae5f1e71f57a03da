"""見積りキャンペーン: campaigns, estimates and their outputs."""
