"""The API's schema and docs: for anyone with API_DOCS_PUBLIC (DEBUG's default), for staff
only otherwise (production's default); Swagger UI runs under the site's CSP."""

import pytest

from tests.accounts.factories import UserFactory, log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs_public(settings):
    settings.API_DOCS_PUBLIC = True


@pytest.fixture
def docs_private(settings):
    settings.API_DOCS_PUBLIC = False


def test_the_openapi_schema_is_served_to_anyone_when_public(client, docs_public):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/capteurs/" in response.content


def test_the_api_docs_load_no_third_party_asset(client, docs_public):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"cdn.jsdelivr.net" not in response.content
    assert b"/static/drf_spectacular_sidecar/" in response.content


def test_the_api_docs_run_no_inline_script(client, docs_public):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script")

    assert "<script>" not in page
    assert 'src="/api/docs/?script=' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/docs/?script"])
def test_the_schema_and_docs_are_refused_to_anonymous_users_when_private(
    client, docs_private, path
):
    assert client.get(path).status_code in (401, 403)


def test_the_schema_and_docs_are_refused_to_a_user_without_membership(client, docs_private):
    client.force_login(UserFactory())

    assert client.get("/api/schema/").status_code == 403


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/docs/?script"])
def test_a_facilitator_reads_the_schema_and_docs_when_private(
    client, facilitator, docs_private, path
):
    client.force_login(facilitator)

    assert client.get(path).status_code == 200


def test_a_django_staff_user_reads_the_schema_when_private(client, docs_private):
    log_in_verified(client, UserFactory(is_staff=True))  # staff: with their second factor

    assert client.get("/api/schema/").status_code == 200


def test_the_docs_are_private_by_default_with_debug_off(settings):
    # the suite runs with production's settings: DEBUG off, API_DOCS_PUBLIC unset
    assert settings.DEBUG is False
    assert settings.API_DOCS_PUBLIC is False


def test_every_operation_documents_its_problem_answers(client, docs_public):
    # given the schema as served (backend.core.schema.RelaisAutoSchema documents errors)
    schema = client.get("/api/schema/?format=json").json()
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            # then a login-only operation says 401, one naming an object 404...
            if {} not in operation.get("security", [{}]):
                assert "401" in responses, where
            if "{" in path:
                assert "404" in responses, where
            if "requestBody" in operation:
                assert {"400", "415"} <= set(responses), where
            # ...and every error answer is a problem details document
            for code, response in responses.items():
                if code.startswith("4"):
                    assert response["content"] == {"application/problem+json": problem}, where
