import pytest

from tests.dashboard import dataset


@pytest.fixture
def quarter(territory, other_territory):
    """The first quarter of 2025 of tests/dashboard/dataset.py, as rows."""
    return dataset.build(territory, other_territory)


@pytest.fixture
def quarter_query():
    return {"from": "2025-01-01", "to": "2025-03-31"}
