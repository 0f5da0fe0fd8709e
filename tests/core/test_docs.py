import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_served(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/capteurs/" in response.content


def test_the_api_docs_load_no_third_party_asset(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"cdn.jsdelivr.net" not in response.content
    assert b"/static/drf_spectacular_sidecar/" in response.content
