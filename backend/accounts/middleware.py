"""Session lifetimes suited to shared devices (an office computer, a colleague's phone).

A logged-in session ends after settings.SESSION_IDLE_TIMEOUT seconds without a request, and
settings.SESSION_COOKIE_AGE seconds after the login whatever the activity. The next request
is then anonymous: the API answers 401 and the PWA shows its login screen.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.utils import timezone

# When the session logged in, and when it last made a request (epoch seconds).
LOGGED_IN_AT = "_relais_logged_in_at"
SEEN_AT = "_relais_seen_at"
# The last request's time is written at most this often: not one session write per request.
SEEN_AT_RESOLUTION = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = int(timezone.now().timestamp())
        if SESSION_KEY in session and LOGGED_IN_AT in session:
            logged_in_at, seen_at = session[LOGGED_IN_AT], session.get(SEEN_AT, 0)
            if (
                now - seen_at > settings.SESSION_IDLE_TIMEOUT
                or now - logged_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif now - seen_at >= SEEN_AT_RESOLUTION:
                session[SEEN_AT] = now
        response = self.get_response(request)
        # A login during this request (or a session from before these rules): its clock
        # starts now.
        if SESSION_KEY in session and LOGGED_IN_AT not in session:
            session[LOGGED_IN_AT] = session[SEEN_AT] = now
        return response
