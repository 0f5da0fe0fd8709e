"""The exports against the quarter of tests/dashboard/dataset.py: the indicators are computed
again here, in plain Python over the dataset's lists (the network by hand), and both files must
say the same."""

import csv
import datetime
import io
import logging
import statistics

import openpyxl
import pytest
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from backend.dashboard.selectors.indicators import INDICATORS
from backend.dashboard.selectors.scope import default_months
from backend.referrals.services.daily import referral_days_roll_up
from backend.visits.enums import VisitStatus
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory
from tests.dashboard import dataset
from tests.dashboard.dataset import MONTHS, ROLL_UPS, STORIES, VISITS, ours
from tests.dashboard.factories import at, referral_with_history

pytestmark = pytest.mark.django_db

QUARTER = {"from": "2025-01", "to": "2025-03"}
# The network at each month's end, worked out by hand from dataset.CAPTEURS and STORIES:
# (partners, active, new, dormant).
NETWORK = {
    # bar (active), pharmacie (signed 20 Jan: new), club (dormant), agence (active: December);
    # asso signs in February, epicerie registers in May.
    MONTHS[0]: (4, 2, 1, 1),
    # agence paused on 10 Feb; pharmacie now dormant; asso signed 15 Feb: new.
    MONTHS[1]: (4, 1, 1, 2),
    # pharmacie and asso sent people in March: active with bar; club still dormant.
    MONTHS[2]: (4, 3, 0, 1),
}


def in_month(when, month) -> bool:
    if when is None:
        return False
    local = timezone.localtime(when)
    return (local.year, local.month) == (month.year, month.month)


def expected_rows(territory_name):
    """The indicators of our territory, recomputed from the dataset's lists."""
    people = [story for story in STORIES if ours(story) and not story.duplicate]
    rows = []
    for month in MONTHS:
        delays = [s.contacted - s.received for s in people if in_month(s.contacted, month)]
        median = statistics.median(delays) if delays else None
        rows.append(
            [
                territory_name,
                month.strftime("%Y-%m"),
                sum(in_month(s.received, month) for s in people),
                sum(in_month(s.contacted, month) for s in people),
                sum(in_month(s.met, month) for s in people),
                sum(in_month(s.oriented, month) for s in people),
                *NETWORK[month],
                sum(
                    1
                    for key, _planned, status, done_on in VISITS
                    if key != "theirs"
                    and status == VisitStatus.DONE
                    and (done_on.year, done_on.month) == (month.year, month.month)
                ),
                None if median is None else round(median.total_seconds() / 86400, 1),
            ]
        )
    return rows


def test_the_expected_rows_are_what_the_dataset_says():
    """A look at the recomputation itself, so that a slip in it cannot hide one in the code."""
    assert [row[2:6] for row in expected_rows("x")] == [[3, 3, 2, 0], [1, 2, 2, 1], [3, 2, 0, 2]]
    # January: 23 h, 44 h and 23 days → 44 h; February: 1 h, 48 h → 24.5 h; March: 8 h, 24 h.
    assert [row[-1] for row in expected_rows("x")] == [1.8, 1.0, 0.7]


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def as_csv_cells(row):
    return [
        ""
        if value is None
        else f"{value:.1f}".replace(".", ",")
        if isinstance(value, float)
        else str(value)
        for value in row
    ]


@pytest.mark.parametrize("rolled_up_on", ROLL_UPS.values(), ids=ROLL_UPS.keys())
def test_indicators_csv_says_what_the_dataset_says(
    coordinator_api, territory, quarter, rolled_up_on
):
    if rolled_up_on is not None:
        referral_days_roll_up(today=None if rolled_up_on == "today" else rolled_up_on)

    response = coordinator_api.get(reverse("export-indicators-csv"), QUARTER)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="relais-indicateurs-ouest-bearn-2025-01_2025-03.csv"'
    )
    header, *rows = read_csv(response)
    assert header == ["Territoire", "Mois", *(str(i.header) for i in INDICATORS)]
    assert rows == [as_csv_cells(row) for row in expected_rows(territory.name)]


def test_indicators_xlsx_says_what_the_dataset_says(coordinator_api, territory, quarter):
    response = coordinator_api.get(reverse("export-indicators-xlsx"), QUARTER)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    header, *rows = workbook["Indicateurs"].iter_rows(values_only=True)
    assert list(header) == ["Territoire", "Mois", *(str(i.header) for i in INDICATORS)]
    assert [list(row) for row in rows] == expected_rows(territory.name)
    definitions = list(workbook["Définitions"].iter_rows(values_only=True))
    assert [row[0] for row in definitions[1:]] == [str(i.header) for i in INDICATORS]
    assert all(row[1] for row in definitions[1:])


