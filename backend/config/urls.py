from django.contrib import admin
from django.urls import include, path

from backend.accounts.views import admin_login
from backend.config.api_docs import docs_view, schema_view
from backend.config.health import healthz
from backend.public.urls import short_link_urlpatterns

api_v1 = [
    path("", include("backend.accounts.urls")),
    path("", include("backend.capteurs.urls")),
    path("", include("backend.structures.urls")),
    path("", include("backend.referrals.urls")),
    path("", include("backend.visits.urls")),
    path("", include("backend.dashboard.urls")),
    path("", include("backend.privacy.urls")),
]

urlpatterns = [
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", docs_view, name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("", include("backend.notifications.urls")),
    path("", include("backend.visits.feeds")),
    path("", include("backend.public.urls")),
    path("", include("backend.pwa.urls")),
    # Last: /<SHORTCODE>, the short link printed on posters (see backend.public.urls).
    path("", include(short_link_urlpatterns)),
]

handler404 = "backend.public.views.page_not_found"
handler500 = "backend.public.views.server_error"
