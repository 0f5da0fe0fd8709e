"""drf-spectacular extensions (imported by CoreConfig.ready)."""

from drf_spectacular.authentication import SessionScheme


class RelaisSessionScheme(SessionScheme):
    target_class = "backend.core.authentication.SessionAuthentication"
