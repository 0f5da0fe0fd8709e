from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from backend.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_totp_code, seed_demo


class Command(BaseCommand):
    help = (
        "Seeds the demo territory « Ouest Béarn »: capteurs, codes and demo logins with a "
        "published password. Idempotent. Refuses to run unless DEBUG is on (or --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (the demo logins share a published password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates demo logins whose password is published: it only runs with "
                "DEBUG=1. Use --force to seed this database anyway."
            )
        result = seed_demo()
        base = settings.PUBLIC_BASE_URL
        out = self.stdout
        style = self.style

        territory = result.territory
        out.write(
            style.SUCCESS(
                f"Territory « {territory.name} »: {result.capteurs_created} capteurs created, "
                f"{result.capteurs_existing} already there, {result.codes_issued} codes issued."
            )
        )
        out.write(
            f"{result.structures_created} support structures, "
            f"{result.referrals_created} referrals and {result.visits_created} visits created "
            "(six months of history, and each facilitator's round today)."
        )
        out.write("")
        out.write(style.MIGRATE_HEADING("URLs"))
        out.write(f"  Admin:         {base}{reverse('admin:index')}")
        out.write(f"  API docs:      {base}{reverse('api-docs')}")
        code = result.showcase_code
        if code is not None:
            out.write(
                f"  Landing page:  {base}{code.public_path}"
                f"  ({code.capteur.name}, code {code.short_code})"
            )
            poster = reverse("code-poster", kwargs={"code_id": code.pk})
            out.write(f"  Poster PDF:    {base}{poster}  (log in first)")
        out.write(f"  Today's round: {base}{reverse('visit-round')}  (log in as a facilitator)")
        out.write("")
        out.write(style.MIGRATE_HEADING(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(user.email) for user, _ in result.users)
        for user, label in result.users:
            out.write(f"  {user.email:<{width}}  {user.get_full_name()}: {label}")
        out.write(
            "  The coordinator and the admin give a second factor after the password: the code "
            f"of an authenticator app holding the demo key {DEMO_TOTP_SECRET}, or from "
            f"`manage.py demo_otp_code` (now: {demo_totp_code()})."
        )
