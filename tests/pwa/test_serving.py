"""How Django serves the PWA under /app/ (on a small stand-in build, no browser needed):
the shell for every client route with a strict CSP, the service worker allowed on /app/,
hashed assets cached for ever and compressed, and a French page when nothing was built."""

import gzip

import pytest
from django.test import Client

from tests.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = b'<!doctype html><html lang="fr"><script type="module" src="/app/assets/index-AbC123.js">'
SCRIPT = b"console.log('relais');" * 50


@pytest.fixture
def dist(tmp_path, settings):
    """A build as Vite and frontend/scripts/compress.mjs leave it."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "manifest.webmanifest").write_text('{"name": "Relais"}')
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG")
    (root / "assets" / "index-AbC123.js").write_bytes(SCRIPT)
    (root / "assets" / "index-AbC123.js.gz").write_bytes(gzip.compress(SCRIPT))
    settings.PWA_DIST_DIR = root
    return root


@pytest.mark.parametrize("path", ["/app/", "/app/orientations/12", "/app/capteurs/nouveau"])
def test_every_client_route_gets_the_shell_with_a_strict_csp(dist, path):
    response = Client().get(path)

    assert response.status_code == 200
    assert response.content == INDEX
    assert response["Content-Type"] == "text/html; charset=utf-8"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "no-cache" in response["Cache-Control"]


def test_the_shell_is_also_served_as_index_html_for_the_service_worker_precache(dist):
    response = Client().get("/app/index.html?__WB_REVISION__=abc")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response


def test_the_service_worker_may_control_the_whole_app_and_is_never_cached(dist):
    response = Client().get("/app/sw.js")
    response.close()

    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/app/"
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Type"].startswith("text/javascript")


def test_the_manifest_and_icons_are_revalidated(dist):
    manifest = Client().get("/app/manifest.webmanifest")
    icon = Client().get("/app/icons/icon-192.png")
    manifest.close()
    icon.close()

    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest["Cache-Control"] == icon["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_ever_and_compressed(dist):
    response = Client().get("/app/assets/index-AbC123.js", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == SCRIPT


@pytest.mark.parametrize("path", ["/app/assets/index-Old999.js", "/app/favicon.ico"])
def test_a_missing_file_is_404_not_the_shell(dist, path):
    response = Client().get(path)

    assert response.status_code == 404
    assert b"/app/assets/index-AbC123.js" not in response.content


def test_without_a_build_the_app_says_in_french_to_run_make_run(tmp_path, settings):
    settings.PWA_DIST_DIR = tmp_path / "not-built"

    response = Client().get("/app/")

    assert response.status_code == 503
    text = response.content.decode()
    assert "n'est pas encore construite" in text
    assert "make run" in text


def test_a_logged_in_member_is_sent_from_the_root_to_the_app(territory):
    client = Client()
    client.force_login(MembershipFactory(territory=territory, facilitator=True).user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/app/"


@pytest.mark.parametrize("who", ["anonymous", "no membership"])
def test_the_root_stays_not_found_for_everyone_else(who):
    client = Client()
    if who == "no membership":
        client.force_login(UserFactory())

    response = client.get("/")

    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
