"""The PWA's entry points: `/` sends staff to the app, `/app/...` answers with its shell.

The app itself is static (frontend/dist, built by `make run` and `make test`); its files are
served by backend.pwa.static_files. Everything it shows comes from the REST API.
"""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from backend.accounts.perms import is_staff_member
from backend.core.security import tile_source
from backend.pwa.static_files import PWA_URL_PREFIX


# Everything the app loads comes from this origin: its own scripts, styles, icons, the API,
# the QR codes and posters. No inline script or style, no third party, no framing; the one
# exception is opt-in: the map's tile server (settings.MAP_TILES_URL), for images only.
def content_security_policy() -> str:
    tiles = tile_source(settings.MAP_TILES_URL)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(filter(None, ["img-src 'self' data: blob:", tiles])),
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@require_safe
def home(request):
    """`/`: a logged-in member of a territory goes to the app; for anyone else `/` stays what
    it was, the site's French "page not found" (the public pages are reached by their links)."""
    if is_staff_member(request.user):
        return redirect(PWA_URL_PREFIX)
    raise Http404


@require_safe
@never_cache
def app_shell(request, path=""):
    """`/app/` and every client route under it (`/app/orientations/12`...): the app's
    index.html, which routes in the browser. A missing file (`/app/assets/old.js`) is a 404,
    never the shell: a script answered with HTML would break the app in a confusing way.

    Without a build (a contributor who ran the server without `make run`), a French page
    says how to build it."""
    last_segment = path.rstrip("/").rsplit("/", 1)[-1]
    if "." in last_segment and last_segment != "index.html":
        raise Http404
    try:
        html = (Path(settings.PWA_DIST_DIR) / "index.html").read_bytes()
    except FileNotFoundError:
        return render(request, "pwa/not_built.html", status=503)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = content_security_policy()
    return response
