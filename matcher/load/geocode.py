"""Optional online geocoding of free-text addresses (opt-in; nothing needs the network by default).

:class:`AddressGeocoder` asks the French national address base (BAN, ``api-adresse.data.gouv.fr``) through
geopy's ``BANFrance``, at most one request per ``min_delay_seconds``, and keeps every answer in a small SQLite file
in a cache directory chosen by the user, so that a second run asks nothing again. It is what
:func:`matcher.load.locate.locate` expects as ``geocoder``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol

__all__ = ["AddressGeocoder", "CACHE_FILE"]

#: Name of the cache file inside the cache directory.
CACHE_FILE = "geocode-cache.sqlite"


class _Service(Protocol):
    """A geopy-style geocoder: ``geocode(query)`` returns an object with ``latitude``/``longitude``, or None."""

    def geocode(self, query: str) -> Any: ...


class AddressGeocoder:
    """Address → (lat, lon) with a rate limit and an on-disk cache.

    Parameters
    ----------
    cache_dir : str or Path
        Directory for the cache file (created if needed).
    service : geopy-style geocoder, optional
        Default: ``geopy.geocoders.BANFrance``. Any object whose ``geocode(query)`` returns a geopy ``Location``
        (or None) works, e.g. another geopy geocoder.
    min_delay_seconds : float
        Minimum delay between two requests (geopy ``RateLimiter``); the BAN allows about 50 requests per second.
    user_agent : str
        HTTP user agent sent to the service.

    Notes
    -----
    Addresses are cached under a normalised key (spaces collapsed, case folded); "not found" answers are cached
    too. A network failure is not cached: the address counts as not found for this run only.
    """

    def __init__(
        self,
        cache_dir: str | Path,
        service: _Service | None = None,
        *,
        min_delay_seconds: float = 0.1,
        user_agent: str = "matcher-placements",
    ):
        from geopy.extra.rate_limiter import RateLimiter

        if service is None:
            from geopy.geocoders import BANFrance

            service = BANFrance(user_agent=user_agent, timeout=10)
        self._ask = RateLimiter(
            service.geocode, min_delay_seconds=min_delay_seconds, max_retries=2, swallow_exceptions=False
        )
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        self.cache_path = Path(cache_dir) / CACHE_FILE
        self._sql("CREATE TABLE IF NOT EXISTS cache (address TEXT PRIMARY KEY, lat REAL, lon REAL)")

    def _sql(self, statement: str, params: tuple[str | float | None, ...] = ()) -> tuple[Any, ...] | None:
        """Run one statement in its own committed transaction; the first result row, if any."""
        con = sqlite3.connect(self.cache_path)
        try:
            with con:
                row: tuple[Any, ...] | None = con.execute(statement, params).fetchone()
                return row
        finally:
            con.close()

    def geocode(self, address: str) -> tuple[float, float] | None:
        """(lat, lon) in WGS84 degrees of a free-text French address, or None when not found.

        Parameters
        ----------
        address : str
            E.g. ``"20 avenue de Ségur, 75007 Paris"``.

        Returns
        -------
        tuple of float or None
            The point, from the cache when the address was asked before.
        """
        from geopy.exc import GeopyError

        key = " ".join(address.split()).casefold()
        if not key:
            return None
        row = self._sql("SELECT lat, lon FROM cache WHERE address = ?", (key,))
        if row is not None:
            return None if row[0] is None else (row[0], row[1])
        try:
            found = self._ask(address)
        except GeopyError:
            return None
        point = None if found is None else (float(found.latitude), float(found.longitude))
        self._sql("INSERT OR REPLACE INTO cache VALUES (?, ?, ?)", (key, *(point or (None, None))))
        return point
