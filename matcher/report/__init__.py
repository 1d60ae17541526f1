"""What people look at: the officer's HTML report and workbook, and the steering committee's figures."""

from __future__ import annotations

from matcher.report.build import build_report, write_coverage
from matcher.report.committee import committee_figures, publish
from matcher.report.data import Allocation, from_result, read_allocation

__all__ = [
    "Allocation",
    "read_allocation",
    "from_result",
    "committee_figures",
    "publish",
    "build_report",
    "write_coverage",
]
