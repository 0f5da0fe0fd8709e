"""API errors: problem details for API clients, a readable page for a browser."""

import pytest

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_an_api_client_gets_problem_json(client):
    response = client.get("/api/v1/referrals/", HTTP_ACCEPT="application/json")

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"]


def test_a_browser_gets_a_readable_page_served_as_html(client):
    response = client.get("/api/v1/referrals/", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "<html" in body and "Authentification requise" in body
