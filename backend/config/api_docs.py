"""Who may read the API's schema and docs: anyone when settings.API_DOCS_PUBLIC (the default
with DEBUG), else a logged-in staff member (a territory membership) or a Django staff user."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions

from backend.accounts.perms import is_staff_member


class ApiDocsAccess(permissions.BasePermission):
    def has_permission(self, request, view):
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and (user.is_staff or user.is_superuser or is_staff_member(user))
        )


schema_view = SpectacularAPIView.as_view(permission_classes=[ApiDocsAccess])
# The split view serves Swagger UI's configuration as a script of its own (?script): no
# inline script, so the page runs under a CSP without 'unsafe-inline' for scripts.
docs_view = SpectacularSwaggerSplitView.as_view(
    url_name="schema", permission_classes=[ApiDocsAccess]
)
