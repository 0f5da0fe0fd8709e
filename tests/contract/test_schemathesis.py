"""Contract tests: the API answers what its OpenAPI schema says, for each role.

Schemathesis generates requests from the schema drf-spectacular publishes and calls the WSGI
application in-process (no server, the test's own database), as an anonymous visitor, a
facilitator and a coordinator of the seeded territory. Every response must be a documented
status code with the documented content type, headers and body, and no 5xx.

Bounded and reproducible: a fixed number of examples per operation, derandomized (the same
requests on every run), no Hypothesis database, no coverage phase. Each test (an operation
for a role) has its own seeded world and session; a path's object id is the seeded object's or
a missing one (404).

No operation is skipped: logout only ends its own test's session, and the file downloads
(PDF, PNG, SVG, CSV, XLSX) are checked for status, content type and headers (schemathesis
validates JSON bodies only).
"""

import json

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.referrals.services.triage import referral_orient
from tests.accounts.factories import MembershipFactory, log_in_verified
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.privacy.factories import PrivacyRequestFactory
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory
from tests.visits.factories import VisitFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 10
# Any 32 letters: the CSRF cookie and the header that must repeat it.
CSRF_TOKEN = "contract" * 4


@pytest.fixture(params=["anonymous", "facilitator", "coordinator"])
def role(request):
    return request.param


@pytest.fixture
def world(territory):
    """One of each object an operation can name in its path, in the roles' territory."""
    facilitator = MembershipFactory(territory=territory, facilitator=True).user
    coordinator = MembershipFactory(territory=territory, coordinator=True).user
    capteur = CapteurFactory(territory=territory, partner=True, referent=facilitator)
    code = ReferralCodeFactory(capteur=capteur)
    referral = ReferralFactory(capteur=capteur, assigned_to=facilitator, met=True)
    structure = StructureFactory(territory=territory)
    orientation = referral_orient(referral=referral, structure_id=structure.pk, actor=facilitator)
    visit = VisitFactory(capteur=capteur, facilitator=facilitator)
    privacy_request = PrivacyRequestFactory(territory=territory, requested_by=coordinator)
    return {
        "users": {"facilitator": facilitator, "coordinator": coordinator},
        "ids": {
            "capteur_id": capteur.pk,
            "code_id": code.pk,
            "referral_id": referral.pk,
            "structure_id": structure.pk,
            "orientation_id": orientation.pk,
            "visit_id": visit.pk,
            "request_id": privacy_request.pk,
        },
    }


def openapi_document():
    """The schema /api/schema/ serves, as plain JSON."""
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


# In the schema, a path's object id is SEEDED (the test puts the seeded object's id there) or
# MISSING (no such object: 404).
SEEDED, MISSING = 0, 2_000_000_000


def pin_path_ids(document, names):
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in names:
                    parameter["schema"] = {"type": "integer", "enum": [SEEDED, MISSING]}
    return document


@pytest.fixture(autouse=True)
def _keep_the_tests_database_connection():
    """As Django's test client does: the WSGI handler's request signals would close the test's
    database connection after each request (on PostgreSQL, the test's transaction with it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(role, world):
    """What the role's browser sends: its session cookie and the CSRF token."""
    # Uncompressed answers: the in-process client does not undo GZipMiddleware.
    plain = {"Accept-Encoding": "identity"}
    if role == "anonymous":
        return {"headers": plain}
    client = Client()
    if role == "coordinator":
        # A coordinator's session passed the second factor (their role requires one).
        log_in_verified(client, world["users"][role])
    else:
        client.force_login(world["users"][role])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "cookies": {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF_TOKEN},
        "headers": {**plain, "X-CSRFToken": CSRF_TOKEN},
    }


PATH_IDS = (
    "capteur_id",
    "code_id",
    "referral_id",
    "structure_id",
    "orientation_id",
    "visit_id",
    "request_id",
)
# The coverage phase (every boundary value of every field) costs minutes on the larger
# bodies; the bounded fuzzing phase, positive and negative, is what runs.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(pin_path_ids(openapi_document(), PATH_IDS), config=CONFIG)
schema.app = get_wsgi_application()


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_documented(case, world, credentials):
    for name, value in case.path_parameters.items():
        if name in PATH_IDS and value == SEEDED:
            case.path_parameters[name] = world["ids"][name]
    case.call_and_validate(checks=CHECKS, **credentials)
