"""Laptop copies and exchange packages: the menu actions and the conflict list."""
