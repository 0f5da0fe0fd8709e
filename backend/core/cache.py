"""The cache as the request path uses it: failing open.

The cache (`CACHE_URL`, Redis in production) only holds what can be lost: throttle counters and
the ids of inbound SMS already handled. When it is down, a request must still be served (a
person's submission stored, a login checked): every error of the cache server is logged as a
warning and answered as a miss (`get`) or ignored (`set`). Rate limits are off for as long as
the outage lasts; that is the trade: losing a submission is worse.

One mechanism for every use: throttles inherit `FailOpenRateThrottle` (or set
`cache = fail_open_cache`), other code imports `fail_open_cache` instead of Django's `cache`.
"""

import logging
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from rest_framework import throttling

logger = logging.getLogger(__name__)


class FailOpenCache(BaseCache):
    """The `get`/`set`/`add`/`delete` of `caches[alias]`, looked up at each call (settings
    overrides apply), never raising (BaseCache builds the other methods on these). Logs the
    operation and the error's type, never the key: keys carry e-mail addresses (login
    throttles) and message ids."""

    def __init__(self, alias: str = "default") -> None:
        super().__init__({})
        self.alias = alias

    def _call(self, operation: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(caches[self.alias], operation)(*args, **kwargs)
        except Exception as exc:  # any cache server error: Redis down, timeout, refused
            logger.warning(
                "cache %r unavailable (%s: %s): request allowed",
                self.alias,
                operation,
                type(exc).__name__,
            )
            return fallback

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, key, default, version=version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", None, key, value, timeout, version=version)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", False, key, value, timeout, version=version))

    def delete(self, key: str, version: int | None = None) -> bool:
        return bool(self._call("delete", False, key, version=version))


fail_open_cache = FailOpenCache()


class FailOpenRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rate throttle on the fail-open cache: with the cache down, requests are allowed
    (no history is read, none is kept)."""

    cache = fail_open_cache
