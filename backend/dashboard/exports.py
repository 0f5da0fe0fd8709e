"""The export files: funder indicators as CSV and XLSX, the pseudonymised referrals as CSV.

CSV for Excel in French: UTF-8 with a byte order mark (else Excel reads it as Windows-1252),
`;` between fields (`,` is the decimal separator there), decimals written with a comma. Text
cells that Excel would take for a formula (=, +, -, @) are prefixed with an apostrophe.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # ships no types
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.capteurs.enums import CapteurKind
from backend.dashboard.selectors.indicators import INDICATORS, MonthIndicators
from backend.referrals.enums import Channel, ClosingReason, FilledBy, Status
from backend.referrals.models import referral_pseudonym
from backend.structures.enums import Need

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CsvCell:
    """Writes a value as Excel in French reads it back. Made once a file: the time zone and the
    words for yes and no are looked up once, not once per cell."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.yes, self.no = str(_("oui")), str(_("non"))

    def __call__(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, float):
            return f"{value:.1f}".replace(".", ",")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, datetime.datetime):
            return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
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
    cell = CsvCell()
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


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


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value's label, translated once (not once per row)."""
    return {value: str(label) for value, label in choices.choices}


REFERRAL_HEADER = [
    _("Référence"),
    _("Territoire"),
    _("Capteur"),
    _("Type de capteur"),
    _("Code"),
    _("Canal"),
    _("Rempli par"),
    _("Besoins"),
    _("Statut"),
    _("Motif de clôture"),
    _("Doublon possible"),
    _("Reçue le"),
    _("Premier contact attendu avant le"),
    _("Premier contact le"),
    _("Rencontrée le"),
    _("Orientée le"),
    _("Clôturée le"),
]


def referrals_csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The lines of the referral export, one referral at a time (for a streamed response), from
    the rows of selectors.exports.referral_export_rows."""
    kinds, channels, filled_by = _labels(CapteurKind), _labels(Channel), _labels(FilledBy)
    needs, statuses, reasons = _labels(Need), _labels(Status), _labels(ClosingReason)

    def line(r: dict[str, Any]) -> list[Any]:
        kind, reason = r["capteur__kind"], r["closing_reason"]
        return [
            referral_pseudonym(r["id"], r["created_at"]),
            r["territory__name"],
            r["capteur__name"] or "",
            kinds.get(kind, kind) if kind else "",
            r["code__short_code"] or "",
            channels.get(r["channel"], r["channel"]),
            filled_by.get(r["filled_by"], r["filled_by"]),
            # " / " between needs: some labels have a comma ("Budget, dettes").
            " / ".join(needs.get(need, need) for need in r["needs"] or []),
            statuses.get(r["status"], r["status"]),
            reasons.get(reason, reason) if reason else "",
            r["possible_duplicate_of_id"] is not None,
            r["created_at"],
            r["first_contact_due_on"],
            r["first_contacted_at"],
            r["met_at"],
            r["oriented_at"],
            r["closed_at"],
        ]

    return csv_lines([str(title) for title in REFERRAL_HEADER], (line(r) for r in rows))
