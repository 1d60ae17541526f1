"""Interrupted runs: real ``matcher allocate`` processes killed (SIGKILL) or interrupted (SIGINT, as Ctrl-C) part-way
leave ``--out`` with its previous complete set of files or none, never a mix; files matcher did not write are kept.
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.errors import InputError
from matcher.export.atomic import publish
from matcher.generate.scenario import embedded_scenario, generate, write_scenario

SET = ("assignments.csv", "unassigned.csv", "summary.json", "run.json")
CONTRACT = SET[:3]  # run.json holds timings, which vary between runs


def matcher(*args: str) -> list[str]:
    return [sys.executable, "-m", "matcher", *args]


def contents(folder: Path) -> dict[str, bytes]:
    """The contract files of an output folder (run.json varies with timings)."""
    return {name: (folder / name).read_bytes() for name in CONTRACT}


def state(out: Path, sets: dict[str, dict[str, bytes]]) -> str:
    """Which complete set ``out`` holds ("none" when absent); fails on anything partial or mixed."""
    if not out.exists():
        return "none"
    visible = sorted(p.name for p in out.iterdir())
    assert visible == sorted([*SET, "notes.txt"]), visible
    found = contents(out)
    names = [name for name, files in sets.items() if files == found]
    assert names, "the output folder holds a mix of two runs"
    return names[0]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """A synthetic scenario, its two complete output sets, and how long a real ``matcher allocate`` process takes."""
    root = tmp_path_factory.mktemp("interrupt")
    students, sites = generate(2500, 500, 8)
    write_scenario(students, sites, root / "scen")
    base = ["allocate", "--students", str(root / "scen" / "students.csv"), "--sites", str(root / "scen" / "sites.csv")]
    previous = CliRunner().invoke(main, [*base, "--out", str(root / "previous")])
    assert previous.exit_code == 0, previous.output
    start = time.perf_counter()
    subprocess.run(
        matcher(*base, "--max-km", "40", "--out", str(root / "new")), check=True, capture_output=True, timeout=300
    )
    seconds = time.perf_counter() - start
    sets = {name: contents(root / name) for name in ("previous", "new")}
    assert sets["previous"] != sets["new"]
    return root, [*base, "--max-km", "40"], sets, seconds


def restore_previous(root: Path, out: Path) -> None:
    """``out`` holds the previous complete set and a file of the user's."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(root / "previous", out)
    (out / "notes.txt").write_text("the officer's own notes\n", encoding="utf-8")


