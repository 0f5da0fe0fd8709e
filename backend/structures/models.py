"""Support structures: where a facilitator orients the people capteurs send.

A structure (Mission locale, France Travail, CCAS, CMP, association...) covers some needs
(the same vocabulary as a referral's needs) and has contacts. Structures are entered by hand
or imported (CSV, data·inclusion); an imported one remembers its source and identifier so
that importing the same file again updates it instead of duplicating it.

Structures are deactivated, never deleted: a referral oriented to one must keep pointing to it.
"""

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from backend.accounts.models import Territory
from backend.accounts.scoping import TerritoryScopedQuerySet
from backend.core.models import Place, TimeStampedModel
from backend.structures.enums import Need, StructureKind

_M = TypeVar("_M", bound=models.Model)


class StructureRowQuerySet(TerritoryScopedQuerySet[_M]):
    """Rows that belong to a territory through their structure (contacts)."""

    territory_path = "structure__territory"


def validate_needs(value):
    """A list of distinct Need values."""
    if not isinstance(value, list):
        raise ValidationError(_("Les besoins doivent être une liste."), code="invalid")
    unknown = [v for v in value if v not in Need.values]
    if unknown:
        raise ValidationError(
            _("« %(value)s » n'est pas un besoin connu."),
            code="invalid_choice",
            params={"value": unknown[0]},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Un besoin est répété."), code="duplicate")


class Structure(TimeStampedModel, Place):
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="structures")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=40, choices=StructureKind.choices, default=StructureKind.AUTRE
    )
    description = models.TextField(_("présentation"), blank=True)
    # A JSON list of Need values: ArrayField would tie us to PostgreSQL, and a join table
    # buys nothing for ten values read with the structure. See selectors.covering_needs.
    needs = models.JSONField(
        _("besoins couverts"), default=list, blank=True, validators=[validate_needs]
    )
    phone = PhoneNumberField(_("téléphone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("site web"), max_length=500, blank=True)
    opening_hours = models.TextField(_("horaires d'accueil"), blank=True)
    # Where an imported structure comes from ("csv", "data_inclusion:dora"...) and its id
    # there: the key of idempotent re-imports. Both empty for structures entered by hand.
    external_source = models.CharField(_("source"), max_length=80, blank=True)
    external_id = models.CharField(_("identifiant dans la source"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TerritoryScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        indexes = [models.Index(fields=["territory", "is_active", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "external_source", "external_id"],
                condition=~models.Q(external_id=""),
                name="structure_unique_external_id_per_territory",
                violation_error_message=_(
                    "Une structure de ce territoire porte déjà cet identifiant pour cette source."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                | models.Q(latitude__isnull=True),
                name="structure_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180)
                | models.Q(longitude__isnull=True),
                name="structure_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name


class StructureContact(TimeStampedModel):
    """A person to call at a structure (a counsellor, the reception desk...)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("fonction"), max_length=150, blank=True)
    phone = PhoneNumberField(_("téléphone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = StructureRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name
