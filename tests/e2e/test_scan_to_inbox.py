"""The issue's "done when": from the seeded demo, a person scans a poster, fills the form, and
the routed facilitator finds the referral in their inbox with its due date."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from backend.capteurs.models import ReferralCode
from backend.demo.seed import DEMO_PASSWORD
from backend.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_a_scanned_poster_reaches_the_routed_facilitators_inbox(settings):
    # given the demo territory, and the QR code of a seeded poster
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    code = ReferralCode.objects.filter(
        capteur__name="Bar-tabac Le Balto", revoked_at__isnull=True
    ).get()
    person = Client()
    qr_path = code.qr_url.removeprefix(settings.PUBLIC_BASE_URL)

    # when the person opens the page and leaves their number
    page = person.get(qr_path)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    sent = person.post(
        qr_path,
        {
            "csrfmiddlewaretoken": csrf,
            "first_name": "Noé",
            "phone": "05 36 49 99 99",
            "call_moments": ["evening"],
            "needs": ["emploi"],
            "consent": "on",
            "via": "qr",
        },
        follow=True,
    )

    # then the person is told who calls and by when
    referral = Referral.objects.get(first_name="Noé")
    facilitator = referral.assigned_to
    assert sent.status_code == 200
    assert facilitator.first_name in sent.content.decode()
    assert referral.channel == "qr"

    # and the facilitator, logged in, finds it in their inbox with its due date
    staff = Client(enforce_csrf_checks=True)
    staff.get("/api/v1/auth/csrf/")
    login = staff.post(
        "/api/v1/auth/login/",
        {"email": facilitator.email, "password": DEMO_PASSWORD},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=staff.cookies["csrftoken"].value,
    )
    assert login.status_code == 200
    inbox = staff.get("/api/v1/referrals/?status=new").json()["results"]
    row = next(r for r in inbox if r["id"] == referral.id)
    assert row["first_name"] == "Noé"
    assert row["first_contact_due_on"] == referral.first_contact_due_on.isoformat()
    assert row["capteur_name"] == "Bar-tabac Le Balto"
