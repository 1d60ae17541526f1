"""The settings form: the policy options officers change, read from and written to the campaign's ``policy.toml``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from matcher.config import Config, load_config
from matcher.config.policy import read_toml
from matcher.errors import InputError, Problem
from matcher.export.outputs import write_atomic
from matcher.util.i18n import mark, tr

__all__ = ["FIELDS", "current", "save", "load_policy", "upload"]

#: The form's fields: option name → kind (``float``, ``optional float``, ``optional int``, ``choice:a|b``, ``bool``).
FIELDS: dict[str, str] = {
    "default_max_km": "float",
    "mode": "choice:optimal|stable",
    "academie_floors": "choice:none|proportional",
    "gender_target": "optional float",
    "stay_in_academie": "bool",
    "time_limit": "float",
    "default_capacity": "optional int",
}


def load_policy(path: Path | None) -> Config:
    """``load_config``, after refusing a floors option that names a file, before anything looks for that file: a
    file of this server is never named from a request, nor its existence told (InputError)."""
    floors = None if path is None else read_toml(path, mark("the configuration")).get("academie_floors")
    if path is not None and floors is not None and floors not in ("none", "proportional"):
        fix = tr("use none or proportional; a floors file is given with matcher allocate --config")
        raise InputError(
            [Problem(path.name, None, "academie_floors", str(floors), tr("a file cannot be named here"), fix)]
        )
    return load_config(path)


def upload(path: Path, data: bytes) -> Config:
    """Replace ``path`` with an uploaded policy file once it loads as a valid policy (InputError otherwise,
    ``path`` untouched)."""
    with tempfile.TemporaryDirectory() as folder:  # checked under its own name before it replaces the old one
        tmp = Path(folder) / "policy.toml"
        tmp.write_bytes(data)
        config = load_policy(tmp)
    write_atomic(path, data)
    return config


def current(path: Path) -> dict[str, Any]:
    """The form's values: the policy file's, or the defaults."""
    config = load_config(path if path.is_file() else None)
    return {name: getattr(config, name) for name in FIELDS}


def save(path: Path, form: dict[str, str]) -> Config:
    """Write the submitted values to ``path`` as TOML once they load as a valid policy (InputError otherwise); the
    file's other options (an uploaded policy's objective order, language...) are kept as they were."""
    lines = []
    for name, kind in FIELDS.items():
        raw = form.get(name, "").strip()
        if kind == "bool":
            lines.append(f"{name} = {'true' if raw else 'false'}")
        elif kind.startswith("choice:"):
            lines.append(f"{name} = {_quoted(raw if raw in kind[7:].split('|') else kind[7:].split('|')[0])}")
        elif raw:
            lines.append(f"{name} = {_number(raw, kind.endswith('int'))}")
    return upload(path, ("\n".join([*lines, *_others(path)]) + "\n").encode("utf-8"))


def _others(path: Path) -> list[str]:
    """The lines of the policy file at ``path`` but the form's top-level options (which the form's lines, written
    first, replace: they stay above any table)."""
    if not path.is_file():
        return []
    kept, top = [], True
    for line in path.read_text(encoding="utf-8").splitlines():
        top = top and not line.lstrip().startswith("[")
        key = line.split("=", 1)[0].strip() if "=" in line else ""
        if not (top and key in FIELDS):
            kept.append(line)
    return kept


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(raw: str, whole: bool = False) -> str:
    """A number's TOML text (a decimal comma accepted; ``whole``: an integer); anything else quoted, for
    load_config to refuse."""
    try:
        return str(int(raw)) if whole else repr(float(raw.replace(",", ".")))
    except ValueError:
        return _quoted(raw)
