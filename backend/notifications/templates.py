"""The names of the messages Relais sends, as each domain app declares them.

The outbox stores a message's name (`Notification.template`) and shows its label in the admin,
but it does not know what messages exist: each domain app declares its own in its
`notifications.py`, as `TextChoices` decorated with `register_templates`.
"""

from typing import TypeVar

from django.db import models

Choices = TypeVar("Choices", bound=models.TextChoices)

_labels: dict[str, str] = {}


def register_templates(choices: type[Choices]) -> type[Choices]:
    """Class decorator: the labels of `choices` become known to the outbox's admin."""
    for value, label in choices.choices:
        _labels[value] = label
    return choices


def template_label(value: str) -> str:
    """The label of a message name (the name itself when no app declared it)."""
    return str(_labels.get(value, value))


def template_choices() -> list[tuple[str, str]]:
    """Every declared message name with its label, sorted by label (admin filters)."""
    return sorted(((value, str(label)) for value, label in _labels.items()), key=lambda c: c[1])
