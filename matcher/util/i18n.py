"""The language of what people read: French by default, English on request.

Messages are written in English in the code as ``tr("...")`` and translated through a gettext catalogue managed
with Babel (a count with its noun in the language's plural: ``Lang.counted``): the source is
``matcher/locale/<lang>/LC_MESSAGES/matcher.po`` (committed), compiled in memory with
Babel's compiler at first use (no build step, nothing written next to the installed package). Numbers, shares
and dates are formatted the way of the language with Babel (``1 050``, ``51,2 %``, ``15 juin 2026``).

The language is, by priority: the ``--lang`` option, the language set with :func:`use` (the command line, the
web workspace), the ``MATCHER_LANG`` environment variable, the policy's ``lang``, then ``fr``. Messages made where
no :class:`Lang` is at hand (input problems, the command line's lines) use :func:`tr`: the ambient language.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.resources import files

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

__all__ = ["Lang", "LANGS", "resolve", "catalogue_path", "mark", "tr", "use", "num"]

LANGS = ("fr", "en")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


#: The language chosen for this run or request with :func:`use` (None: not chosen).
_AMBIENT: ContextVar[str | None] = ContextVar("matcher_lang", default=None)


def resolve(lang: str | None = None, policy: str | None = None) -> str:
    """The language to use: ``lang`` if given, else the one set with :func:`use`, else ``$MATCHER_LANG``, else
    ``policy``, else ``fr``."""
    chosen = (lang or _AMBIENT.get() or os.environ.get("MATCHER_LANG") or policy or "fr").strip().lower()[:2]
    return chosen if chosen in LANGS else "fr"


@contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Within the block, ``lang`` (when given) is the ambient language of :func:`tr` and of ``Lang()``.

    Set once by an entry point (a command, a request); ``use(None)`` changes nothing.
    """
    if not lang:
        yield resolve()
        return
    token = _AMBIENT.set(resolve(lang))
    try:
        yield resolve()
    finally:
        _AMBIENT.reset(token)


def catalogue_path(lang: str) -> str:
    """The ``.po`` source of a language's catalogue."""
    return str(files("matcher") / "locale" / lang / "LC_MESSAGES" / "matcher.po")


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    with open(catalogue_path(lang), "rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def mark(message: str) -> str:
    """Mark a message kept in a constant for the catalogue (translated where it is shown, with ``tr(...)``)."""
    return message


def tr(message: str) -> str:
    """``message`` in the ambient language (:func:`resolve`); format its ``{placeholders}`` after translating.
    An empty message stays empty (gettext would answer the catalogue's header)."""
    return _translations(resolve()).gettext(message) if message else message


def _plain(text: str) -> str:
    """Narrow no-break spaces as ordinary no-break spaces (every font of the charts and the PDF has those)."""
    return text.replace("\u202f", "\u00a0")


class Lang:
    """Translation and formatting for one language (``fr`` or ``en``)."""

    def __init__(self, code: str | None = None) -> None:
        self.code = resolve(code)
        self.locale = _LOCALES[self.code]
        self._t = _translations(self.code)

    @property
    def colon(self) -> str:
        """The colon between a label and its value: ``" : "`` in French, ``": "`` in English."""
        return "\u00a0: " if self.code == "fr" else ": "

    @property
    def semicolon(self) -> str:
        """Between the items of a list in a sentence: ``" ; "`` in French, ``"; "`` in English."""
        return "\u00a0; " if self.code == "fr" else "; "

    def __call__(self, message: str) -> str:
        """The message in this language (an empty one stays empty)."""
        return self._t.gettext(message) if message else message

    def counted(self, n: float, singular: str, plural: str) -> str:
        """A count with its noun, singular or plural as the language says (gettext's plural forms: « 0 lycée »,
        « 1 lycée », « 2 lycées »; "0 lycées", "1 lycée"): ``singular`` and ``plural`` hold ``{n}``, filled with the
        number this language's way. Both are in the catalogue as one plural message."""
        return self._t.ngettext(singular, plural, int(n)).format(n=self.num(n))

    def num(self, value: float, digits: int = 0, fixed: bool = False) -> str:
        """A number: ``1 050`` (fr) / ``1,050`` (en), with ``digits`` decimals at most (exactly, with ``fixed``:
        ``14,0`` beside ``17,3`` in a column)."""
        pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits else "")
        return _plain(format_decimal(value, pattern, locale=self.locale))

    def pct(self, share: float, digits: int = 1) -> str:
        """A share as a percentage: ``51,2 %`` (fr) / ``51.2%`` (en)."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + ("\u00a0%" if self.code == "fr" else "%")
        return _plain(format_percent(share, pattern, locale=self.locale))

    def date(self, iso: str | dt.date) -> str:
        """A date in words: ``15 juin 2026`` (fr) / ``15 June 2026`` (en)."""
        day = dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
        return format_date(day, "long", locale=self.locale)


def num(value: float, digits: int = 0) -> str:
    """A number in the ambient language's way (:meth:`Lang.num`): ``1 050`` (fr), ``1,050`` (en)."""
    return Lang().num(value, digits)
