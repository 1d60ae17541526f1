"""Class 6, every option in its range and every bad input exiting 2 (file, row, column, fix), never 1: policy values
out of any sensible range, ``--max-km nan``, floors ``inf``, a pairs file with both km and distance, a damaged
previous-run folder. ``validate --config`` and ``allocate`` refuse the same policies with the same lines."""

from __future__ import annotations

import math
import os
import shutil

import pytest
from hostile import GOOD_SITES, GOOD_STUDENTS, invoke, snapshot, tree

from matcher.config import OPTIONS, Config, check_config
from matcher.errors import InputError
from matcher.limits import OPTION_RANGES

BAD_POLICIES = {
    "year = 0": "year",
    "week_1_start = 9999-12-27": "week_1_start",
    "other_sectors_rank_penalty = 9223372036854775807": "other_sectors_rank_penalty",
    "default_max_km = nan": "default_max_km",
    "time_limit = inf": "time_limit",
    "memory_limit_mb = -inf": "memory_limit_mb",
    "seed = 99999999999999999999": None,  # TOML cannot even hold it: unreadable policy, exit 2 all the same
    'academie_floors = "/dev/zero"': "academie_floors",
    "default_capacity = 10000000000": "default_capacity",  # beyond a capacity cell's limit (and int32 arcs)
}


@pytest.mark.parametrize("line", sorted(BAD_POLICIES))
def test_validate_config_and_allocate_refuse_the_same_policy(tmp_path, line):
    policy = tmp_path / "policy.toml"
    policy.write_text(line + "\n", encoding="utf-8")
    checked = invoke("validate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--config", policy)
    allocated = invoke(
        "allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--config", policy, "--out", tmp_path / "o"
    )
    assert checked.exit_code == 2 and allocated.exit_code == 2, (checked.output, allocated.output)
    assert checked.output.splitlines()[1:] == allocated.output.splitlines()[1:]
    assert "policy.toml" in checked.output and "Fix:" in checked.output and "Traceback" not in checked.output
    option = BAD_POLICIES[line]
    assert option is None or f"column {option}" in checked.output or "floors file" in checked.output
    assert not (tmp_path / "o").exists()


def test_max_km_nan_is_refused(tmp_path):
    out = tmp_path / "out"
    result = invoke("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--max-km", "nan", "--out", out)
    assert result.exit_code == 2, result.output
    assert "column default_max_km: out of range" in result.output and not out.exists()


def test_the_python_api_refuses_the_same_options():
    with pytest.raises(InputError, match="default_max_km"):
        check_config(Config(default_max_km=math.nan))
    with pytest.raises(InputError, match="year"):
        check_config(Config(year=0))
    assert check_config(Config()) == Config()  # every default is in its range
    assert set(OPTION_RANGES) < set(OPTIONS)  # every range is an option's


def test_floors_at_infinity_exit_2(tmp_path):
    floors = tmp_path / "floors.csv"
    floors.write_text("academie,floor\nLyon,inf\n", encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text(f'academie_floors = "{floors}"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--config", policy, "--out", out)
    assert result.exit_code == 2, result.output
    assert "floors.csv, row 2, column floor" in result.output and not out.exists()


def test_a_pairs_file_with_both_km_and_distance_exit_2(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("student_id,site_id,km,distance\nE1,S1,3,4\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--pairs", pairs, "--out", out)
    assert result.exit_code == 2, result.output
    assert "pairs.csv, row 1, column km: column given twice" in result.output and not out.exists()


DAMAGE = {
    "missing": lambda p: p.unlink(),
    "binary": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "nul": lambda p: p.write_bytes(p.read_bytes() + b"\x00\n"),
    "empty": lambda p: p.write_bytes(b""),
    "a folder": lambda p: (p.unlink(), p.mkdir()),
    "a pipe": lambda p: (p.unlink(), os.mkfifo(p)),
    "no weeks column": lambda p: p.write_text("student_id,site_id\nE1,S1\n"),
    "weeks twice": lambda p: p.write_text("student_id,site_id,weeks,weeks\nE1,S1,both,both\n"),
}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    folder = tmp_path_factory.mktemp("previous") / "run"
    assert invoke("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--out", folder).exit_code == 0
    return folder


#: unassigned.csv is optional and has no weeks column: only the damage that applies to it.
CASES = [("assignments.csv", d) for d in sorted(DAMAGE)] + [
    ("unassigned.csv", d) for d in sorted(DAMAGE) if d not in ("missing", "no weeks column", "weeks twice")
]


@pytest.mark.parametrize(("name", "damage"), CASES)
def test_a_damaged_previous_folder_exit_2(tmp_path, previous, damage, name):
    folder = tmp_path / "previous"
    shutil.copytree(previous, folder)
    DAMAGE[damage](folder / name)
    before = snapshot([GOOD_STUDENTS, GOOD_SITES])
    out = tmp_path / "out"
    result = invoke(
        "reallocate", "--previous", folder, "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--out", out
    )
    assert result.exit_code == 2, result.output
    assert name in result.output and "Fix:" in result.output and "Traceback" not in result.output
    assert tree(out) == [] and snapshot(before) == before
