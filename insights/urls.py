"""The site's URLs. Every page requires sign-in except sign-in itself, the health check and static files."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse

from insights import views


def admin_sign_in(request, extra_context=None):
    """The admin signs in through allauth like every other page, so two-factor and rate limits apply there too."""
    if request.user.is_authenticated:  # signed in but not staff: signing in again would loop
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("account_login"))


admin.site.login = admin_sign_in
handler400 = views.bad_request

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("session/keep-alive", views.session_keep_alive, name="session_keep_alive"),
    path("", include("students.urls")),
]
