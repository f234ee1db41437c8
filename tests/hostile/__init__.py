"""Hostile inputs and helpers shared by tests/test_hardening_*.py."""
