from django.urls import path

from backend.public import views

urlpatterns = [
    path("r/<str:token>", views.landing, name="landing"),
]
