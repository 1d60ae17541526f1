"""Update the French catalogue from the code: every ``tr("...")`` and ``mark("...")`` message, new ones added
untranslated (the test suite then fails until they are translated), obsolete ones dropped.

Run from the repository root: ``python tools/update_catalogue.py``. Babel's own extractor misses calls inside
f-strings on Python 3.11, so the messages are found with a regular expression over ``matcher/`` as well.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

CALL = re.compile(r"""(?<![A-Za-z_.])(?:tr|mark)\(\s*(?:"([^"\\]+)"|'([^'\\]+)')""")
ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "matcher" / "locale" / "fr" / "LC_MESSAGES" / "matcher.po"


def messages(root: Path = ROOT / "matcher") -> set[str]:
    """Every message the code translates (adjacent string literals are not used for messages)."""
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        found |= {a or b for a, b in CALL.findall(path.read_text(encoding="utf-8")) if (a or b).strip(".")}
    return found


def update() -> int:
    with PO.open("rb") as fh:
        old = read_po(fh, locale="fr")
    new = Catalog(
        locale="fr",
        project="matcher",
        version="0.1",
        domain="matcher",
        fuzzy=False,
        last_translator="matcher maintainers",
        language_team="matcher",
        copyright_holder="matcher",
        revision_date=old.revision_date,
        creation_date=old.creation_date,
    )
    for msgid in sorted(messages()):
        kept = old.get(msgid)
        new.add(msgid, kept.string if kept else "")
    with PO.open("wb") as fh:
        write_po(fh, new, omit_header=False, no_location=True, sort_output=True, width=116)
    missing = [m.id for m in new if m.id and not m.string]
    print(f"{len(new) - 1} messages, {len(missing)} to translate", *missing, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(update())
