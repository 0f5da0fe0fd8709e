"""Work that waits until the response is sent: `run_after_response(task)`.

A WSGI server calls the response's `close()` once it has written the whole body (PEP 3333),
and Django sends `request_finished` from there: tasks queued during a request run then, in the
same worker, after the person already has their answer (gunicorn, runserver, the live test
server, and Django's test client, which closes the response before returning it). Outside a
request (a Celery task, a management command, a shell) a task runs at once.

Used by the outbox when tasks run in-process (the embedded default, no broker): a delivery is
never made inside the request that wrote it. A task that raises is logged and the next one
runs: the response is gone, nobody is there to answer.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

# The current request's queue; None outside a request. A ContextVar: each thread of a threaded
# server has its own.
_queue: ContextVar[list[Callable[[], object]] | None] = ContextVar(
    "after_response_queue", default=None
)


def in_request() -> bool:
    """Whether a request is being answered in this thread (tasks would wait for its end)."""
    return _queue.get() is not None


def run_after_response(task: Callable[[], object]) -> None:
    """Runs `task` once the current response is sent, or now outside a request."""
    queue = _queue.get()
    if queue is None:
        _run([task])
    else:
        queue.append(task)


def _run(tasks: list[Callable[[], object]]) -> None:
    for task in tasks:
        try:
            task()
        except Exception:
            logger.exception("after-response task failed")


def _request_started(**kwargs) -> None:
    # A queue left by a request that never finished (no close(): never seen) still runs.
    leftover = _queue.get()
    _queue.set([])
    if leftover:
        _run(leftover)


def _request_finished(**kwargs) -> None:
    queue = _queue.get()
    _queue.set(None)
    if queue:
        _run(queue)


request_started.connect(_request_started, dispatch_uid="backend.core.after_response.started")
request_finished.connect(_request_finished, dispatch_uid="backend.core.after_response.finished")
