"""drf-spectacular extensions (imported by CoreConfig.ready)."""

from drf_spectacular.authentication import SessionScheme


class RelaisSessionScheme(SessionScheme):
    """The API's session (backend.accounts.authentication): with the second factor when the
    user's role requires it."""

    target_class = "backend.accounts.authentication.SessionAuthentication"


class SessionBeforeSecondFactorScheme(SessionScheme):
    """The session of the few auth views that lead to the second factor."""

    target_class = "backend.accounts.authentication.SessionAuthenticationBeforeSecondFactor"
    name = "cookieAuthBeforeSecondFactor"
