"""A Content-Security-Policy on every page that does not set its own.

The public pages (backend.public.http.PUBLIC_CSP: no script at all) and the PWA's shell
(backend.pwa.views) set stricter or different policies themselves; this middleware leaves a
response that already carries the header alone, and gives every other one (the admin, the
API docs, the privacy notice, error pages, API answers) settings.CONTENT_SECURITY_POLICY.

A small middleware rather than django-csp: one header, one policy, no nonce (the admin and
Swagger UI run no inline script), and the pages with their own policy already set it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and HEADER not in response:
            response[HEADER] = policy
        return response
