from django.core.management.base import BaseCommand

from backend.demo.seed import DEMO_TOTP_SECRET, demo_totp_code


class Command(BaseCommand):
    help = (
        "Prints the current two-factor code of the demo coordinator and admin (seed_demo "
        f"enrols them with the published demo key {DEMO_TOTP_SECRET}): demo data only."
    )

    def handle(self, *args, **options):
        self.stdout.write(demo_totp_code())
