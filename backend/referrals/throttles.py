"""Rate limits of the public referral paths (HTML form and intake API), one mechanism for both.

DRF throttles read the client address through exactly settings.TRUSTED_PROXY_COUNT proxies
(REST_FRAMEWORK["NUM_PROXIES"]), so a forged X-Forwarded-For cannot reset the count.
"""

from rest_framework import throttling


class ReferralIPThrottle(throttling.SimpleRateThrottle):
    scope = "referral_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReferralCodeThrottle(throttling.SimpleRateThrottle):
    """Per referral code: a poster cannot be used to flood the facilitators' inbox."""

    scope = "referral_code"

    def get_cache_key(self, request, view):
        token = getattr(request, "referral_code_token", None)
        if not token:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token}


def _wait(request, throttle_class):
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    return int(throttle.wait() or 60) + 1


def check_client_rate(request):
    """Counts one public submission for the client address: every POST, bots and bad input
    included. Returns None when allowed, else the seconds to wait (for Retry-After)."""
    return _wait(request, ReferralIPThrottle)


def check_code_rate(request, *, code_token):
    """Counts one submission for the referral code. Call it only for a valid, human
    submission: counting junk would let anyone with the poster's link block it for everyone."""
    request.referral_code_token = code_token
    return _wait(request, ReferralCodeThrottle)
