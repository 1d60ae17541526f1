"""The placement period: the last two Monday–Friday weeks ending on the last Friday before 1 July."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Period", "period_for"]


@dataclass(frozen=True)
class Period:
    """The two weeks of a placement period (Monday to Friday each)."""

    week_1_start: date

    @property
    def week_1_end(self) -> date:
        return self.week_1_start + timedelta(days=4)

    @property
    def week_2_start(self) -> date:
        return self.week_1_start + timedelta(days=7)

    @property
    def week_2_end(self) -> date:
        return self.week_1_start + timedelta(days=11)

    def dates(self, weeks: str) -> tuple[date, date]:
        """First and last day of ``weeks`` (``both``, ``week_1`` or ``week_2``)."""
        return {
            "both": (self.week_1_start, self.week_2_end),
            "week_1": (self.week_1_start, self.week_1_end),
            "week_2": (self.week_2_start, self.week_2_end),
        }[weeks]


def period_for(year: int, week_1_start: date | None = None) -> Period:
    """The period of ``year``, or the one starting on ``week_1_start`` (an académie's own calendar).

    >>> period_for(2024).week_1_start, period_for(2024).week_2_end
    (datetime.date(2024, 6, 17), datetime.date(2024, 6, 28))
    """
    if week_1_start is not None:
        return Period(week_1_start)
    june_30 = date(year, 6, 30)
    last_friday = june_30 - timedelta(days=(june_30.weekday() - 4) % 7)
    return Period(last_friday - timedelta(days=11))
