"""The export files: funder indicators as CSV and XLSX, the pseudonymised referrals as CSV.

CSV for Excel in French: UTF-8 with a byte order mark (else Excel reads it as Windows-1252),
`;` between fields (`,` is the decimal separator there), decimals written with a comma. Text
cells that Excel would take for a formula (=, +, -, @) are prefixed with an apostrophe.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # ships no types
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.capteurs.enums import CapteurKind
from backend.dashboard.selectors.indicators import INDICATORS, MonthIndicators
from backend.referrals.enums import Channel, ClosingReason, FilledBy, Status
from backend.referrals.models import Referral
from backend.structures.enums import Need

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as Excel in French reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Line:
    """A file-like object that hands back what csv.writer writes (one line at a time)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The lines of a CSV file for Excel in French, byte order mark first."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


# --- funder indicators -----------------------------------------------------------------------


def indicators_header() -> list[str]:
    return [str(_("Territoire")), str(_("Mois")), *(str(i.header) for i in INDICATORS)]


def indicators_row(row: MonthIndicators) -> list[Any]:
    return [
        row.territory.name,
        row.month.strftime("%Y-%m"),
        *(getattr(row, indicator.key) for indicator in INDICATORS),
    ]


def indicators_csv(rows: list[MonthIndicators]) -> str:
    return "".join(csv_lines(indicators_header(), (indicators_row(row) for row in rows)))


def indicators_xlsx(rows: list[MonthIndicators]) -> bytes:
    """An Excel workbook: the indicators (one row per territory and month, numbers as numbers)
    and their definitions."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    one_decimal = workbook.add_format({"num_format": "0.0"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet(str(_("Indicateurs")))
    header = indicators_header()
    for column, title in enumerate(header):
        sheet.write_string(0, column, title, bold)
    for line, row in enumerate(rows, start=1):
        sheet.write_string(line, 0, row.territory.name)
        sheet.write_string(line, 1, row.month.strftime("%Y-%m"))
        for column, indicator in enumerate(INDICATORS, start=2):
            value = getattr(row, indicator.key)
            if value is None:
                sheet.write_blank(line, column, None)
            elif isinstance(value, float):
                sheet.write_number(line, column, value, one_decimal)
            else:
                sheet.write_number(line, column, value)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, len(header) - 1, 16)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)

    definitions = workbook.add_worksheet(str(_("Définitions")))
    definitions.write_string(0, 0, str(_("Indicateur")), bold)
    definitions.write_string(0, 1, str(_("Définition")), bold)
    for line, indicator in enumerate(INDICATORS, start=1):
        definitions.write_string(line, 0, str(indicator.header), wrap)
        definitions.write_string(line, 1, str(indicator.definition), wrap)
    definitions.set_column(0, 0, 36)
    definitions.set_column(1, 1, 90)
    workbook.close()
    return output.getvalue()


# --- pseudonymised referrals -------------------------------------------------------------------


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


REFERRAL_COLUMNS: list[tuple[Any, Callable[[Referral], Any]]] = [
    (_("Référence"), lambda r: r.pseudonym),
    (_("Territoire"), lambda r: r.territory.name),
    (_("Capteur"), lambda r: r.capteur.name if r.capteur else ""),
    (_("Type de capteur"), lambda r: _label(CapteurKind, r.capteur.kind) if r.capteur else ""),
    (_("Code"), lambda r: r.code.short_code if r.code else ""),
    (_("Canal"), lambda r: _label(Channel, r.channel)),
    (_("Rempli par"), lambda r: _label(FilledBy, r.filled_by)),
    # " / " between needs: some labels have a comma ("Budget, dettes").
    (_("Besoins"), lambda r: " / ".join(_label(Need, need) for need in r.needs or [])),
    (_("Statut"), lambda r: _label(Status, r.status)),
    (
        _("Motif de clôture"),
        lambda r: _label(ClosingReason, r.closing_reason) if r.closing_reason else "",
    ),
    (_("Doublon possible"), lambda r: r.possible_duplicate_of_id is not None),
    (_("Reçue le"), lambda r: r.created_at),
    (_("Premier contact attendu avant le"), lambda r: r.first_contact_due_on),
    (_("Premier contact le"), lambda r: r.first_contacted_at),
    # Annotations of selectors.exports.referral_export_rows.
    (_("Rencontrée le"), lambda r: getattr(r, "met_at", None)),
    (_("Orientée le"), lambda r: getattr(r, "oriented_at", None)),
    (_("Clôturée le"), lambda r: r.closed_at),
]


def referrals_csv_lines(referrals: Iterable[Referral]) -> Iterator[str]:
    """The lines of the referral export, one referral at a time (for a streamed response)."""
    return csv_lines(
        [str(title) for title, _read in REFERRAL_COLUMNS],
        ([read(referral) for _title, read in REFERRAL_COLUMNS] for referral in referrals),
    )
