"""Django (non-API) views of accounts."""

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from backend.accounts.apis import LoginEmailThrottle, LoginIPThrottle


@sensitive_post_parameters("password")
@csrf_protect
def admin_login(request, extra_context=None):
    """The admin's login page, with the same throttles as the API login (per address, per
    account): the admin is a second way in for the most powerful accounts."""
    if request.method == "POST":
        throttles = [LoginIPThrottle(), LoginEmailThrottle()]
        refused = [t for t in throttles if not t.allow_request(request, None)]
        if refused:
            wait = int(max(t.wait() or 60 for t in refused)) + 1
            response = HttpResponse(
                _("Trop de tentatives de connexion. Réessayez dans %(n)d secondes.") % {"n": wait},
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(wait)
            return response
    return admin.site.login(request, extra_context)
