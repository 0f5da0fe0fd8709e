"""Writes on structures and their contacts. The API, the admin, the import command and the
demo seed all call these."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from backend.accounts.models import Territory, User
from backend.structures import importers
from backend.structures.enums import ImportFormat, Need, StructureKind
from backend.structures.models import Structure, StructureContact

STRUCTURE_EDITABLE_FIELDS = {
    "name",
    "kind",
    "description",
    "needs",
    "address",
    "postal_code",
    "city",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "opening_hours",
    "is_active",
}
IMPORTABLE_FIELDS = STRUCTURE_EDITABLE_FIELDS - {"is_active"}
CONTACT_FIELDS = {"name", "role", "phone", "email"}


def canonical_needs(needs: Iterable[str]) -> list[str]:
    """`needs` without repeats, in the order of Need. Unknown values are kept, at the end,
    for the model's validator to name them."""
    needs = list(dict.fromkeys(needs))
    return [n.value for n in Need if n in needs] + [n for n in needs if n not in Need.values]


def _check_editable(fields: Iterable[str], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")


def _set_fields(structure: Structure, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        setattr(structure, name, canonical_needs(value) if name == "needs" else value)


@transaction.atomic
def structure_create(
    *,
    territory: Territory,
    actor: User | None,
    contacts: Iterable[Mapping[str, Any]] = (),
    external_source: str = "",
    external_id: str = "",
    **fields: Any,
) -> Structure:
    """Adds a structure to `territory`'s directory, with its contacts (dicts of name, role,
    phone, email).

    Precondition: `actor` (None for the import command and the demo seed) is a member of
    `territory`; the API's serializer checks it. Raises ValidationError, nothing saved.
    """
    _check_editable(fields, STRUCTURE_EDITABLE_FIELDS)
    structure = Structure(
        territory=territory, external_source=external_source, external_id=external_id
    )
    _set_fields(structure, fields)
    structure.full_clean()
    structure.save()
    _replace_contacts(structure, contacts)
    return structure


@transaction.atomic
def structure_update(
    *,
    structure: Structure,
    actor: User | None,
    contacts: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Structure:
    """Updates a structure's fields; when `contacts` is given, it becomes the full list of
    contacts: items with an `id` update that contact, items without one are added, contacts
    left out are removed. Raises ValidationError, nothing saved."""
    _check_editable(fields, STRUCTURE_EDITABLE_FIELDS)
    _set_fields(structure, fields)
    structure.full_clean()
    structure.save()
    if contacts is not None:
        _replace_contacts(structure, contacts)
    return structure


def structure_deactivate(*, structure: Structure, actor: User | None) -> Structure:
    """Takes a structure out of the directory's active list. Never deletes it: referrals
    oriented to it keep pointing to it. Reactivating is `structure_update(is_active=True)`."""
    if structure.is_active:
        structure.is_active = False
        structure.save(update_fields=["is_active", "updated_at"])
    return structure


def _replace_contacts(structure: Structure, contacts: Iterable[Mapping[str, Any]]) -> None:
    existing = {contact.id: contact for contact in structure.contacts.all()}
    kept: set[int] = set()
    for data in contacts:
        data = dict(data)
        contact_id = data.pop("id", None)
        _check_editable(data, CONTACT_FIELDS)
        if contact_id is None:
            contact = StructureContact(structure=structure)
        elif contact_id in existing:
            contact = existing[contact_id]
        else:
            raise ValidationError(
                {
                    "contacts": _("Le contact n°%(id)s n'est pas un contact de cette structure.")
                    % {"id": contact_id}
                }
            )
        for name, value in data.items():
            setattr(contact, name, value)
        try:
            contact.full_clean()
        except ValidationError as error:
            raise ValidationError({"contacts": _reasons(error, StructureContact)}) from None
        contact.save()
        kept.add(contact.id)
    structure.contacts.exclude(id__in=kept).delete()


# --- Import -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    # (row number as the user sees it, French reasons)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": [{"row": row, "reasons": reasons} for row, reasons in self.rejected],
        }


class _RowRejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


def structure_import_file(
    *, territory: Territory, file: bytes | IO[bytes], file_format: str
) -> ImportReport:
    """Reads `file` (bytes or a binary file) in `file_format` (an ImportFormat) and imports its
    rows into `territory`.

    Raises importers.UnreadableFile when the file cannot be read at all (nothing imported).
    """
    if file_format == ImportFormat.CSV:
        return structure_import_rows(
            territory=territory, rows=importers.parse_csv(file), source=importers.CSV_SOURCE
        )
    if file_format == ImportFormat.DATA_INCLUSION:
        return structure_import_rows(
            territory=territory,
            rows=importers.parse_data_inclusion(file),
            source=importers.DATA_INCLUSION_SOURCE,
        )
    raise ValueError(f"Unknown import format: {file_format}")


def structure_import_rows(
    *, territory: Territory, rows: Iterable[tuple[int, Mapping[str, Any]]], source: str
) -> ImportReport:
    """Creates or updates a structure of `territory` per row (see backend.structures.importers
    for the shape of rows); `source` is recorded on each, unless a row names its own.

    A row finds its structure by (source, identifier), else by name and commune among
    structures without an identifier (which it then adopts), else it creates one. The file is
    the truth for the columns it has: an empty cell empties the field; columns it lacks are
    left alone. A structure's activity (is_active) is never changed by an import.

    Each row is written in its own savepoint: a rejected row leaves nothing behind and never
    stops the others. On purpose not atomic as a whole: a long import keeps what it wrote.
    """
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}
    for number, fields in rows:
        fields = dict(fields)
        row_source = fields.pop("source", source)
        external_id = fields.get("external_id", "")
        if external_id:
            first = seen.setdefault((row_source, external_id), number)
            if first != number:
                report.rejected.append(
                    (
                        number,
                        [
                            _("L'identifiant « %(id)s » figure déjà ligne %(row)s du fichier.")
                            % {"id": external_id, "row": first}
                        ],
                    )
                )
                continue
        try:
            with transaction.atomic():
                created = _import_row(territory, fields, source=row_source)
        except _RowRejected as rejection:
            report.rejected.append((number, rejection.reasons))
        except IntegrityError:
            conflict = _("Conflit avec une autre modification en cours : réimportez le fichier.")
            report.rejected.append((number, [conflict]))
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def _import_row(territory: Territory, fields: dict[str, Any], *, source: str) -> bool:
    """Writes one row; True when it created a structure. Raises _RowRejected."""
    problems = list(fields.pop("problems", []))
    if problems:
        raise _RowRejected(problems)
    contact = fields.pop("contact", None)
    external_id = str(fields.pop("external_id", "") or "")
    _check_editable(fields, IMPORTABLE_FIELDS)
    values, failed = _convert(fields, problems)

    structure = _find_structure(
        territory, source, external_id, values.get("name", ""), values.get("city", "")
    )
    created = structure is None
    if structure is None:
        structure = Structure(territory=territory, external_source=source)
    if external_id and not structure.external_id:
        structure.external_source, structure.external_id = source, external_id
    _set_fields(structure, values)
    try:
        structure.full_clean(exclude=failed)
    except ValidationError as error:
        problems += _reasons(error, Structure)
    if problems:
        raise _RowRejected(problems)
    structure.save()
    if contact:
        _import_contact(structure, contact)
    return created


def _convert(fields: dict[str, Any], problems: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Row values as model values; what cannot be converted goes to `problems` and `failed`."""
    values: dict[str, Any] = {}
    failed: list[str] = []
    for name, value in fields.items():
        if name == "kind":
            kind = importers.kind_from_text(value) if value else StructureKind.AUTRE
            if kind is None:
                problems.append(
                    _("Type : « %(value)s » n'est pas un type de structure connu.")
                    % {"value": value}
                )
                failed.append(name)
            values[name] = kind
        elif name == "needs":
            needs = [(text, importers.need_from_text(text)) for text in value]
            for text, need in needs:
                if need is None:
                    problems.append(
                        _("Besoins : « %(value)s » n'est pas un besoin connu (%(known)s).")
                        % {"value": text, "known": ", ".join(Need.values)}
                    )
            values[name] = [need for _text, need in needs if need is not None]
        elif name in ("latitude", "longitude"):
            try:
                values[name] = importers.decimal_or_none(value)
            except ValueError:
                label = _field_label(Structure, name)
                problems.append(
                    _("%(field)s : « %(value)s » n'est pas un nombre.")
                    % {"field": label, "value": value}
                )
                failed.append(name)
        else:
            values[name] = "" if value is None else str(value).strip()
    return values, failed


def _find_structure(
    territory: Territory, source: str, external_id: str, name: str, city: str
) -> Structure | None:
    structures = Structure.objects.for_territory(territory)
    if external_id:
        found = structures.filter(external_source=source, external_id=external_id).first()
        if found is not None:
            return found
    if not name:
        return None
    homonyms = list(
        structures.filter(external_id="", name__iexact=name, city__iexact=city).order_by("id")[:2]
    )
    if len(homonyms) > 1:
        raise _RowRejected(
            [
                _(
                    "Plusieurs structures « %(name)s » existent à « %(city)s » : ajoutez une "
                    "colonne « identifiant » pour dire laquelle mettre à jour."
                )
                % {"name": name, "city": city}
            ]
        )
    return homonyms[0] if homonyms else None


def _import_contact(structure: Structure, data: Mapping[str, Any]) -> None:
    """Adds the row's contact, or updates the structure's contact of the same name."""
    data = {name: ("" if value is None else value) for name, value in data.items()}
    _check_editable(data, CONTACT_FIELDS)
    name = data.get("name", "")
    contact = (name and structure.contacts.filter(name__iexact=name).first()) or StructureContact(
        structure=structure
    )
    for field_name, value in data.items():
        setattr(contact, field_name, value)
    try:
        contact.full_clean()
    except ValidationError as error:
        raise _RowRejected(
            [_("Contact — %(reason)s") % {"reason": r} for r in _reasons(error, StructureContact)]
        ) from None
    contact.save()


def _reasons(error: ValidationError, model: type[Model]) -> list[str]:
    """A model's validation errors as French sentences naming the field: "Téléphone : …"."""
    reasons: list[str] = []
    for name, messages in error.message_dict.items():
        label = None if name == NON_FIELD_ERRORS else _field_label(model, name)
        reasons += [f"{label} : {message}" if label else message for message in messages]
    return reasons


def _field_label(model: type[Model], name: str) -> str:
    """A field's name as people read it: "Téléphone"."""
    model_field = model._meta.get_field(name)
    # Rows and validation errors name concrete fields; a reverse relation has no verbose name.
    return str(capfirst(model_field.verbose_name if isinstance(model_field, Field) else name))
