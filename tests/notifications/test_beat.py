"""The beat schedule (settings.CELERY_BEAT_SCHEDULE) names tasks that exist: a renamed or
deleted task would otherwise fail silently in the beat process, every night."""

import pytest
from celery.schedules import BaseSchedule
from django.conf import settings

from backend.config.celery import app


@pytest.fixture(scope="module")
def tasks():
    app.loader.import_default_modules()  # what a worker's autodiscovery imports
    return app.tasks


def project_tasks(tasks):
    return {
        name: task for name, task in tasks.items() if task.run.__module__.startswith("backend.")
    }


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_names_a_registered_task(tasks, entry):
    task_name = settings.CELERY_BEAT_SCHEDULE[entry]["task"]

    assert task_name in tasks, f"{entry}: no task {task_name!r}"
    assert task_name in project_tasks(tasks)


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_has_a_schedule(entry):
    when = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]

    assert isinstance(when, (int, float, BaseSchedule)), entry


def test_every_task_has_an_explicit_name(tasks):
    """Names survive moving a function between modules; the beat schedule and queued messages
    refer to tasks by name."""
    found = project_tasks(tasks)

    assert found
    for name, task in found.items():
        assert name != f"{task.run.__module__}.{task.run.__name__}", name
