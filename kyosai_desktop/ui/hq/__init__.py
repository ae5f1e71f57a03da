"""Headquarters mode: the branch list (who has sent a report package) and the national report."""
