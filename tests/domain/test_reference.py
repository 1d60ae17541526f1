"""The shipped reference tables: every caller gets its own frame, so no caller can change another's."""

from __future__ import annotations

import pytest

from matcher.domain import reference


@pytest.mark.parametrize("table", [reference.academies, reference.communes, reference.lycees, reference.postal_codes])
def test_changing_a_returned_table_never_changes_the_next_one(table):
    first = table()
    column = first.columns[0]
    before = table()[column].copy()
    first[column] = "changed"
    first["added"] = 1
    again = table()
    assert "added" not in again.columns
    assert again[column].equals(before)
