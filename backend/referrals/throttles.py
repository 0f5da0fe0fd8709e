"""Rate limits of the public referral paths, one mechanism for every door: per client address
(HTML form and intake API, checked by the door) and per referral code (the intake service).

DRF throttles read the client address through exactly settings.TRUSTED_PROXY_COUNT proxies
(REST_FRAMEWORK["NUM_PROXIES"]), so a forged X-Forwarded-For cannot reset the count. They fail
open (backend.core.cache): with the cache down, submissions are stored, not refused.
"""

from backend.core.cache import FailOpenRateThrottle


class ReferralIPThrottle(FailOpenRateThrottle):
    scope = "referral_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReferralCodeThrottle(FailOpenRateThrottle):
    """Per referral code, whatever the door: a poster cannot flood the facilitators' inbox.
    Counted by the intake service (no request there): the code's token is the key."""

    scope = "referral_code"

    def __init__(self, code_token: str):
        super().__init__()
        self.code_token = code_token

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.code_token}


def _wait(throttle, request=None) -> int | None:
    if throttle.allow_request(request, None):
        return None
    return int(throttle.wait() or 60) + 1


def check_client_rate(request):
    """Counts one public submission for the client address: every POST, bots and bad input
    included. Returns None when allowed, else the seconds to wait (for Retry-After)."""
    return _wait(ReferralIPThrottle(), request)


def code_rate_wait(code_token: str) -> int | None:
    """Counts one submission for the referral code. Call it only for a valid, human
    submission (the intake service does): counting junk would let anyone with the poster's
    link block it for everyone. Returns None when allowed, else the seconds to wait."""
    return _wait(ReferralCodeThrottle(code_token))
