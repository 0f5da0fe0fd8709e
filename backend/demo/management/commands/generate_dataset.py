import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from backend.demo.dataset.generate import Sizes, database_has_data, generate_dataset
from backend.demo.dataset.pg import is_postgresql


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fills a PostgreSQL database with a large generated network for benchmarks: "
        "territories, staff, capteurs, codes, referrals over N years with their events, "
        "contact attempts, orientations and outbox rows, scan days and visits. Written with "
        "COPY (minutes for a million referrals). Refuses a database that holds data unless "
        "--flush (empty it first) or --force (add to it). Not the demo seed (seed_demo)."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--territories", type=positive, default=defaults.territories)
        parser.add_argument("--capteurs", type=positive, default=defaults.capteurs)
        parser.add_argument("--referrals", type=int, default=defaults.referrals)
        parser.add_argument("--years", type=positive, default=defaults.years)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same dataset.")
        parser.add_argument(
            "--password",
            help="Password of every generated staff account (without it, none can log in).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--flush", action="store_true", help="Empty the database first (manage.py flush)."
        )
        group.add_argument(
            "--force", action="store_true", help="Add to the data already in the database."
        )

    def handle(self, *args, **options):
        if not is_postgresql():
            raise CommandError(
                "generate_dataset writes with PostgreSQL's COPY: set DATABASE_URL to a "
                "PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/relais_bench)."
            )
        if options["referrals"] < 0:
            raise CommandError("--referrals cannot be negative.")
        if database_has_data() and not (options["flush"] or options["force"]):
            raise CommandError(
                "This database already holds data: use --flush to empty it first (everything "
                "in it is deleted), or --force to add the generated network to it."
            )
        if options["flush"]:
            call_command("flush", interactive=False, verbosity=0)
        sizes = Sizes(
            territories=options["territories"],
            capteurs=options["capteurs"],
            referrals=options["referrals"],
            years=options["years"],
        )
        self.stdout.write(
            f"Generating {sizes.territories} territories, {sizes.capteurs:,} capteurs and "
            f"{sizes.referrals:,} referrals over {sizes.years} years (seed {options['seed']}):"
        )
        started = time.monotonic()
        generate_dataset(
            sizes=sizes, seed=options["seed"], password=options["password"], log=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(f"Dataset generated in {time.monotonic() - started:.1f} s.")
        )
