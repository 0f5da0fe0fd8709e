import logging

import pytest

from backend.core.logging import RedactSecretPathsFilter
from tests.capteurs.factories import ReferralCodeFactory

pytestmark = pytest.mark.django_db


def test_landing_tokens_never_reach_the_logs(client):
    # given a revoked code, whose landing page answers 410 (Django logs 4xx paths)
    code = ReferralCodeFactory(revoked=True)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretPathsFilter) for f in h.filters)
    )
    lines = []
    handler_emit = handler.emit
    handler.emit = lambda record: lines.append(handler.format(record)) or handler_emit(record)

    try:
        # when
        client.get(f"/r/{code.token}")
        client.get("/r/unknown-token-of-some-length")
    finally:
        handler.emit = handler_emit

    # then
    assert lines, "Django logs 4xx answers"
    assert all(code.token not in line for line in lines)
    assert any("/r/…" in line for line in lines)


def test_mapping_style_log_arguments_survive_redaction():
    record = logging.LogRecord(
        "celery", logging.INFO, __file__, 1, "Task %(name)s: %(path)s", None, None
    )
    record.args = {"name": "t", "path": "/r/abcdefghijklmnopqrstuvwxyz012345"}

    RedactSecretPathsFilter().filter(record)

    assert record.getMessage() == "Task t: /r/…"
