from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Place(models.Model):
    """A postal address with its coordinates (for the map and the tournée's route)."""

    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True


class IdempotentRequest(models.Model):
    """A staff write that carried an `Idempotency-Key` header, and the answer it got.

    The PWA replays its offline outbox with the key each action was given when it was taken:
    a replay finds this row and gets the stored answer back instead of writing twice (see
    backend.core.idempotency). Only successful answers are kept: a refused write (409, 400...)
    wrote nothing, so trying it again is safe. The body may name a referred person: rows are
    purged after IDEMPOTENCY_KEY_TTL (`core.purge_idempotent_requests`, daily).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    # sha256 of the method, path and JSON body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
