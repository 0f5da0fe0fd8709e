"""The one URL of the bench floor: POST a JSON body, one INSERT, a JSON answer (201)."""

import json

from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path

# Created by tests/bench/run.py in the bench database, dropped with it.
FLOOR_TABLE = "bench_floor"


def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    payload = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (created_at, payload) VALUES (now(), %s) RETURNING id",  # noqa: S608
            [json.dumps(payload)],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("insert/", insert)]
