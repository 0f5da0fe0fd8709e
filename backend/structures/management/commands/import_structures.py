from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.accounts.models import Territory
from backend.structures.enums import ImportFormat
from backend.structures.importers import UnreadableFile
from backend.structures.services import structure_import_file


class Command(BaseCommand):
    help = (
        "Imports support structures into a territory from a CSV file or a JSON list of "
        "data·inclusion services, and prints what was created, updated and rejected. "
        "Bad rows are reported, never fatal; the exit code is non-zero only when the file "
        "cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or JSON file.")
        parser.add_argument("--territory", required=True, help="The territory's slug.")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=ImportFormat.values,
            default=ImportFormat.CSV,
            help="csv (default) or data_inclusion.",
        )

    def handle(self, *args, file, territory, file_format, **options):
        try:
            territory = Territory.objects.get(slug=territory)
        except Territory.DoesNotExist:
            raise CommandError(f"Aucun territoire « {territory} ».") from None
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from None
        try:
            report = structure_import_file(
                territory=territory, file=content, file_format=file_format
            )
        except UnreadableFile as error:
            raise CommandError(str(error.message)) from None

        self.stdout.write(
            self.style.SUCCESS(
                f"{territory.name} : {report.created} structure(s) créée(s), "
                f"{report.updated} mise(s) à jour, {len(report.rejected)} ligne(s) rejetée(s)."
            )
        )
        for row, reasons in report.rejected:
            self.stdout.write(self.style.WARNING(f"  ligne {row} : {' ; '.join(reasons)}"))
