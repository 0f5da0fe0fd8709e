import socket

import pytest

pytestmark = pytest.mark.django_db


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_reports_the_database_and_no_broker_by_default(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not_configured",
        "notifications": {"pending": 0, "sent": 0, "failed": 0},
    }


@pytest.mark.skipif(not redis_answers(), reason="needs a Redis server on 127.0.0.1:6379")
def test_healthz_reports_a_reachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_is_503_when_the_configured_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["broker"] == "down"
