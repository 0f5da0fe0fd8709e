"""A Content-Security-Policy on every page that does not set its own.

The public pages (backend.public.http.PUBLIC_CSP: no script at all) and the PWA's shell
(backend.pwa.views) set stricter or different policies themselves; this middleware leaves a
response that already carries the header alone, and gives every other one (the admin, the
API docs, the privacy notice, error pages, API answers) settings.CONTENT_SECURITY_POLICY.

A small middleware rather than django-csp: one header, one policy, no nonce (the admin and
Swagger UI run no inline script), and the pages with their own policy already set it.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

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


def tile_source(template: str) -> str:
    """The CSP source of a map tile URL template: its scheme and host (`{s}` subdomains as a
    wildcard), e.g. `https://*.tile.example.org` for `https://{s}.tile.example.org/{z}/{x}/{y}.png`;
    "" when there is none (unset, or not an http(s) URL)."""
    parts = urlsplit(template.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = ["*" if "{" in label else label for label in host.split(".")]
    if "*" in labels[1:] or any(c in "".join(labels) for c in "{}'; "):
        return ""
    return f"{parts.scheme}://{'.'.join(labels)}"
