"""Reading structure files: CSV and the data·inclusion "services" schema, into import rows.

Parsers only read and map; they never touch the database. `structure_import_rows`
(backend.structures.services) validates and writes each row. A file that cannot be read at all
raises `UnreadableFile` (rendered as a 400 problem); a bad row is the importer's business and
never stops the others.

An import row is `(number, fields)`: `number` is what the report shows the user (the
spreadsheet row, header = row 1; or the position of the service in the JSON list, from 1),
`fields` holds only what the file gives, with model field names, plus an optional `contact`
dict (name, role, phone, email), `source`, and `problems` (reasons the parser already knows
the row is bad). Needs and kind stay as the file spells them
(codes or labels): the importer resolves them and reports what it does not know.

data·inclusion field names are those of gip-inclusion/data-inclusion-schema: the 0.x service
schema (presentation_resume, presentation_detail, page_web, horaires_ouverture...) and 1.x
(description, lien_mobilisation, horaires_accueil...) are both read.
"""

import csv
import io
import json
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from backend.core.errors import DomainError
from backend.structures.enums import Need, StructureKind

MAX_FILE_BYTES = 5 * 1024 * 1024
CSV_SOURCE = "csv"
DATA_INCLUSION_SOURCE = "data_inclusion"


class UnreadableFile(DomainError):
    """The file as a whole cannot be read (encoding, syntax, missing columns): nothing imported."""

    status_code = 400
    code = "unreadable_file"


# --- Vocabularies -------------------------------------------------------------------------

# data·inclusion thematiques → our needs, by top-level thematique (the part before "--").
# The one mapping table: anything absent maps to Need.AUTRE.
THEMATIQUE_NEEDS = {
    "trouver-un-emploi": Need.EMPLOI,
    "accompagnement-social-et-professionnel-personnalise": Need.EMPLOI,
    "choisir-un-metier": Need.EMPLOI,
    "preparer-sa-candidature": Need.EMPLOI,
    "creation-activite": Need.EMPLOI,
    "souvrir-a-linternational": Need.EMPLOI,
    "apprendre-francais": Need.FORMATION,
    "se-former": Need.FORMATION,
    "illettrisme": Need.FORMATION,
    "logement-hebergement": Need.LOGEMENT,
    "sante": Need.SANTE,
    # "Remobilisation" is lien social, confiance en soi, bien-être: what isolation needs.
    "remobilisation": Need.ISOLEMENT,
    "mobilite": Need.MOBILITE,
    "handicap": Need.HANDICAP,
    "acces-aux-droits-et-citoyennete": Need.DEMARCHES,
    "numerique": Need.DEMARCHES,
    "gestion-financiere": Need.BUDGET,
    # Food aid and basic equipment: what an épicerie solidaire or a charity offers.
    "equipement-et-alimentation": Need.BUDGET,
}

# data·inclusion structure typologies → our kinds. Anything absent maps to StructureKind.AUTRE.
TYPOLOGIE_KINDS = {
    "ML": StructureKind.MISSION_LOCALE,
    "FT": StructureKind.FRANCE_TRAVAIL,
    "PE": StructureKind.FRANCE_TRAVAIL,  # Pôle emploi, before 2024
    "CAP_EMPLOI": StructureKind.CAP_EMPLOI,
    "PLIE": StructureKind.PLIE,
    "CCAS": StructureKind.CCAS,
    "CIAS": StructureKind.CCAS,
    "CMP": StructureKind.CMP,
    "CAF": StructureKind.CAF,
    "CPAM": StructureKind.CPAM,
    "CD": StructureKind.DEPARTEMENT,
    "DEPT": StructureKind.DEPARTEMENT,
    "MDS": StructureKind.DEPARTEMENT,
    "CDAS": StructureKind.DEPARTEMENT,
    "RFS": StructureKind.FRANCE_SERVICES,
    "MSAP": StructureKind.FRANCE_SERVICES,
    "ASSO": StructureKind.ASSOCIATION,
    "ASSO_CHOMEUR": StructureKind.ASSOCIATION,
}


