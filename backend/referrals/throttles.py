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


PUBLIC_REFERRAL_THROTTLES = (ReferralIPThrottle, ReferralCodeThrottle)


def check_public_referral_rate(request, *, code_token):
    """Counts one public submission for `request`'s client and `code_token`.

    Returns None when allowed, else the number of seconds to wait (for Retry-After).
    """
    request.referral_code_token = code_token
    waits = []
    for throttle_class in PUBLIC_REFERRAL_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 60)
    return int(max(waits)) + 1 if waits else None
