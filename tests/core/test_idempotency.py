"""The Idempotency-Key mechanism (backend.core.idempotency), on a view of its own: a replay
gets the stored answer and writes nothing; another request under the same key is 422; a
refused write stores nothing; keys are per user and expire. Each endpoint using it has its own
HTTP test (tests/referrals/test_idempotent_actions.py, tests/capteurs/test_idempotent_writes.py).
"""

import datetime
import json

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import status
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from backend.core.errors import DomainError
from backend.core.idempotency import (
    IDEMPOTENCY_KEY_TTL,
    idempotent,
    idempotent_requests_purge,
)
from backend.core.models import IdempotentRequest
from backend.core.tasks import purge_idempotent_requests
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KEY = "5d0f6c1e-1b8a-4a53-9a39-2d2f1c6c0a11"


class CountingApi(APIView):
    """Writes one row per call it really handles (a stand-in for a service's write)."""

    calls = 0

    @idempotent
    def post(self, request):
        if request.data.get("refuse"):
            raise DomainError("Refusé.", code="refused")
        CountingApi.calls += 1
        IdempotentRequest.objects.count()  # any query: the handler runs inside the transaction
        return Response(
            {"call": CountingApi.calls, "echo": request.data, "at": timezone.now()},
            status=status.HTTP_201_CREATED,
        )


@pytest.fixture(autouse=True)
def _reset_calls():
    CountingApi.calls = 0


@pytest.fixture
def user(territory):
    return MembershipFactory(territory=territory, facilitator=True).user


def post(user, data, *, key=KEY, path="/api/v1/things/"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    request = APIRequestFactory().post(path, data, format="json", **headers)
    force_authenticate(request, user)
    response = CountingApi.as_view()(request)
    response.render()
    return response


def test_without_a_key_every_request_is_handled(user):
    post(user, {"a": 1}, key=None)
    post(user, {"a": 1}, key=None)

    assert CountingApi.calls == 2
    assert not IdempotentRequest.objects.exists()


def test_a_replay_gets_the_first_answer_and_writes_nothing(user):
    first = post(user, {"a": 1, "b": [1, 2]})

    again = post(user, {"b": [1, 2], "a": 1})  # same body, other key order

    assert CountingApi.calls == 1
    assert again.status_code == first.status_code == 201
    assert json.loads(again.content) == json.loads(first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


def test_the_same_key_with_another_body_is_422(user):
    post(user, {"a": 1})

    response = post(user, {"a": 2})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.data["code"] == "idempotency_key_reused"
    assert CountingApi.calls == 1


def test_the_same_key_on_another_path_is_422(user):
    post(user, {"a": 1})

    assert post(user, {"a": 1}, path="/api/v1/other/").status_code == 422


def test_keys_belong_to_one_user(user, territory):
    colleague = MembershipFactory(territory=territory, facilitator=True).user

    post(user, {"a": 1})
    response = post(colleague, {"a": 1})

    assert response.status_code == 201
    assert CountingApi.calls == 2


def test_a_refused_write_stores_nothing_and_is_judged_again(user):
    assert post(user, {"refuse": True}).status_code == 409
    assert not IdempotentRequest.objects.exists()

    # the same key, the same refused body: judged afresh, still refused
    assert post(user, {"refuse": True}).status_code == 409


def test_an_expired_key_is_a_new_request(user):
    post(user, {"a": 1})
    IdempotentRequest.objects.update(
        created_at=timezone.now() - IDEMPOTENCY_KEY_TTL - datetime.timedelta(minutes=1)
    )

    response = post(user, {"a": 1})

    assert response.status_code == 201
    assert response.data["call"] == 2
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 81, "has space inside", "é" * 10])
def test_a_malformed_key_is_400(user, key):
    response = post(user, {"a": 1}, key=key)

    assert response.status_code == 400
    assert "idempotency_key" in response.data["errors"]
    assert CountingApi.calls == 0


def test_old_keys_are_purged_daily(user, settings):
    post(user, {"a": 1})
    post(user, {"a": 1}, key="old-key-0001")
    IdempotentRequest.objects.filter(key="old-key-0001").update(
        created_at=timezone.now() - IDEMPOTENCY_KEY_TTL - datetime.timedelta(hours=1)
    )

    assert purge_idempotent_requests.apply().get() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == [KEY]
    assert idempotent_requests_purge() == 0
    assert any(
        entry["task"] == "core.purge_idempotent_requests"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )


def test_the_header_is_documented_on_every_idempotent_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }

    assert documented == {
        ("/api/v1/capteurs/", "post"),
        ("/api/v1/capteurs/{capteur_id}/codes/", "post"),
        ("/api/v1/referrals/{referral_id}/attempts/", "post"),
        ("/api/v1/referrals/{referral_id}/notes/", "post"),
        ("/api/v1/referrals/{referral_id}/orientations/", "post"),
        ("/api/v1/referrals/{referral_id}/reassign/", "post"),
        ("/api/v1/referrals/{referral_id}/status/", "post"),
        ("/api/v1/visits/", "post"),
        ("/api/v1/visits/{visit_id}/cancel/", "post"),
        ("/api/v1/visits/{visit_id}/done/", "post"),
        ("/api/v1/visits/{visit_id}/reschedule/", "post"),
    }
