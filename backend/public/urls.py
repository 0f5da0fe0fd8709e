from django.urls import path, register_converter

from backend.public import space_views, views


class ShortCodeConverter:
    """A short code as typed: 4 to 6 characters of the codes' alphabet
    (backend.capteurs.services.SHORT_CODE_ALPHABET: no 0, 1, I, L or O), in either case."""

    regex = "[2-9A-HJKMNP-Za-hjkmnp-z]{4,6}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value


register_converter(ShortCodeConverter, "shortcode")

urlpatterns = [
    path("r/<str:token>", views.landing, name="landing"),
    path(
        "r/<str:token>/merci/<str:signed>", views.landing_confirmation, name="landing-confirmation"
    ),
    path("c/<str:secret>", space_views.capteur_space, name="capteur-space"),
    path(
        "c/<str:secret>/merci/<str:signed>",
        space_views.capteur_space_confirmation,
        name="capteur-space-confirmation",
    ),
    path(
        "c/<str:secret>/codes/<int:code_id>/affiche.pdf",
        space_views.capteur_space_poster,
        name="capteur-space-poster",
    ),
    path(
        "c/<str:secret>/codes/<int:code_id>/autocollants.pdf",
        space_views.capteur_space_stickers,
        name="capteur-space-stickers",
    ),
    path("confidentialite", views.privacy, name="privacy"),
]

# The short link at the root of the site: included last by backend.config.urls, so that it
# never shadows another route (its converter already refuses "/admin", "/app", "/healthz"...).
short_link_urlpatterns = [
    path("<shortcode:short_code>", views.short_link, name="short-link"),
]
