"""Headers and checks of a production deployment: a CSP on every page, `check --deploy`
clean with the documented settings (.env.example), the local SECRET_KEY refused with DEBUG
off."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from backend.core.security import tile_source
from backend.public.http import PUBLIC_CSP
from backend.pwa.views import content_security_policy
from tests.accounts.factories import UserFactory, log_in_verified
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


@pytest.fixture
def admin_client(client):
    log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/confidentialite",  # the privacy notice
        "/admin/login/",
        "/api/v1/auth/me/",
        "/healthz",
        "/une-page-qui-n-existe-pas",
    ],
)
def test_every_page_carries_a_content_security_policy(client, path):
    response = client.get(path)

    assert response[CSP]


def test_the_admin_carries_the_site_policy(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert response[CSP] == django_settings.CONTENT_SECURITY_POLICY


def test_the_api_docs_carry_the_site_policy_with_no_inline_script(client, settings):
    settings.API_DOCS_PUBLIC = True

    policy = client.get("/api/docs/")[CSP]

    assert policy == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    assert "frame-ancestors 'none'" in policy


def test_public_pages_keep_their_stricter_policy(client, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert client.get(code.public_path)[CSP] == PUBLIC_CSP


def test_the_pwa_shell_keeps_its_own_policy(client, settings, tmp_path):
    settings.PWA_DIST_DIR = tmp_path
    (tmp_path / "index.html").write_text("<!doctype html><title>Relais</title>")

    assert client.get("/app/")[CSP] == content_security_policy()


def test_the_app_allows_no_image_host_without_map_tiles(client, settings, tmp_path):
    settings.PWA_DIST_DIR = tmp_path
    settings.MAP_TILES_URL = ""
    (tmp_path / "index.html").write_text("<!doctype html><title>Relais</title>")

    policy = client.get("/app/")[CSP]

    assert "img-src 'self' data: blob:;" in policy
    assert "http" not in policy


def test_the_app_allows_the_map_tiles_host_for_images_only(client, settings, tmp_path):
    settings.PWA_DIST_DIR = tmp_path
    settings.MAP_TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    (tmp_path / "index.html").write_text("<!doctype html><title>Relais</title>")

    directives = dict(
        d.strip().split(" ", 1) for d in client.get("/app/")[CSP].split(";") if d.strip()
    )

    assert directives["img-src"] == "'self' data: blob: https://*.tiles.example.org"
    assert "example.org" not in directives["connect-src"] + directives["default-src"]


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("http://localhost:8080/{z}/{x}/{y}.png", "http://localhost:8080"),
        ("", ""),
        ("javascript:alert(1)", ""),
        ("https://tiles.example.org; script-src *", ""),
        ("https://a.{s}.example.org/{z}.png", ""),
    ],
)
def test_the_tile_source_is_a_scheme_and_host_or_nothing(template, source):
    assert tile_source(template) == source


# --- settings of a production deployment, each in a fresh interpreter ---------------------


def _documented_production_env() -> dict[str, str]:
    """The variables .env.example documents, with a real key: what an operator deploys."""
    environ = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    for line in (django_settings.BASE_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            environ[name.strip()] = value.strip()
    environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    environ["DJANGO_SETTINGS_MODULE"] = "backend.config.settings"
    return environ


def _manage(*args, env):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_documented_production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_the_local_key_is_refused_with_debug_off():
    environ = _documented_production_env()
    del environ["SECRET_KEY"]
    environ["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"  # even on plain HTTP

    result = _manage("check", env=environ)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


def test_the_local_key_is_accepted_with_debug_on():
    environ = _documented_production_env()
    del environ["SECRET_KEY"]
    environ["DEBUG"] = "1"

    result = _manage("check", env=environ)

    assert result.returncode == 0, result.stderr
