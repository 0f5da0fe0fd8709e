import secrets

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from backend.accounts.enums import Role
from backend.core.models import TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff person of the network (facilitator, coordinator or admin). Logs in by email.

    Referred people and capteurs are never users: they reach Relais through public links.
    """

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = PhoneNumberField(_("téléphone"), blank=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)
    # Part of every session's auth hash: a new value ends all of the user's sessions at once
    # ("log out everywhere", services.user_logout_everywhere), as a password change does.
    session_token = models.CharField(max_length=32, default=new_session_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    # Django keeps a hash of the password in the session and logs out a session whose hash
    # no longer matches; the session token is added to it.
    _SESSION_HASH_SALT = "relais.accounts.User.session_auth_hash"

    def _session_hash(self, secret=None) -> str:
        value = f"{self.password}:{self.session_token}"
        return salted_hmac(
            self._SESSION_HASH_SALT, value, secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


# Where SMS may go by default: metropolitan France and the overseas departments and
# collectivities (their numbers have their own region codes). Any other country must be added
# by the territory on purpose: that is the defence against SMS pumping to expensive ranges.
DEFAULT_SMS_COUNTRIES = "FR,GP,MQ,GF,RE,YT,PM,BL,MF,WF,PF,NC"


def parse_sms_countries(value: str) -> frozenset[str]:
    """The region codes of a comma-separated list ("FR, re" → {"FR", "RE"})."""
    return frozenset(code.strip().upper() for code in value.split(",") if code.strip())


def validate_sms_countries(value: str) -> None:
    unknown = sorted(parse_sms_countries(value) - phonenumbers.SUPPORTED_REGIONS)
    if unknown:
        raise ValidationError(
            _("Codes de pays inconnus : %(codes)s (codes ISO à deux lettres, ex. FR, RE, BE)."),
            params={"codes": ", ".join(unknown)},
            code="unknown_region",
        )


class Territory(TimeStampedModel):
    """The tenant unit (e.g. "Ouest Béarn"): every capteur, code and referral belongs to one.

    Holds the territory's settings: its public contact line and the activity thresholds.
    """

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    contact_phone = PhoneNumberField(
        _("numéro d'appel"), blank=True, help_text=_("Le numéro que les personnes peuvent appeler.")
    )
    sms_number = PhoneNumberField(
        _("numéro SMS"), blank=True, help_text=_("Le numéro auquel envoyer le code par SMS.")
    )
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    activity_new_days = models.PositiveSmallIntegerField(
        _("durée « nouveau » (jours)"),
        default=30,
        help_text=_("Un partenaire signé depuis moins longtemps, sans orientation, est nouveau."),
    )
    activity_active_days = models.PositiveSmallIntegerField(
        _("fenêtre d'activité (jours)"),
        default=90,
        help_text=_("Un capteur qui a orienté quelqu'un dans cette fenêtre est actif."),
    )
    first_contact_working_days = models.PositiveSmallIntegerField(
        _("délai de premier contact (jours ouvrés)"),
        default=2,
        help_text=_(
            "Jours ouvrés pour appeler une personne orientée (week-ends et fériés exclus)."
        ),
    )
    visits_per_day = models.PositiveSmallIntegerField(
        _("visites par jour et par facilitateur"),
        default=6,
        help_text=_("La planification automatique ne met pas plus de visites sur une journée."),
    )
    follow_up_after_days = models.PositiveSmallIntegerField(
        _("relance des capteurs dormants (jours)"),
        default=45,
        help_text=_("Un partenaire dormant non visité depuis ce délai reçoit une visite de suivi."),
    )
    onboarding_after_days = models.PositiveSmallIntegerField(
        _("visite d'accueil après la signature (jours)"),
        default=14,
        help_text=_("Un nouveau partenaire reçoit une visite d'accueil après ce délai."),
    )
    # Where the facilitators' day round ("tournée") starts, e.g. the office (a facilitator may
    # set their own on their membership).
    round_start_latitude = models.DecimalField(
        _("départ des tournées : latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    round_start_longitude = models.DecimalField(
        _("départ des tournées : longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    retention_months = models.PositiveSmallIntegerField(
        _("durée de conservation (mois)"),
        default=24,
        help_text=_(
            "Les orientations sont anonymisées après cette durée sans rien de nouveau "
            "(dernier événement, ou réception)."
        ),
    )
    sms_countries = models.CharField(
        _("pays autorisés pour les SMS"),
        max_length=200,
        default=DEFAULT_SMS_COUNTRIES,
        validators=[validate_sms_countries],
        help_text=_(
            "Codes ISO des pays où Relais peut envoyer des SMS, séparés par des virgules "
            "(France et outre-mer par défaut). Un SMS vers un autre pays est refusé."
        ),
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def sms_regions(self) -> frozenset[str]:
        """The region codes SMS may go to (see DEFAULT_SMS_COUNTRIES)."""
        return parse_sms_countries(self.sms_countries)


class Membership(TimeStampedModel):
    """A user's role in one territory: the only source of what a user may see."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    unavailable_until = models.DateField(
        _("indisponible jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Pendant une absence, les nouvelles orientations vont à un collègue."),
    )
    # The facilitator's own start of their round (home, a second office); else the territory's.
    round_start_latitude = models.DecimalField(
        _("départ de ma tournée : latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    round_start_longitude = models.DecimalField(
        _("départ de ma tournée : longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory"], name="membership_unique_per_territory"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.territory} · {self.get_role_display()}"

    def is_available(self, on=None):
        """Available on `on` (today by default): no absence, or the absence ended before."""
        on = on or timezone.localdate()
        return self.unavailable_until is None or self.unavailable_until < on
