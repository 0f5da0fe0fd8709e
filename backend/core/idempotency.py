"""Idempotent staff writes: the `Idempotency-Key` header, honoured once for every endpoint.

The PWA keeps the actions a facilitator takes offline (a contact attempt, a note, a status
move, a new capteur, a visit done or planned) in an outbox and replays them when the network
returns; a replay may also happen when an answer was lost on the way back (a tunnel, a lift).
Each action carries a key of its own (a UUID), so the server can tell a replay from a new
action:

- no header: the write runs as before;
- a new key: the write runs; if it succeeds (2xx), its answer is stored with the key, in the
  same transaction as the write (IdempotentRequest), so either both exist or neither;
- the same key again, same method, path and body: the stored answer comes back
  (`Idempotent-Replayed: true`) and nothing is written again;
- the same key with another request: 422 problem details (`idempotency_key_reused`);
- a refused write (400, 403, 404, 409...) stores nothing: it wrote nothing, so a later try
  is judged afresh (a 409 stays a 409 while the referral stays where it is).

Keys are per user and live IDEMPOTENCY_KEY_TTL; `idempotent_requests_purge` deletes older
ones (the stored answers may name a referred person). Two requests racing with one key:
the second waits on the unique index until the first commits, then gets its answer.

Use: decorate an APIView handler with `@idempotent` (it also documents the header).
"""

import datetime
import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from backend.core.errors import DomainError
from backend.core.models import IdempotentRequest

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Long enough for an outbox kept through a long weekend without network, short enough that
# the stored answers (which may name a person) do not linger.
IDEMPOTENCY_KEY_TTL = datetime.timedelta(days=7)
# A UUID, or any opaque token of letters, digits, "-", "_", ".", ":" (at most 80 characters).
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,80}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=str(
        _(
            "Une clé unique par action (UUID). Renvoyer la même requête avec la même clé "
            "rend la réponse d'origine sans rien écrire de plus ; la même clé avec une autre "
            "requête est refusée (422)."
        )
    ),
)


class IdempotencyKeyReused(DomainError):
    """The key was already used by this user for a different request."""

    status_code = 422
    code = "idempotency_key_reused"


def request_fingerprint(*, method: str, path: str, data) -> str:
    """sha256 of the method, the path and the parsed body (key order does not matter)."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = dict(data.lists())
    payload = {"method": method.upper(), "path": path, "body": data}
    encoded = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def idempotent_request_find(*, user, key: str) -> IdempotentRequest | None:
    """The live stored request of `user` under `key` (None when unknown or expired)."""
    cutoff = timezone.now() - IDEMPOTENCY_KEY_TTL
    return IdempotentRequest.objects.filter(user=user, key=key, created_at__gte=cutoff).first()


def idempotent_requests_purge(*, now: datetime.datetime | None = None) -> int:
    """Deletes the stored requests older than IDEMPOTENCY_KEY_TTL; returns how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _replay(stored: IdempotentRequest, *, method: str, path: str, fingerprint: str) -> Response:
    if (stored.method, stored.path, stored.fingerprint) != (method, path, fingerprint):
        raise IdempotencyKeyReused(
            gettext(
                "Cette clé d'idempotence a déjà servi pour une autre action : "
                "générez une nouvelle clé."
            )
        )
    return Response(
        stored.response_body, status=stored.response_status, headers={REPLAYED_HEADER: "true"}
    )


def _key_of(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not _KEY_PATTERN.fullmatch(key):
        raise serializers.ValidationError(
            {
                "idempotency_key": [
                    _(
                        "L'en-tête Idempotency-Key doit faire de 8 à 80 caractères "
                        "(lettres, chiffres, - _ . :)."
                    )
                ]
            }
        )
    return key


def idempotent(handler):
    """Makes an APIView handler (post, put, patch...) honour the `Idempotency-Key` header.

    Precondition: the view's permissions admit authenticated users only (keys are per user);
    for anonymous requests the header is ignored. See the module docstring for the rules.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        method, path = request.method.upper(), request.path
        fingerprint = request_fingerprint(method=method, path=path, data=request.data)
        stored = idempotent_request_find(user=request.user, key=key)
        if stored is not None:
            return _replay(stored, method=method, path=path, fingerprint=fingerprint)
        # An expired row under this key would block the insert below: it is dead, drop it.
        IdempotentRequest.objects.filter(user=request.user, key=key).delete()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    user=request.user,
                    key=key,
                    method=method,
                    path=path,
                    fingerprint=fingerprint,
                    response_status=0,
                )
                response = handler(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    # An error answer returned rather than raised: it wrote nothing either.
                    transaction.set_rollback(True)
                    return response
                record.response_status = response.status_code
                # The body as the client gets it (decimals, dates, lazy strings rendered).
                record.response_body = json.loads(JSONRenderer().render(response.data) or "null")
                record.save(update_fields=["response_status", "response_body"])
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as a replay.
            stored = idempotent_request_find(user=request.user, key=key)
            if stored is None:
                raise
            return _replay(stored, method=method, path=path, fingerprint=fingerprint)

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)
