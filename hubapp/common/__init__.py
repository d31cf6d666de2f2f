"""Helpers shared by every domain: roles, the Japanese calendar, text."""
