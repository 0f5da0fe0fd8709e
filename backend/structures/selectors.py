"""Reads of structures, scoped to the user's territories, with their contacts."""

from collections.abc import Sequence

from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.accounts.models import User
from backend.structures.models import Structure, StructureContact


def structure_queryset(*, user: User) -> QuerySet[Structure]:
    """Structures `user` may see (active or not), with their territory and contacts."""
    return (
        Structure.objects.for_user(user)
        .select_related("territory")
        .prefetch_related(Prefetch("contacts", queryset=StructureContact.objects.order_by("id")))
    )


def structure_get(*, user: User, pk: int) -> Structure:
    """The structure `pk` if `user` may see it; 404 otherwise (whether it exists or not)."""
    return get_object_or_404(structure_queryset(user=user), pk=pk)


def covering_needs(queryset: QuerySet[Structure], needs: Sequence[str]) -> QuerySet[Structure]:
    """Structures of `queryset` covering at least one of `needs` (Need values).

    PostgreSQL answers with JSON containment; SQLite has none, so there the JSON text is
    searched for the quoted value (no Need value is a quoted substring of another).
    """
    json_contains = connections[queryset.db].features.supports_json_field_contains
    condition = Q()
    for need in needs:
        if json_contains:
            condition |= Q(needs__contains=[need])
        else:
            condition |= Q(needs__icontains=f'"{need}"')
    return queryset.filter(condition) if needs else queryset
