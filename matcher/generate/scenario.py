"""Synthetic scenarios on the real map: students drawn from real lycées, sites in real communes.

``generate`` returns the two input tables in the contract's raw columns (DESIGN.md §4, ``matcher.load.schema``; the
free-text ``address`` column is left out) as strings ready to write: lists ``|``-joined, booleans
``"true"``/``"false"``, empty cells ``""``, coordinates with 5 decimals. Everything is drawn with one
``numpy.random.default_rng(seed)`` and vectorised: the full cohort (560,000 students, 160,000 sites) takes seconds.

Students (one row per request)

=====================  =====================================================================================
column                 distribution
=====================  =====================================================================================
``student_id``         ``E0000001``… (7 digits, more if needed)
``lycee_uai``          always; a lycée with seconde GT students, probability ∝ its seconde GT enrolment
``commune_insee``      20 %: half the lycée's commune, half a commune of its département (∝ population)
``postal_code``        always empty
``lat``/``lon``        5 %: the home commune's point (else the lycée's) moved by N(0, 2 km) on each axis
``sectors``            1/2/3 distinct trades (35/40/25 %), ranked; a trade weighs 1, or 1.6 for energy trades
                       (boys) and digital trades (girls); see ``ENERGY`` and ``DIGITAL``
``site_choices``       10 %: 1 or 2 distinct sites of the lycée's département (none if it has no site)
``max_km``             70 % empty, else 15, 20, 30, 40 or 50 (equally likely)
``weeks``              ``both`` 90 %, ``week_1`` 5 %, ``week_2`` 5 %
``split_ok``           true 85 %
``group_id``           ~4 % of students in groups of 2 (60 %) or 3 (40 %), ``G00001``…; members share the
                       lycée, ``weeks``, ``split_ok``, ``sectors`` and ``site_choices``
``gender``             3 % empty; else F with the lycée's share of girls, M otherwise
``priority``           true 15 %
``needs_accessible``   true 2 %
=====================  =====================================================================================

Sites (one row per host site)

=====================  =====================================================================================
column                 distribution
=====================  =====================================================================================
``site_id``            ``S000001``… (6 digits, more if needed)
location               a commune (type COM, population > 0, with a point, in a département that has a
                       lycée) drawn ∝ population; ``commune_insee`` 90 %, else its first ``postal_code``
                       only (10 %); ``lat``/``lon`` (with the commune) 10 %, the point moved by N(0, 2 km)
``company``            ``Entreprise 0001``…, about one company per 3.5 sites, each with at least one site
capacity               70 % full time (``capacity``), else per week (``capacity_week_1``/``_2``). Natural
                       draws: full time 1/2/3 (60/25/15 %), each week 0–3 (20/40/25/15 %, not both 0); then
                       scaled so that ``capacity`` + half the week places sum exactly to ``places``
``full_time_only``     20 % of all sites, only among full-time sites
``sectors``            1/2/3 distinct trades (50/30/20 %), uniformly
``max_group_size``     10 %: 2, 3 or 4; else 1
``accessible``         40 %
``reserved_priority``  5 %
``reserved_lycees``    3 %: 1 or 2 lycées of the site's département
=====================  =====================================================================================

``DEMO`` holds the arguments of the shipped demo scenario (``embedded_scenario``): the partner's ~900 sites
offering ≥ 1,000 places, and ~3,000 requests.
"""

from __future__ import annotations

import os
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from matcher.domain import reference
from matcher.export.outputs import write_atomic
from matcher.generate.tables import DIGITAL, ENERGY, draw_sites, draw_students
from matcher.load.schema import SITES, STUDENTS
from matcher.util.i18n import tr

__all__ = [
    "generate",
    "write_scenario",
    "embedded_scenario",
    "DEMO",
    "STUDENT_COLUMNS",
    "SITE_COLUMNS",
    "ENERGY",
    "DIGITAL",
]

