"""Demo visits of the territory "Ouest Béarn": months of visits done (with what came of them),
a round today for each facilitator, a few visits planned by hand, then what the daily planning
job plans (onboarding of new partners, follow-up of dormant ones).

Every visit goes through the visits services, so events and the capteurs' `last_visit_on` are
the real ones; only the times of past visits are moved back afterwards (demo-only backdating,
plain queryset updates, as in backend.demo.referrals).

Idempotent: does nothing when the territory has visits already.
"""

import datetime
import random

from django.utils import timezone

from backend.accounts.models import Territory, User
from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur
from backend.core.calendar import is_working_day
from backend.demo import data
from backend.visits.enums import VisitKind
from backend.visits.models import Visit, VisitEvent
from backend.visits.planning import visits_plan_territory
from backend.visits.services import visit_plan, visit_record_done

HISTORY_DAYS = 180
# Stops in each facilitator's round today: (min, max).
ROUND_STOPS = (3, 5)

OUTCOMES = {
    VisitKind.PROSPECTION: (
        ("Présenté la démarche au responsable : intéressé, veut en parler à son équipe.", ""),
        ("Accueil sympathique, laissé un exemple d'affiche.", "Revenir avec la convention."),
        ("Le gérant était absent, vu une employée.", "Rappeler le gérant en début de semaine."),
    ),
    VisitKind.ONBOARDING: (
        ("Affiche posée près de la caisse, l'équipe a scanné le code pour voir.", ""),
        ("Expliqué le formulaire et l'espace capteur à toute l'équipe.", "Envoyer le lien."),
    ),
    VisitKind.FOLLOW_UP: (
        ("Affiche toujours en place et visible.", ""),
        ("Le gérant a changé : présenté la démarche au nouveau, il garde l'affiche.", ""),
        ("Affiche abîmée, remplacée.", "Rapporter des cartes à laisser au comptoir."),
        ("Personne de disponible, repassé plus tard : rien de neuf.", "Repasser dans un mois."),
        (
            "L'équipe demande ce que deviennent les personnes orientées : expliqué le suivi.",
            "Proposer le récapitulatif mensuel par SMS.",
        ),
    ),
    VisitKind.RESTOCK: (
        ("Laissé vingt cartes, l'affiche de la vitrine changée.", ""),
        ("Plus de cartes au comptoir : réassort fait.", "Rapporter des affiches A6."),
    ),
}


def _rng(key: str) -> random.Random:
    return random.Random(f"relais-demo:visits:{key}")  # noqa: S311 - demo data, deterministic


def _working_day_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    time = datetime.time(rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _kind_now(capteur: Capteur, today: datetime.date) -> str:
    """What a visit to `capteur` would be today, from where it stands."""
    if capteur.stage == Stage.PROSPECT:
        return VisitKind.PROSPECTION
    if capteur.signed_on and (today - capteur.signed_on).days < 30:
        return VisitKind.ONBOARDING
    if capteur.last_referral_at and (timezone.now() - capteur.last_referral_at).days < 90:
        return VisitKind.RESTOCK
    return VisitKind.FOLLOW_UP


def _history_days(capteur: Capteur, plan: str, today, rng) -> list[tuple[datetime.date, str]]:
    """(day, kind) of the visits done to `capteur`, oldest first, following its story."""
    earliest = today - datetime.timedelta(days=HISTORY_DAYS)
    if capteur.stage == Stage.PROSPECT:
        first = max(capteur.first_contact_on or earliest, earliest)
        if (today - first).days < 4:
            return []
        return [(first, VisitKind.PROSPECTION)]
    if capteur.signed_on is None:
        return []
    count = {
        data.ACTIVE: rng.randint(1, 3),
        data.DORMANT_OLD: rng.randint(1, 2),
        data.DORMANT_NEVER: rng.randint(0, 1),
        data.PAUSED: 1,
    }.get(plan, 0)
    start = max(capteur.signed_on, earliest)
    # Dormant partners were last seen long ago: the follow-up job has work to show.
    end = today - datetime.timedelta(days=60 if plan in (data.DORMANT_OLD, data.PAUSED) else 3)
    if count == 0 or end <= start:
        return []
    span = (end - start).days
    days = sorted(start + datetime.timedelta(days=rng.randint(0, span)) for _ in range(count))
    visits = []
    for index, day in enumerate(days):
        onboarding = index == 0 and (day - capteur.signed_on).days < 45
        kind = (
            VisitKind.ONBOARDING
            if onboarding
            else rng.choice((VisitKind.FOLLOW_UP, VisitKind.FOLLOW_UP, VisitKind.RESTOCK))
        )
        visits.append((_working_day_before(day), kind))
    return visits


def _done(capteur, facilitator, day, kind, rng) -> Visit:
    outcome, next_step = rng.choice(OUTCOMES[kind])
    visit = visit_plan(
        capteur=capteur, facilitator=facilitator, kind=kind, planned_on=day, actor=facilitator
    )
    visit = visit_record_done(
        visit=visit, done_on=day, outcome=outcome, next_step=next_step, actor=facilitator
    )
    # Demo-only backdating: the services stamped "now".
    at = _at(day, rng)
    Visit.objects.filter(pk=visit.pk).update(created_at=at, updated_at=at)
    VisitEvent.objects.filter(visit=visit).update(at=at)
    return visit


def seed_visits(territory: Territory, *, facilitators: list[User], today: datetime.date) -> int:
    """The demo territory's visits, once. Returns the number of visits created."""
    if Visit.objects.filter(territory=territory).exists():
        return 0
    plans = {seed.name: seed.plan for seed in data.CAPTEURS}
    capteurs = list(
        Capteur.objects.filter(territory=territory, referent__in=facilitators)
        .exclude(stage=Stage.WITHDRAWN)
        .select_related("referent")
        .order_by("name")
    )
    created = 0
    # Months of visits done.
    for capteur in capteurs:
        rng = _rng(capteur.name)
        for day, kind in _history_days(capteur, plans.get(capteur.name, ""), today, rng):
            _done(capteur, capteur.referent, day, kind, rng)
            created += 1
    # A round today for every facilitator (one of them with a visit left over from before).
    for facilitator in facilitators:
        rng = _rng(f"round:{facilitator.email}")
        theirs = [c for c in capteurs if c.referent_id == facilitator.pk]
        stops = rng.sample(theirs, min(len(theirs), rng.randint(*ROUND_STOPS)))
        for index, capteur in enumerate(stops):
            late = index == 0 and facilitator.email.startswith("facilitateur.orthez")
            visit_plan(
                capteur=capteur,
                facilitator=facilitator,
                kind=_kind_now(capteur, today),
                planned_on=today - datetime.timedelta(days=2) if late else today,
                actor=facilitator,
            )
            created += 1
        # And a restock planned by hand next week, for a partner that sends people.
        senders = [c for c in theirs if c not in stops and _kind_now(c, today) == VisitKind.RESTOCK]
        if senders:
            visit_plan(
                capteur=rng.choice(senders),
                facilitator=facilitator,
                kind=VisitKind.RESTOCK,
                planned_on=today + datetime.timedelta(days=7),
                actor=facilitator,
            )
            created += 1
    # What the daily job plans: onboarding visits, follow-ups of dormant partners.
    created += visits_plan_territory(territory=territory, today=today)
    return created
