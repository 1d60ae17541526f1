"""Build a national-size offers extract in the platform's layout, and time ``matcher validate`` on it.

From the repository root::

    python benchmarks/platform_extract.py --out /tmp/offers.csv            # build only (27,206 offers)
    python benchmarks/platform_extract.py --out /tmp/offers.csv --run      # build, validate, coverage, figures

The extract has the real column layout (``id;SIRET;secteur;public;public_employer_type;Rue;Ville;Code postal;
Filière``, ``;``-separated, every cell quoted) and the proportions seen in the real one: 2.4 % of the rows carry the
commune's INSEE code in ``Code postal``; some carry a CEDEX code, a city-wide code (``13000``) or a postal code of
another commune of the département; the commune names come in capitals, without accents, with ``St`` or a
``CEDEX`` suffix; about 45 % have no SIRET; 15 % of the offers are for troisième/quatrième only; 0.2 % cannot be
located at all (a name and a code that mean nothing).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.domain import reference
from matcher.domain.crosswalk import vocabulary

__all__ = ["build_extract", "platform_students", "HEADER", "SHARES"]

HEADER = ["id", "SIRET", "secteur", "public", "public_employer_type", "Rue", "Ville", "Code postal", "Filière"]

#: Share of rows of each kind of ``Code postal`` (the rest: the commune's own postal code).
SHARES = {"insee": 0.024, "cedex": 0.012, "city_wide": 0.006, "contradicting": 0.008, "lost": 0.002}

_FILIERES = (("seconde_only", 0.60), ("seconde_troisieme_or_quatrieme", 0.25), ("troisieme_or_quatrieme", 0.15))
_CITY_WIDE = {"13055": "13000", "69123": "69000", "75056": "75000", "31555": "31000"}


def _plain(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _spelled(name: str, draw: float) -> str:
    """The commune's name as the platform's users type it."""
    if draw < 0.45:
        return name.upper()
    if draw < 0.55:
        return _plain(name)
    if draw < 0.62:
        return name.replace("Saint-", "St ").replace("Sainte-", "Ste ")
    if draw < 0.66:
        return name.replace("-", " ")
    return name


def build_extract(n: int = 27_206, seed: int = 0) -> pd.DataFrame:
    """The extract as a table of strings (see the module docstring)."""
    rng = np.random.default_rng(seed)
    com = reference.communes()
    com = com[(com["type"] == "COM") & com["postal_codes"].ne("") & com["lat"].notna()]
    weights = com["population"].to_numpy(float) + 50
    picked = com.iloc[rng.choice(len(com), size=n, p=weights / weights.sum())]
    names = [_spelled(name, d) for name, d in zip(picked["name"], rng.random(n))]
    postal = [codes.split()[0] for codes in picked["postal_codes"]]
    kind = rng.choice(["own", *SHARES], size=n, p=[1 - sum(SHARES.values()), *SHARES.values()])
    by_dept = com.groupby("departement")["postal_codes"].agg(lambda s: " ".join(s).split())
    for i in np.flatnonzero(kind != "own"):
        code, dept = picked["insee_code"].iat[i], picked["departement"].iat[i]
        if kind[i] == "insee":
            postal[i] = code
        elif kind[i] == "cedex":
            head = postal[i][:3] + f"{rng.integers(90, 99)}" if dept.startswith(("97", "98")) else postal[i][:2] + "9"
            postal[i] = head + f"{rng.integers(0, 99):02d}"[: 5 - len(head)]
            names[i] = f"{names[i]} CEDEX {rng.integers(1, 9)}"
        elif kind[i] == "city_wide":
            postal[i] = _CITY_WIDE.get(code, postal[i])
        elif kind[i] == "contradicting":
            postal[i] = str(rng.choice(by_dept[dept]))
        else:
            postal[i], names[i] = "99999", f"ZZ{rng.integers(10_000)}"
    sectors = list(vocabulary().platform.values())
    filieres, shares = zip(*_FILIERES)
    siret = np.where(rng.random(n) < 0.45, "", [f"{v:014d}" for v in rng.integers(10**13, 10**14, size=n)])
    return pd.DataFrame(
        {
            "id": [str(100_000 + i) for i in range(n)],
            "SIRET": siret,
            "secteur": rng.choice(sectors, size=n),
            "public": rng.choice(["true", "false"], size=n, p=[0.2, 0.8]),
            "public_employer_type": "",
            "Rue": [f"{k} rue de la République" for k in rng.integers(1, 200, size=n)],
            "Ville": names,
            "Code postal": postal,
            "Filière": rng.choice(filieres, size=n, p=shares),
        }
    )[HEADER]


def platform_students(students: pd.DataFrame, extract: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``students`` (as ``generate`` draws them: from the lycée directory) asking for the platform's sectors
    instead of the partners' trades: one to three sectors each, drawn in proportion to the extract's offers for
    seconde students, with no site choices (theirs name generated sites) and no groups (the extract's offers host
    one student at a time)."""
    rng = np.random.default_rng(seed)
    open_ = extract[extract["Filière"] != "troisieme_or_quatrieme"]
    label_to_code = {label: code for code, label in vocabulary().platform.items()}
    counts = open_["secteur"].map(label_to_code).value_counts()
    codes, p = counts.index.to_numpy(object), counts.to_numpy(float) / counts.sum()
    n = len(students)
    how_many = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    keys = np.log(p) - np.log(-np.log(rng.random((n, len(codes)))))  # Gumbel keys: the top k, drawn without repeat
    top = codes[np.argsort(-keys, axis=1)[:, :3]]
    asked = ["|".join(row[:k]) for row, k in zip(top, how_many)]
    return students.assign(sectors=asked, site_choices="", group_id="")


def _run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "matcher", *args], capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> None:
    """Build the extract; with ``--run``, time ``validate`` and ``coverage`` on it and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=27_206)
    parser.add_argument("--run", action="store_true")
    options = parser.parse_args()
    extract = build_extract(options.rows)
    extract.to_csv(options.out, sep=";", index=False, quoting=csv.QUOTE_ALL)
    print(f"wrote {options.out} ({len(extract):,} offers)")
    if not options.run:
        return
    students = str(options.out.with_name("students.csv"))
    demo = pd.read_csv(str(reference.dataset_path("demo_students.csv")), dtype=str, keep_default_na=False)
    demo.drop(columns="site_choices").to_csv(students, index=False)  # the demo's choices name the demo's sites
    sites = ["--sites", str(options.out), "--default-capacity", "1"]
    seconds, done = _run(["validate", "--students", students, *sites])
    print(f"validate: exit {done.returncode} in {seconds:.2f} s\n{done.stdout}{done.stderr}")
    seconds, done = _run(["coverage", *sites])
    print(f"coverage: exit {done.returncode} in {seconds:.2f} s\n{done.stdout[:2000]}{done.stderr[:2000]}")


if __name__ == "__main__":
    main()
