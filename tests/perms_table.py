"""What every app's role × action table test shares (tests/<app>/test_perms.py).

Each app keeps its TABLE of rows, its calls and how to make them; this module walks the table,
checks an answer against it, and keeps the table equal to the one documented in the app's
perms.py docstring and in README.md, and to the app's endpoints.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import pytest

from tests.conftest import markdown_table, readme

HEADER = ("action", "facilitator", "coordinator")
METHODS = ("get", "post", "put", "patch", "delete")


class Row(NamedTuple):
    """One line of a perms table: what the facilitator and the coordinator columns say of an
    action, and the requests (`calls`, each with at least `name` and `method`) standing for it."""

    action: str
    facilitator: str
    coordinator: str
    calls: Sequence[Any]


def walk(
    table: Iterable[Row], roles: Iterable[str], allowed: Callable[[Row, str], bool]
) -> Iterator[Any]:
    """pytest params (role, call, may) for every call of every row, by every role."""
    for row in table:
        for role in roles:
            may = allowed(row, role)
            for call in row.calls:
                label = getattr(call, "label", "")
                name = "-".join(filter(None, [call.method, call.name, label]))
                yield pytest.param(role, call, may, id=f"{name}-by-{role}")


def yes_or_no(cell: str) -> bool:
    assert cell in ("yes", "no"), f"unknown cell {cell!r}"
    return cell == "yes"


def assert_answer(response, *, may: bool, ok: int, unchanged: Callable[[], bool]) -> None:
    """Allowed: the call's own success status. Refused: a French 403 problem document, and
    nothing changed (`unchanged()` compares the state before and after)."""
    if may:
        assert response.status_code == ok, response.content
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert unchanged()


def assert_documented(table: Iterable[Row], *, module_doc: str | None, readme_heading: str):
    """The table is the one in the perms module's docstring and under `readme_heading`."""
    documented = [HEADER, *((row.action, row.facilitator, row.coordinator) for row in table)]
    assert markdown_table(module_doc) == documented
    assert markdown_table(readme(), under=readme_heading) == documented


def assert_every_endpoint_walked(table: Iterable[Row], urlpatterns) -> None:
    """Every (URL name, method) of the app's urls is a call of some row, and every row has
    calls: a new endpoint fails until it is given a row."""
    rows = list(table)
    endpoints = {
        (pattern.name, method)
        for pattern in urlpatterns
        for method in METHODS
        if hasattr(pattern.callback.view_class, method)
    }
    walked = {(call.name, call.method) for row in rows for call in row.calls}
    assert all(row.calls for row in rows)
    assert walked == endpoints