def test_the_current_month_counts_the_live_activity_of_partners(coordinator_api, territory):
    # given partners active, new and dormant today (live activity, as the capteurs list says)
    sending = CapteurFactory(territory=territory, partner=True)
    referral_with_history(capteur=sending, received=timezone.now() - datetime.timedelta(days=14))
    CapteurFactory(territory=territory, newly_signed=True)
    CapteurFactory(territory=territory, partner=True)
    CapteurFactory(territory=territory)  # a prospect
    month = timezone.localdate().strftime("%Y-%m")

    # when
    response = coordinator_api.get(reverse("export-indicators-csv"), {"from": month, "to": month})

    # then
    row = dict(zip(*read_csv(response), strict=True))
    assert [row[str(i.header)] for i in INDICATORS[4:8]] == ["3", "1", "1", "1"]


def test_an_export_covers_the_territories_the_user_coordinates(
    api, territory, other_territory, quarter
):
    # given a coordinator here who is a facilitator there
    user = MembershipFactory(territory=territory, coordinator=True).user
    MembershipFactory(user=user, territory=other_territory, facilitator=True)
    api.force_authenticate(user)

    # when they export without naming a territory, then naming the other one
    mine = api.get(reverse("export-indicators-csv"), QUARTER)
    theirs = api.get(reverse("export-indicators-csv"), {**QUARTER, "territory": other_territory.id})

    # then only their territory is in the file, and the other is refused
    assert {row[0] for row in read_csv(mine)[1:]} == {territory.name}
    assert theirs.status_code == 403
    assert theirs.json()["detail"] == (
        "Seuls les coordinateurs du territoire peuvent télécharger les exports."
    )


def test_a_coordinator_of_two_territories_gets_both_sorted_by_name(
    api, territory, other_territory, quarter
):
    user = MembershipFactory(territory=territory, coordinator=True).user
    MembershipFactory(user=user, territory=other_territory, coordinator=True)
    api.force_authenticate(user)

    response = api.get(reverse("export-indicators-csv"), QUARTER)

    rows = read_csv(response)[1:]
    assert [(row[0], row[1]) for row in rows] == [
        (name, month.strftime("%Y-%m"))
        for name in ("Haut Béarn", "Ouest Béarn")
        for month in MONTHS
    ]
    # Haut Béarn: one person spotted, contacted, met and oriented in January.
    assert rows[0][2:6] == ["1", "1", "1", "1"]
    assert response["Content-Disposition"].endswith(
        'relais-indicateurs-territoires-2025-01_2025-03.csv"'
    )


@pytest.mark.parametrize("name", ["export-indicators-csv", "export-indicators-xlsx"])
def test_indicator_exports_take_a_constant_number_of_queries(
    coordinator_api, territory, other_territory, name, django_assert_num_queries
):
    # given a small network, then one ten times larger
    dataset.build(territory, other_territory)
    with django_assert_num_queries(13):
        coordinator_api.get(reverse(name), QUARTER)
    for index in range(10):
        capteur = CapteurFactory(territory=territory, partner=True)
        for day in range(1, 6):
            referral_with_history(
                capteur=capteur,
                received=at(2025, 2, day + index),
                contacted=at(2025, 2, day + index, 15),
                met=at(2025, 3, 1),
            )

    # then the same number of queries
    with django_assert_num_queries(13):
        coordinator_api.get(reverse(name), QUARTER)
    # and one more once the daily roll-up covers the months (its rows)
    referral_days_roll_up()
    with django_assert_num_queries(14):
        coordinator_api.get(reverse(name), QUARTER)


def test_months_default_to_the_current_one_and_the_eleven_before(coordinator_api):
    before = default_months(timezone.localdate())
    rows = read_csv(coordinator_api.get(reverse("export-indicators-csv")))[1:]
    after = default_months(timezone.localdate())

    assert [row[1] for row in rows] in (
        [month.strftime("%Y-%m") for month in dataset_months(before)],
        [month.strftime("%Y-%m") for month in dataset_months(after)],
    )
    assert len(rows) == 12