def _key(text) -> str:
    """Comparable form of a header, code or label: no accents, lower case, single spaces."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


# How a user may spell a need in a CSV: its code, its label, or one of these.
_NEED_WORDS = {_key(n.value): n for n in Need} | {_key(n.label): n for n in Need}
_NEED_WORDS |= {
    "dettes": Need.BUDGET,
    "budget dettes": Need.BUDGET,
    "demarches administratives": Need.DEMARCHES,
    "acces aux droits": Need.DEMARCHES,
    "numerique": Need.DEMARCHES,
    "hebergement": Need.LOGEMENT,
    "lien social": Need.ISOLEMENT,
}
_KIND_WORDS = (
    {_key(k.value): k for k in StructureKind}
    | {_key(k.label): k for k in StructureKind}
    | {_key(code): kind for code, kind in TYPOLOGIE_KINDS.items()}
    | {"pole emploi": StructureKind.FRANCE_TRAVAIL, "cias": StructureKind.CCAS}
)


def need_from_text(text) -> Need | None:
    """The need a code, label or common word names; None when unknown."""
    return _NEED_WORDS.get(_key(text))


def kind_from_text(text) -> StructureKind | None:
    """The kind a code, label or data·inclusion typology names; None when unknown."""
    return _KIND_WORDS.get(_key(text))


def needs_from_thematiques(thematiques) -> list[Need]:
    """Our needs for data·inclusion thematiques, in Need order, without repeats."""
    if isinstance(thematiques, str):
        thematiques = [thematiques]
    found = {
        THEMATIQUE_NEEDS.get(str(t).split("--", 1)[0].strip(), Need.AUTRE)
        for t in thematiques or []
    }
    return [need for need in Need if need in found]


def decimal_or_none(value) -> Decimal | None:
    """A coordinate from a file ("43,3812", 43.38, "") to 6 decimals; ValueError if not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))


# --- CSV ----------------------------------------------------------------------------------

# Column names, in French (header case and accents do not matter) → row field.
CSV_COLUMNS = {
    "nom": "name",
    "type": "kind",
    "besoins": "needs",
    "description": "description",
    "adresse": "address",
    "code postal": "postal_code",
    "commune": "city",
    "latitude": "latitude",
    "longitude": "longitude",
    "telephone": "phone",
    "courriel": "email",
    "site web": "website",
    "horaires": "opening_hours",
    "identifiant": "external_id",
    "contact": "contact.name",
    "contact fonction": "contact.role",
    "contact telephone": "contact.phone",
    "contact courriel": "contact.email",
}
CSV_ALIASES = {
    "presentation": "description",
    "cp": "code postal",
    "ville": "commune",
    "tel": "telephone",
    "email": "courriel",
    "e mail": "courriel",
    "mail": "courriel",
    "site": "site web",
    "id": "identifiant",
    "horaires d accueil": "horaires",
}
# Needs in one cell: "emploi | formation", "Logement, santé", "budget/dettes".
NEED_SEPARATORS = "|,;/+"


def _read_text(file) -> str:
    raw = file.read() if hasattr(file, "read") else file
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableFile(_("Le fichier dépasse la taille maximale (5 Mo)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _(
                "Le fichier n'est pas encodé en UTF-8. Dans votre tableur, enregistrez-le "
                "au format « CSV UTF-8 »."
            )
        ) from None


def _split_needs(cell: str) -> list[str]:
    for separator in NEED_SEPARATORS[1:]:
        cell = cell.replace(separator, NEED_SEPARATORS[0])
    return [part.strip() for part in cell.split(NEED_SEPARATORS[0]) if part.strip()]


