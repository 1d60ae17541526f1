"""Config: options in sections, built and read by their flat names as policy files and the command line write them."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from matcher.config import OPTIONS, Config, Fairness, Geography, Objective, load_config


def test_flat_options_are_filed_in_their_sections_and_read_back_both_ways():
    config = Config(default_max_km=25.0, mode="stable", gender_target=0.4, year=2025)
    assert config.geography.default_max_km == config.default_max_km == 25.0
    assert config.solver.mode == config.mode == "stable"
    assert config.fairness.gender_target == 0.4 and config.calendar.year == 2025
    assert Config().default_max_km == 30.0 and Config().objective == Objective()


def test_sections_and_flat_options_combine_the_flat_one_winning():
    config = Config(geography=Geography(default_max_km=10.0, stay_in_academie=True), default_max_km=12.0)
    assert (config.default_max_km, config.stay_in_academie) == (12.0, True)
    assert Config(fairness=Fairness(coverage_target=5)).coverage_target == 5


def test_an_unknown_option_is_refused_by_name():
    with pytest.raises(TypeError, match="unknown options: max_kms"):
        Config(max_kms=3)


def test_replace_and_with_options_leave_the_original_alone():
    base = Config(seed=3)
    changed = base.replace(seed=4, gender_target=None, objective=Objective(order=("placed", "distance")))
    assert (base.seed, changed.seed, changed.objective.order) == (3, 4, ("placed", "distance"))
    assert base.with_options(seed=None, time_limit=5.0) == Config(seed=3, time_limit=5.0)


def test_options_list_every_option_once_in_the_summary_order():
    options = Config(week_1_start=date(2026, 6, 8)).options()
    assert list(options)[:3] == ["year", "week_1_start", "default_max_km"] and list(options)[-1] == "objective"
    assert set(options) - {"objective"} == set(OPTIONS) - {"lang"}  # how the outputs read is not recorded
    assert options["week_1_start"] == date(2026, 6, 8)


def test_a_config_pickles_and_compares_by_value(tmp_path):
    config = Config(default_max_km=20.0, host_priority=("lottery",))
    assert pickle.loads(pickle.dumps(config)) == config and hash(config) == hash(Config(**_flat(config)))
    policy = tmp_path / "policy.toml"
    policy.write_text('default_max_km = 20\nhost_priority = ["lottery"]\n', encoding="utf-8")
    assert load_config(policy) == config


def _flat(config: Config) -> dict[str, object]:
    return {k: v for k, v in config.options().items() if k != "objective"}
