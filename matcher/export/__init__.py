"""Atomic publishing, CSV writers and the formula-injection guard."""
