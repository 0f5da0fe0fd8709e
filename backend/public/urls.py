from django.urls import path

from backend.public import space_views, views

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
