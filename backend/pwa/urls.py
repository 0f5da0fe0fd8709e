from django.urls import path, re_path

from backend.pwa import views

urlpatterns = [
    path("", views.home, name="home"),
    path("app/", views.app_shell, name="pwa-shell"),
    re_path(r"^app/(?P<path>.+)$", views.app_shell, name="pwa-route"),
]
