"""Whitenoise, extended to the PWA built by Vite (`frontend/dist`, served under /app/).

Whitenoise keeps serving /static/ as before. Under /app/ it serves the built files with the
headers each kind needs:

- `assets/*` carry a content hash in their names (Vite): cached for ever (`immutable`);
- `sw.js`, the manifest, icons and the Workbox runtime: `no-cache` (revalidated each time,
  so a new version is seen at once), and the service worker may control all of /app/;
- `index.html` is left to the shell view (backend.pwa.views.app_shell), which adds the
  Content-Security-Policy and answers every client route under /app/ with it.

Compressed variants (`.br`, `.gz`, written beside each file by frontend/scripts/compress.mjs)
are served to browsers that accept them, like whitenoise does for collected static files.
"""

from pathlib import Path

from django.conf import settings as django_settings
from whitenoise.middleware import WhiteNoiseMiddleware

PWA_URL_PREFIX = "/app/"
SHELL_URL = PWA_URL_PREFIX + "index.html"
SERVICE_WORKER_URL = PWA_URL_PREFIX + "sw.js"
HASHED_ASSETS_PREFIX = PWA_URL_PREFIX + "assets/"


class PwaWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    def __init__(self, get_response=None, settings=django_settings):
        super().__init__(get_response, settings)
        # Not in whitenoise's table: Chromium checks the manifest's type for installability.
        self.media_types.types_map.setdefault(".webmanifest", "application/manifest+json")
        dist = Path(settings.PWA_DIST_DIR)
        # Autorefresh (DEBUG) looks files up at each request, so a build made while the
        # server runs is seen; otherwise files are listed once, if the build exists.
        if self.autorefresh or dist.is_dir():
            self.add_files(dist, prefix=PWA_URL_PREFIX)

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if url == SHELL_URL:
            return
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file(self, url):
        if url == SHELL_URL:
            return None
        return super().find_file(url)

    def add_cache_headers(self, headers, path, url):
        if not url.startswith(PWA_URL_PREFIX):
            super().add_cache_headers(headers, path, url)
        elif url.startswith(HASHED_ASSETS_PREFIX):
            headers["Cache-Control"] = f"max-age={self.FOREVER}, public, immutable"
        else:
            headers["Cache-Control"] = "no-cache"
        if url == SERVICE_WORKER_URL:
            headers["Service-Worker-Allowed"] = PWA_URL_PREFIX