def test_sigkill_at_random_moments_leaves_the_previous_set_or_the_new_one(scenario):
    root, args, sets, seconds = scenario
    out = root / "out"
    rng = random.Random(8)
    # one kill anywhere, three around the end of the run, when the files are written
    moments = [rng.uniform(0.2, seconds)] + [rng.uniform(0.85 * seconds, 1.1 * seconds) for _ in range(3)]
    seen = []
    for delay in moments:
        restore_previous(root, out)
        run = subprocess.Popen(matcher(*args, "--out", str(out)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        seen.append(state(out, sets))
        assert (out / "notes.txt").read_text(encoding="utf-8") == "the officer's own notes\n"
    print("states after the kills:", seen)
    assert set(seen) <= {"previous", "new"} and "previous" in seen
    # a complete run afterwards publishes the new set and removes what killed runs left next to the folder
    complete = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert complete.exit_code == 0, complete.output
    assert state(out, sets) == "new"
    assert not list(root.glob(".out.matcher-*"))


def test_sigkill_without_previous_outputs_leaves_none_or_the_complete_set(scenario):
    root, args, sets, seconds = scenario
    out = root / "fresh"
    run = subprocess.Popen(matcher(*args, "--out", str(out)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds * 0.7)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=60)
    if out.exists():
        assert sorted(p.name for p in out.iterdir()) == sorted(SET) and contents(out) == sets["new"]


def test_ctrl_c_exits_130_with_a_message_and_keeps_the_previous_set(scenario, tmp_path):
    root, args, sets, _ = scenario
    out = root / "out"
    restore_previous(root, out)
    # The run waits inside the command to open the students file, so Ctrl-C arrives mid-run: this process holds a
    # lease on the file (inputs are regular files; a pipe would be refused), so matcher's open waits, and the kernel
    # tells this process (SIGIO) that it does.
    leased = tmp_path / "students.csv"
    shutil.copy(next(a for a in args if a.endswith("students.csv")), leased)
    args = [a if not a.endswith("students.csv") else str(leased) for a in args]
    opening: list[int] = []
    handler = signal.signal(signal.SIGIO, lambda *_: opening.append(1))
    lease = os.open(leased, os.O_RDWR)
    try:
        fcntl.fcntl(lease, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        run = subprocess.Popen(  # Ctrl-C as at a terminal, even when this suite runs with SIGINT ignored (`&`)
            matcher(*args, "--out", str(out)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 60
        while not opening and time.monotonic() < deadline:
            time.sleep(0.01)
        assert opening, "matcher never opened the students file"
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
    finally:
        os.close(lease)
        signal.signal(signal.SIGIO, handler)
    assert run.returncode == 130, err
    assert err.strip() == (
        "matcher: interrupted; --out holds its previous files or this run's complete set, never a mix."
    )
    assert state(out, sets) == "previous"


def test_a_failure_while_writing_the_set_leaves_the_previous_files(tmp_path):
    out = tmp_path / "out"
    publish({"a.csv": b"old a\n", "b.csv": b"old b\n"}, out)
    (out / "mine.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TypeError):
        publish({"a.csv": b"new a\n", "b.csv": None}, out)  # the second file cannot be written
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "a.csv": b"old a\n",
        "b.csv": b"old b\n",
        "mine.txt": b"mine",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no working folder left behind
    publish({"a.csv": b"new a\n", "b.csv": b"new b\n"}, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "a.csv": b"new a\n",
        "b.csv": b"new b\n",
        "mine.txt": b"mine",
    }


def test_an_output_folder_with_sub_folders_is_refused_before_anything_is_computed(tmp_path):
    out = tmp_path / "out"
    (out / "archive").mkdir(parents=True)
    students, sites = (str(p) for p in embedded_scenario())
    result = CliRunner().invoke(main, ["allocate", "--students", students, "--sites", sites, "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines()[1] == (
        f"{out}: the output folder holds sub-folders matcher did not write (value 'archive'). Fix: give a new or "
        "empty folder for --out (matcher never deletes what it did not write)"
    )
    assert [p.name for p in out.iterdir()] == ["archive"]


def test_files_of_an_earlier_report_are_kept_with_a_warning(tmp_path):
    corpus = Path(__file__).parent.parent / "bad_inputs"
    out = tmp_path / "out"
    args = [
        "allocate",
        "--students",
        str(corpus / "good_students.csv"),
        "--sites",
        str(corpus / "good_sites.csv"),
        "--out",
        str(out),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    (out / "report.html").write_text("<p>earlier run</p>", encoding="utf-8")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    assert (
        f"matcher: warning: report.html in {out} describe an earlier run and were kept; run matcher report "
        "again (or remove them)"
    ) in again.output.splitlines()
    assert (out / "report.html").read_text(encoding="utf-8") == "<p>earlier run</p>"


def test_an_output_path_that_is_a_file_or_a_link_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "file.csv").write_text("x", encoding="utf-8")
    for name, message in (("link", "--out is a symbolic link"), ("file.csv", "--out names a file")):
        with pytest.raises(InputError) as refused:
            publish({"a.csv": b"a\n"}, tmp_path / name)
        assert refused.value.problems[0].message.startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.csv", "link", "real"]
    assert not list((tmp_path / "real").iterdir())
