"""The input contract (DESIGN.md §4): columns, their kinds, and the typed tables the stages pass on.

Loaders turn a user's file into a *clean* table with exactly the columns below and these dtypes:

- ``id`` / ``code`` / ``text``: ``str`` (never NaN; empty string when missing). Codes keep leading zeros.
- ``list``: a ``tuple`` of ``str`` per cell (``|``-separated in files), possibly empty.
- ``bool``: ``bool``; ``int``: ``int64``; ``float``: ``float64`` with NaN when missing.
- ``enum``: ``str`` among the allowed values.

Locating adds ``LOCATED`` columns. Later stages only read these columns.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "STUDENTS", "SITES", "LOCATED", "WEEKS"]

WEEKS = ("both", "week_1", "week_2")


@dataclass(frozen=True)
class Column:
    """One contract column: its name, kind, whether it is required, its default and its meaning."""

    name: str
    kind: str  # id, code, text, list, bool, int, float, enum
    required: bool = False
    default: object = None
    help: str = ""


STUDENTS: tuple[Column, ...] = (
    Column("student_id", "id", True, help="unique pseudonymous id"),
    Column("lycee_uai", "code", default="", help="UAI of the student's lycée"),
    Column("commune_insee", "code", default="", help="INSEE code of the commune the student travels from"),
    Column("postal_code", "code", default="", help="postal code the student travels from"),
    Column("lat", "float", help="latitude, WGS84 degrees"),
    Column("lon", "float", help="longitude, WGS84 degrees"),
    Column("address", "text", default="", help="free-text address, geocoded only when online geocoding is on"),
    Column("sectors", "list", default=(), help="ranked trades wanted"),
    Column("site_choices", "list", default=(), help="ranked site ids wanted"),
    Column("max_km", "float", help="furthest acceptable distance in km; empty: configuration default"),
    Column("weeks", "enum", default="both", help="both, week_1 or week_2"),
    Column("split_ok", "bool", default=True, help="accepts one week at each of two hosts"),
    Column("group_id", "code", default="", help="students hosted together"),
    Column("gender", "enum", default="", help="F, M or empty"),
    Column("priority", "bool", default=False, help="priority student"),
    Column("needs_accessible", "bool", default=False, help="needs an accessible site"),
)

SITES: tuple[Column, ...] = (
    Column("site_id", "id", True, help="unique site or offer id"),
    Column("company", "text", True, help="company name"),
    Column("commune_insee", "code", default="", help="INSEE code of the site's commune"),
    Column("postal_code", "code", default="", help="postal code of the site"),
    Column("lat", "float", help="latitude, WGS84 degrees"),
    Column("lon", "float", help="longitude, WGS84 degrees"),
    Column("address", "text", default="", help="free-text address, geocoded only when online geocoding is on"),
    Column("capacity", "int", help="full-time places for the whole period"),
    Column("capacity_week_1", "int", help="places in week 1"),
    Column("capacity_week_2", "int", help="places in week 2"),
    Column("full_time_only", "bool", default=False, help="students must stay both weeks"),
    Column("sectors", "list", default=(), help="trades offered"),
    Column("max_group_size", "int", default=1, help="largest group hosted together"),
    Column("accessible", "bool", default=False, help="accessible to students with disabilities"),
    Column("reserved_priority", "bool", default=False, help="only priority students"),
    Column("reserved_lycees", "list", default=(), help="only students of these UAIs"),
)

#: Columns added by locating (both tables). ``location_source`` is one of lat_lon, commune, postal_code, lycee,
#: address. In clean site tables ``capacity_week_1``/``capacity_week_2`` are always filled (``capacity`` fills both)
#: and ``capacity`` is dropped.
LOCATED: tuple[str, ...] = (
    "lat",
    "lon",
    "commune_insee",
    "departement",
    "academie",
    "region_academique",
    "location_source",
)
