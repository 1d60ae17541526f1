"""Pseudonymisation at upload: a students file's identifiers replaced with keyed pseudonyms before it is stored
(``matcher pseudonymize``'s code, :mod:`matcher.pipeline.privacy`), its columns outside the contract dropped.

The key is the campaign's own, ``pseudonym.key`` in its folder (created at first use, owner-only): deleting the
campaign destroys it. ``matcher reidentify --key-file`` with it and the original file maps outputs back.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from matcher.pipeline.privacy import pseudonymize_file, read_key
from matcher.web.auth import secret_file
from matcher.web.store import Store

__all__ = ["KEY", "pseudonymised"]

#: The key's file name in a campaign's folder.
KEY = "pseudonym.key"


def pseudonymised(
    store: Store, cid: str, sent: BinaryIO, name: str, folder: Callable[[], Path] | None = None
) -> dict[str, Any]:
    """Store the uploaded students file ``sent`` (named ``name``) pseudonymised, as ``<stem>.csv``, in ``folder()``
    (default: the campaign's students folder, emptied only once the file is read); what was done: ``students``
    written and the ``dropped`` column headers (InputError when the file cannot be read, nothing stored then).

    The file as sent only lives in a temporary folder inside the data folder, removed before this returns.
    """
    campaign = store.campaign_dir(cid)
    secret_file(campaign / KEY)
    key = read_key(campaign / KEY)
    with tempfile.TemporaryDirectory(dir=store.root, prefix=".upload-") as tmp:
        raw = Path(tmp) / name
        with raw.open("wb") as out:
            shutil.copyfileobj(sent, out)
        (Path(tmp) / "out").mkdir()
        target = Path(tmp) / "out" / (Path(name).stem + ".csv")
        count, dropped = pseudonymize_file(raw, target, key)
        into = folder() if folder is not None else store.input_folder(cid, "students")
        shutil.move(target, into / target.name)
    return {"students": count, "dropped": dropped}
