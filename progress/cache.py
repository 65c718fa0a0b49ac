"""The progress cache: counts kept in the shared cache until the data they count changes.

An entry's key holds the **data version**, the programme, the filters (normalised: what
the filter set cleaned, order-only parameters left out) and the reader's **visibility**
(a hash of the compiled `activities.querysets.visibility()` condition, so a new rule in
that condition, such as drafts seen by their authors, makes new keys by itself and two
readers share an entry only when they see the same activities).

The data version is a counter in the shared cache (Redis, or the database cache), so a
write on one web instance is seen on every other at once. `progress.signals` bumps it
after each transaction that wrote activities, their links, assessments, stock-takes or
the framework commits. Until then the writing transaction reads around the cache (its
own writes are not committed, and must not be cached for others).

The cache helps and never decides: when it cannot be reached, every count is computed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import get_language

from activities.models import Activity
from progress.query import ORDER_ONLY, ProgressQuery

logger = logging.getLogger(__name__)

VERSION_KEY = "progress:version"
# The shape of the cached values: a change to what is cached changes this, so no process
# reads an entry written by older code.
FORMAT = 2

T = TypeVar("T")


class _Bump:
    """The on-commit callback of one writing transaction: it bumps the version once, and
    until it has run the transaction's own reads go around the cache."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        bump_version()


def _pending_bump() -> _Bump | None:
    connection = transaction.get_connection()
    # Django's own list of the transaction's callbacks: a savepoint rolled back takes its
    # callbacks with it, and the whole list goes with the transaction.
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, _Bump) and not callback.done:
            return callback
    return None


def note_write() -> None:
    """A write that changes counts: bump the version when its transaction commits (at
    once outside one). One bump per transaction, however many rows it writes."""
    if _pending_bump() is None:
        transaction.on_commit(_Bump(), robust=True)


def writes_pending() -> bool:
    """Whether this transaction has written counted data that is not committed yet."""
    return _pending_bump() is not None


def _new_version() -> int:
    # Random, not 1: a version lost from the cache (evicted, flushed) must never come back
    # as a number whose old entries are still there.
    return secrets.randbits(48)


def bump_version() -> None:
    """Make every cached count stale, on every instance."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # missing: any new version does
            cache.set(VERSION_KEY, _new_version(), timeout=None)
    except Exception:  # the cache is down: entries expire within PROGRESS_CACHE_SECONDS
        logger.warning("Progress cache: could not bump the data version", exc_info=True)


def data_version() -> int:
    """The current data version (created when missing). Raises if the cache is down."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def forget_version() -> None:
    """Drop the version (the next read starts a new one): for data replaced wholesale."""
    cache.delete(VERSION_KEY)


def visibility_key(visible: Q | None) -> str:
    """The reader's visibility level: the visibility condition as the database gets it.

    Compiled rather than named by role, so that whatever the condition grows to hold (a
    model instance, a subquery, the reader's id) is in the key, and two conditions that
    select the same activities share entries."""
    if visible is None:
        return "all"
    sql, params = Activity.objects.filter(visible).order_by().query.sql_with_params()
    return _digest([sql, [repr(param) for param in params]])


def _normal(value: Any) -> Any:
    """A cleaned filter value in a stable, hashable form."""
    if isinstance(value, Model):
        return [value._meta.label_lower, value.pk]
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return sorted((_normal(item) for item in value), key=repr)
    if isinstance(value, slice):  # a range filter's (start, stop)
        return ["range", _normal(value.start), _normal(value.stop)]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


def filters_key(cleaned: Mapping[str, Any]) -> str:
    """The filters as the filter set cleaned them: ids for choices, in a stable order,
    empty ones and those that change no count left out."""
    given = {
        name: _normal(value)
        for name, value in cleaned.items()
        if name not in ORDER_ONLY
        and value not in (None, "", [], ())
        and not (isinstance(value, QuerySet) and not value)
        and not (isinstance(value, slice) and value.start is None and value.stop is None)
    }
    return _digest(sorted(given.items()))


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def entry_key(query: ProgressQuery, name: str, version: int) -> str:
    # The query's part once per query (a page asks for several entries of one query).
    base = getattr(query, "_cache_base", None)
    if base is None:
        base = ":".join(
            [str(query.programme.pk), filters_key(query.cleaned), visibility_key(query.visible)]
        )
        object.__setattr__(query, "_cache_base", base)  # frozen: only this memo is added
    return f"progress:{FORMAT}:{version}:{name}:{base}"


