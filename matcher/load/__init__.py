"""Stage 1: read the students and sites files, validate them, and locate every row.

``read_table`` parses one file; ``load_inputs`` reads both, cross-validates them, locates them and raises one
:class:`~matcher.errors.InputError` listing every problem.
"""

from __future__ import annotations

from matcher.load.inputs import load_inputs
from matcher.load.table import read_table

__all__ = ["read_table", "load_inputs"]