#: Columns written, in order (the contract's, without ``address``).
STUDENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in STUDENTS if c.name != "address")
SITE_COLUMNS: tuple[str, ...] = tuple(c.name for c in SITES if c.name != "address")

#: Arguments of ``generate`` that produced ``datasets/demo_students.csv`` and ``datasets/demo_sites.csv``.
DEMO = MappingProxyType(dict(n_students=3000, n_sites=900, seed=2026, places=1050))


def _check_sizes(n_students: int, n_sites: int, places: int | None) -> int:
    """Validate the sizes and return the places target."""
    for name, value in (("n_students", n_students), ("n_sites", n_sites)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(
                tr("{name} must be a non-negative integer, got {value}").format(name=name, value=repr(value))
            )
    if places is None:
        return round(1.15 * n_sites)
    if isinstance(places, bool) or not isinstance(places, (int, np.integer)):
        raise ValueError(tr("places must be an integer, got {value}").format(value=repr(places)))
    if places < n_sites or (n_sites == 0 and places != 0):
        said = tr("places must be at least n_sites ({n}) and 0 without sites, got {value}")
        raise ValueError(said.format(n=n_sites, value=places))
    return int(places)


def generate(
    n_students: int, n_sites: int, seed: int = 0, *, places: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw a synthetic scenario on the real map (distributions in the module docstring).

    Parameters
    ----------
    n_students : int
        Number of student rows.
    n_sites : int
        Number of site rows.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same arguments always give the same tables.
    places : int, optional
        Total places: the sum of ``capacity`` plus half the sum of ``capacity_week_1`` and ``capacity_week_2``
        (hit exactly). Default ``round(1.15 * n_sites)``; at least ``n_sites``.

    Returns
    -------
    students, sites : pandas.DataFrame
        String columns ``STUDENT_COLUMNS`` and ``SITE_COLUMNS``, empty cells as ``""``.

    Raises
    ------
    ValueError
        Negative or non-integer sizes, or ``places`` below ``n_sites``.
    """
    total = _check_sizes(n_students, n_sites, places)
    site_rng, student_rng = np.random.default_rng(seed).spawn(2)
    site_cols, site_dept = draw_sites(site_rng, int(n_sites), total)
    student_cols = draw_students(student_rng, int(n_students), site_cols["site_id"], site_dept)
    return _frame(student_cols, STUDENT_COLUMNS), _frame(site_cols, SITE_COLUMNS)


def _frame(cols: dict[str, np.ndarray], order: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame of string columns in contract order."""
    if set(cols) != set(order):
        raise AssertionError(f"generated columns differ from the contract: {sorted(set(cols) ^ set(order))}")
    return pd.DataFrame({name: pd.array(cols[name], dtype="str") for name in order})


def write_scenario(students: pd.DataFrame, sites: pd.DataFrame, out_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``students.csv`` and ``sites.csv`` into ``out_dir`` (created if needed).

    UTF-8, comma-separated, ``\\n`` line endings, no index; the same tables always give the same bytes. Each file
    is written atomically (a temporary file in ``out_dir``, then ``os.replace``).

    Parameters
    ----------
    students, sites : pandas.DataFrame
        Tables as returned by ``generate``.
    out_dir : str or os.PathLike
        Destination folder.

    Returns
    -------
    students_path, sites_path : pathlib.Path
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "students.csv", out / "sites.csv")
    for table, path in zip((students, sites), paths):
        write_atomic(path, table.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return paths


def embedded_scenario() -> tuple[Traversable, Traversable]:
    """The shipped demo scenario: ``(students, sites)`` path-like handles to the files in ``matcher.datasets``.

    They are ``write_scenario(*generate(**DEMO), ...)`` output, renamed ``demo_students.csv`` and
    ``demo_sites.csv``.

    Returns
    -------
    students, sites : importlib.resources.abc.Traversable
        Readable with ``.open()``/``.read_bytes()``; real files when the package is installed from a folder.
    """
    return reference.dataset_path("demo_students.csv"), reference.dataset_path("demo_sites.csv")