def _version_for(query: ProgressQuery) -> int:
    """The data version, read once per query: a query lives for one request, and a write in
    that request's transaction turns the cache off for it (writes_pending)."""
    version = getattr(query, "_cache_version", None)
    if version is False:  # the cache failed for this query: do not wait on it again
        raise ConnectionError("The progress cache did not answer for this query.")
    if version is None:
        try:
            version = data_version()
        except Exception:
            object.__setattr__(query, "_cache_version", False)
            raise
        object.__setattr__(query, "_cache_version", version)
    return version


def _lookup(query: ProgressQuery, name: str) -> tuple[str | None, Any]:
    """The entry's key (None: do not cache now) and what the cache holds there (None if
    nothing)."""
    if settings.PROGRESS_CACHE_SECONDS <= 0 or writes_pending():
        return None, None
    try:
        key = entry_key(query, name, _version_for(query))
    except Exception:
        logger.warning("Progress cache unavailable: counting uncached", exc_info=True)
        return None, None
    try:
        return key, cache.get(key)
    except Exception:  # down, or an entry that no longer unpickles: count and replace
        logger.warning("Progress cache: could not read %s", key, exc_info=True)
        return key, None


def cached(query: ProgressQuery, name: str) -> Any:
    """What the cache holds for `query` under `name` now (packed), or None."""
    return _lookup(query, name)[1]


def remember(
    query: ProgressQuery,
    name: str,
    compute: Callable[[], T],
    *,
    pack: Callable[[T], Any] = lambda value: value,
    unpack: Callable[[Any], T] = lambda value: value,
) -> T:
    """`compute()`'s answer for `query`, from the cache when it holds one for the current
    data version. `pack` makes the answer picklable (no querysets), `unpack` rebuilds it."""
    key, packed = _lookup(query, name)
    if packed is not None:
        return unpack(packed)
    value = compute()
    if key is not None:
        try:
            # Entries die with the version; the timeout bounds how long a bump lost to a
            # cache outage (the write committed, the cache did not answer) can leave an
            # old answer in view.
            cache.set(key, pack(value), timeout=settings.PROGRESS_CACHE_SECONDS)
        except Exception:
            logger.warning("Progress cache: could not store %s", key, exc_info=True)
    return value


def fragment_key(query: ProgressQuery, name: str, *parts: Any) -> str | None:
    """The key of a page's fragment that shows `query`'s counts and depends besides only on
    `parts` (e.g. today, the page's links) and the language it is rendered in; None when it
    is not to be cached now."""
    if settings.PROGRESS_CACHE_SECONDS <= 0 or writes_pending():
        return None
    try:
        version = _version_for(query)
    except Exception:
        logger.warning("Progress cache unavailable: rendering uncached", exc_info=True)
        return None
    return f"{entry_key(query, name, version)}:{get_language()}:{_digest(parts)}"


def fragment(key: str | None, render: Callable[[], str], *, timeout: int | None = None) -> str:
    """The fragment rendered once per key (`render()` each time without a key or cache),
    kept `timeout` seconds (PROGRESS_CACHE_SECONDS by default)."""
    if key is None:
        return render()
    try:
        html = cache.get(key)
    except Exception:
        logger.warning("Progress cache: could not read %s", key, exc_info=True)
        html = None
    if html is None:
        html = render()
        try:
            kept = settings.PROGRESS_CACHE_SECONDS if timeout is None else timeout
            cache.set(key, html, timeout=kept)
        except Exception:
            logger.warning("Progress cache: could not store %s", key, exc_info=True)
    return html
