"""Helpers the tests share (nothing is imported from a ``test_*.py`` module)."""