def dataset_months(period):
    months, month = [], period.start
    while month <= period.end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2025-13"},
        {"from": "2025-1"},
        # Year 0 matched the pattern and was a 500 (found by the contract tests).
        {"from": "0000-01"},
        {"from": "janvier"},
        {"from": "2025-03", "to": "2025-01"},
        {"from": "2020-01", "to": "2025-01"},
    ],
)
def test_malformed_months_are_400(coordinator_api, query):
    response = coordinator_api.get(reverse("export-indicators-csv"), query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


# --- the referral export -----------------------------------------------------------------


REFERRAL_HEADER = [
    "Référence",
    "Territoire",
    "Capteur",
    "Type de capteur",
    "Code",
    "Canal",
    "Rempli par",
    "Besoins",
    "Statut",
    "Motif de clôture",
    "Doublon possible",
    "Reçue le",
    "Premier contact attendu avant le",
    "Premier contact le",
    "Rencontrée le",
    "Orientée le",
    "Clôturée le",
]


def streamed_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text, list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_referral_export_lists_the_months_referrals_pseudonymised(
    coordinator_api, territory, quarter
):
    # when
    response = coordinator_api.get(reverse("export-referrals-csv"), QUARTER)

    # then one line per referral received in the quarter, duplicates included, oldest first
    text, (header, *rows) = streamed_csv(response)
    assert header == REFERRAL_HEADER
    received = sorted(
        (s.received, referral)
        for s, referral in zip(STORIES, quarter.referrals, strict=True)
        if ours(s) and in_quarter(s.received)
    )
    assert [row[0] for row in rows] == [referral.pseudonym for _at, referral in received]
    # and the person's data is nowhere
    for referral in quarter.referrals:
        assert referral.first_name not in text
        assert str(referral.phone) not in text
        assert str(referral.phone)[3:] not in text


def in_quarter(when):
    return any(in_month(when, month) for month in MONTHS)


def test_a_referral_line_says_what_happened_when(coordinator_api, territory, quarter):
    # the referral received late on 31 January, met, oriented then closed
    line = {
        row[0]: dict(zip(REFERRAL_HEADER, row, strict=True))
        for row in streamed_csv(coordinator_api.get(reverse("export-referrals-csv"), QUARTER))[1][
            1:
        ]
    }[quarter.referrals[3].pseudonym]

    assert line == {
        "Référence": quarter.referrals[3].pseudonym,
        "Territoire": "Ouest Béarn",
        "Capteur": "Capteur bar",
        "Type de capteur": "Bar-tabac / PMU",
        "Code": quarter.codes["bar"].short_code,
        "Canal": "QR code",
        "Rempli par": "La personne elle-même",
        "Besoins": "Emploi",
        "Statut": "Clôturée",
        "Motif de clôture": "Accompagnée",
        "Doublon possible": "non",
        "Reçue le": "2025-01-31 23:30",
        "Premier contact attendu avant le": "2025-02-02",
        "Premier contact le": "2025-02-01 00:30",
        "Rencontrée le": "2025-02-10 10:00",
        "Orientée le": "2025-03-03 10:00",
        "Clôturée le": "2025-03-28 10:00",
    }


def test_needs_are_listed_with_their_french_labels(coordinator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    referral_with_history(capteur=capteur, received=at(2025, 1, 6), needs=["budget", "emploi"])

    _text, (_header, row) = streamed_csv(
        coordinator_api.get(reverse("export-referrals-csv"), QUARTER)
    )

    assert row[REFERRAL_HEADER.index("Besoins")] == "Budget, dettes / Emploi"


def test_a_text_excel_would_run_as_a_formula_is_kept_as_text(coordinator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True, name='=HYPERLINK("http://x")')
    referral_with_history(capteur=capteur, received=at(2025, 1, 6))

    _text, (_header, row) = streamed_csv(
        coordinator_api.get(reverse("export-referrals-csv"), QUARTER)
    )

    assert row[2] == '\'=HYPERLINK("http://x")'


def test_the_referral_export_takes_one_query_whatever_its_size(
    coordinator_api, territory, other_territory, django_assert_num_queries
):
    capteur = CapteurFactory(territory=territory, partner=True)
    for day in range(1, 6):
        referral_with_history(capteur=capteur, received=at(2025, 1, day))
    with django_assert_num_queries(3):
        assert (
            len(streamed_csv(coordinator_api.get(reverse("export-referrals-csv"), QUARTER))[1]) == 6
        )
    for day in range(1, 56):
        referral_with_history(
            capteur=capteur, received=at(2025, 2, 1) + datetime.timedelta(hours=day)
        )
    with django_assert_num_queries(3):
        assert (
            len(streamed_csv(coordinator_api.get(reverse("export-referrals-csv"), QUARTER))[1])
            == 61
        )


def test_every_export_is_logged_without_data(
    coordinator, coordinator_api, territory, quarter, caplog
):
    caplog.set_level(logging.INFO, logger="backend.dashboard")

    for name in ("export-indicators-csv", "export-indicators-xlsx", "export-referrals-csv"):
        response = coordinator_api.get(reverse(name), QUARTER)
        if response.streaming:
            b"".join(response.streaming_content)

    assert [record.getMessage() for record in caplog.records] == [
        f"export {what} by user {coordinator.pk}: territories {territory.id}, 2025-01 to 2025-03"
        for what in ("indicateurs", "indicateurs", "orientations")
    ]


def test_every_indicator_is_defined_in_the_docs():
    docs = (settings.BASE_DIR / "docs" / "indicators.md").read_text(encoding="utf-8")
    headings = [line[4:].strip() for line in docs.splitlines() if line.startswith("### ")]

    for indicator in INDICATORS:
        assert f"« {indicator.header} »" in headings, indicator.header