def parse_csv(file) -> list[tuple[int, dict]]:
    """Import rows of a CSV file (bytes, text or a binary file).

    UTF-8 with or without BOM; `;` or `,` delimiter, told apart on the header line. Columns:
    nom (required), type, besoins, description, adresse, code_postal, commune, latitude,
    longitude, telephone, courriel, site_web, horaires, identifiant, contact,
    contact_fonction, contact_telephone, contact_courriel. Unknown columns are ignored.
    """
    text = _read_text(file)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(_("Le fichier CSV est mal formé : %s.") % error) from None
    if not records:
        raise UnreadableFile(_("Le fichier est vide."))
    columns = []
    for title in records[0]:
        key = _key(title)
        columns.append(CSV_COLUMNS.get(CSV_ALIASES.get(key, key)))
    if "name" not in columns:
        raise UnreadableFile(
            _(
                "La colonne « nom » est introuvable sur la première ligne. Colonnes "
                "reconnues : %(columns)s ; séparateur « ; » ou « , »."
            )
            % {"columns": ", ".join(c.replace(" ", "_") for c in CSV_COLUMNS)}
        )
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        fields: dict = {}
        contact: dict = {}
        for column, cell in zip(columns, record, strict=False):
            if column is None:
                continue
            value = cell.strip()
            if column.startswith("contact."):
                contact[column.removeprefix("contact.")] = value
            elif column == "needs":
                fields["needs"] = _split_needs(value)
            else:
                fields[column] = value
        for column in columns[len(record) :]:  # a short line: its missing cells are empty
            if column and not column.startswith("contact.") and column not in fields:
                fields[column] = [] if column == "needs" else ""
        if any(contact.values()):
            fields["contact"] = contact
        rows.append((index, fields))
    return rows


# --- data·inclusion -----------------------------------------------------------------------


def _text(item: dict, *names) -> str:
    """The first non-empty of `names` in `item`, as stripped text."""
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _service_fields(service: dict) -> dict:
    raw_structure = service.get("structure")
    structure = raw_structure if isinstance(raw_structure, dict) else {}
    name = _text(service, "nom")
    if _text(structure, "nom") and name:
        name = f"{_text(structure, 'nom')} — {name}"
    description = _text(service, "description") or "\n\n".join(
        part
        for part in (_text(service, "presentation_resume"), _text(service, "presentation_detail"))
        if part
    )
    typologie = _text(structure, "typologie") or _text(service, "typologie")
    address = ", ".join(
        p for p in (_text(service, "adresse"), _text(service, "complement_adresse")) if p
    )
    fields = {
        "external_id": _text(service, "id"),
        "name": name,
        "kind": TYPOLOGIE_KINDS.get(typologie.upper(), StructureKind.AUTRE),
        "needs": needs_from_thematiques(service.get("thematiques")),
        "description": description,
        "address": address,
        "postal_code": _text(service, "code_postal"),
        "city": _text(service, "commune"),
        "latitude": service.get("latitude"),
        "longitude": service.get("longitude"),
        "phone": _text(service, "telephone"),
        "email": _text(service, "courriel"),
        "website": _text(service, "page_web", "lien_mobilisation", "site_web", "lien_source"),
        "opening_hours": _text(service, "horaires_accueil", "horaires_ouverture"),
    }
    if _text(service, "source"):
        fields["source"] = f"{DATA_INCLUSION_SOURCE}:{_text(service, 'source')}"
    if _text(service, "contact_nom_prenom"):
        fields["contact"] = {"name": _text(service, "contact_nom_prenom")}
    return fields


def parse_data_inclusion(data) -> list[tuple[int, dict]]:
    """Import rows of data·inclusion services: a JSON list of services, or an API page
    (`{"items": [...]}`, each item a service or `{"service": {...}}`).

    `data` is bytes, text, a binary file, or the already decoded JSON. One row per service,
    numbered from 1 in the list. A service's id is its identifier for re-imports, within its
    own `source` (e.g. "dora", recorded as "data_inclusion:dora").
    """
    if isinstance(data, bytes | str) or hasattr(data, "read"):
        try:
            data = json.loads(_read_text(data))
        except json.JSONDecodeError as error:
            raise UnreadableFile(
                _("Le fichier n'est pas un JSON valide (ligne %(line)s) : %(msg)s.")
                % {"line": error.lineno, "msg": error.msg}
            ) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise UnreadableFile(
            _("Le fichier doit contenir une liste de services au format data·inclusion.")
        )
    rows = []
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict) and isinstance(item.get("service"), dict):
            item = item["service"]
        if isinstance(item, dict):
            rows.append((number, _service_fields(item)))
        else:
            rows.append((number, {"problems": [_("Cet élément n'est pas un service.")]}))
    return rows
