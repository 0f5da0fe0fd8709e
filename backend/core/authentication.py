from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF session authentication that answers 401 (not 403) to anonymous requests.

    The PWA treats 401 as "log in again" and 403 as "you may not": DRF only sends 401 when the
    scheme names a WWW-Authenticate challenge, so we name one.
    """

    def authenticate_header(self, request):
        return 'Session realm="relais"'
