from django.apps import AppConfig


class StructuresConfig(AppConfig):
    """Partner support structures a facilitator orients people to."""

    name = "backend.structures"
    label = "structures"
    verbose_name = "Structures d'accompagnement"
