"""Who may use ``matcher serve``: the login token printed at start, or an accounts file of names, académies and
argon2 password hashes (``matcher users add``); sessions in signed cookies, a CSRF token per session.

An account sees its académie's campaigns only; the token and accounts of académie ``national`` see all.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from matcher.export.outputs import write_atomic

__all__ = ["NATIONAL", "User", "Accounts", "secret_file", "same"]

#: The académie of accounts that see every campaign.
NATIONAL = "national"

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A logged-in user: ``name`` and ``academie`` (``national`` sees all)."""

    name: str
    academie: str

    def sees(self, academie: str) -> bool:
        """Whether this user may see a campaign of ``academie``."""
        return self.academie == NATIONAL or self.academie == academie


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def secret_file(path: Path, nbytes: int = 32) -> str:
    """The secret kept in ``path`` (created, readable by the owner only, when missing)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, secrets.token_hex(nbytes).encode("ascii"))
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


@dataclass(frozen=True)
class Accounts:
    """The accounts file ``path`` (JSON: name → académie and argon2 hash)."""

    path: Path

    def read(self) -> dict[str, dict[str, str]]:
        """Every account (empty when the file is missing)."""
        if not self.path.is_file():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def add(self, name: str, academie: str, password: str) -> None:
        """Add or replace the account ``name``."""
        accounts = {**self.read(), name: {"academie": academie, "hash": _HASHER.hash(password)}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(accounts, ensure_ascii=False, indent=1).encode("utf-8"))
        self.path.chmod(0o600)

    def check(self, name: str, password: str) -> User | None:
        """The user when ``password`` is right, else None."""
        account = self.read().get(name)
        if account is None:
            _HASHER.hash(password)  # the same time whether the name exists or not
            return None
        try:
            _HASHER.verify(account["hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, account["academie"])
