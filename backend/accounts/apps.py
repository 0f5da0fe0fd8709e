from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    verbose_name = "Comptes et territoires"


class RelaisAdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site that asks for a second factor (admin_site.py); named in
    INSTALLED_APPS instead of "django.contrib.admin"."""

    default = False
    default_site = "backend.accounts.admin_site.RelaisAdminSite"
