"""deploy/Dockerfile and deploy/compose.yaml, checked offline (no image is pulled or built
here): the stack has its services, each with a healthcheck, on the shared database, broker and
cache; the image runs as a non-root user with static files collected at build."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
APP_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile():
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def test_the_stack_has_database_broker_app_processes_and_a_proxy(compose):
    assert set(compose["services"]) == {"db", "redis", "proxy"} | APP_SERVICES


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name == "migrate":
            continue
        check = service.get("healthcheck", {})
        assert not check.get("disable"), name
        assert check.get("test"), name


def test_app_processes_share_one_image_and_the_servers_addresses(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["image"].startswith("relais:"), name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
        env = service["environment"]
        assert "@db:5432/relais" in env["DATABASE_URL"], name
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/"), name
        # a cache shared by every process (throttling), never one per process
        assert env["CACHE_URL"].startswith("redis://redis:6379/"), name
        assert env["CACHE_URL"] != env["CELERY_BROKER_URL"], name
        assert env["TRUSTED_PROXY_COUNT"] == "1", name
        assert service["read_only"] is True, name


def test_the_app_waits_for_its_migrations_and_only_the_proxy_publishes_ports(compose):
    services = compose["services"]
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]


def test_beat_is_never_scaled(compose):
    beat = compose["services"]["beat"]
    assert "replicas" not in beat.get("deploy", {})
    assert "beat" in beat["command"]


def test_the_image_runs_as_a_non_root_user_with_static_files_collected_at_build(dockerfile):
    runtime = dockerfile[dockerfile.index("AS runtime") :]
    users = re.findall(r"^USER (\S+)", runtime, flags=re.MULTILINE)
    assert users and not users[-1].startswith(("root", "0"))
    assert "collectstatic --noinput" in runtime
    assert runtime.index("collectstatic") < runtime.index("USER ")
    assert "HEALTHCHECK" in runtime


def test_the_image_installs_the_locked_dependencies_and_builds_the_pwa(dockerfile):
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "npm ci" in dockerfile
    assert "COPY --from=frontend /src/frontend/dist ./frontend/dist" in dockerfile


def test_compose_config_is_valid_when_the_cli_can_say(tmp_path):
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI")
    if subprocess.run([docker, "compose", "version"], capture_output=True).returncode:  # noqa: S603
        pytest.skip("no docker compose plugin")
    env_file = DEPLOY / "relais.env"
    created = not env_file.exists()
    if created:
        env_file.write_text("SECRET_KEY=x\n", encoding="utf-8")
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no image pulled
            [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            env={"POSTGRES_PASSWORD": "x", "PATH": "/usr/bin:/bin"},
        )
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr
