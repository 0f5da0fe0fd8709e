"""Bulk writes to PostgreSQL: COPY through psycopg 3, explicit ids, sequences put back after.

Rows are written with the ids the generator chose (so that rows of other tables can point
to them without reading anything back); `sequences_reset` then moves each table's sequence
past its largest id, so the application inserts after them as usual.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def max_id(model: type[models.Model]) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a table name
        return cursor.fetchone()[0]


def _default_db_value(field: models.Field) -> Any:
    """What the ORM would store in `field` when a row does not say: its default (an empty
    string for text), or NULL. A NOT NULL field without a default stays NULL, so COPY fails
    loudly instead of inventing a value."""
    value = field.get_default()
    if value is None:
        return None
    return field.get_db_prep_save(value, connection)


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """COPYs `rows` (tuples of values of `fields`, by field name or attname, pk included)
    into `model`'s table. Concrete fields left out get their default (see _default_db_value),
    so that a field added to a model later does not break the generator. Returns the count.

    Values are Python values psycopg knows how to dump (str, int, date, aware datetime,
    None); JSON columns take their JSON text.
    """
    opts = model._meta
    given = [opts.get_field(name) for name in fields]
    given_columns = {field.column for field in given}
    others = [field for field in opts.concrete_fields if field.column not in given_columns]
    defaults = tuple(_default_db_value(field) for field in others)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*given, *others])
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row + defaults if defaults else row)
            count += 1
    return count


def sequences_reset(models_written: Sequence[type[models.Model]]) -> None:
    """Moves each table's id sequence past the largest id (rows were COPYed with their ids)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_written):
            cursor.execute(statement)


def analyze(models_written: Sequence[type[models.Model]]) -> None:
    """Fresh planner statistics (and visibility maps, outside a transaction): without them
    the first queries on the new rows are planned for empty tables."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models_written:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
