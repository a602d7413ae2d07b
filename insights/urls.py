"""The site's URLs. Every page requires sign-in except sign-in itself, the health check, the icon and static files."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from insights import views

# allauth's documented admin protection: the admin signs in through allauth like every other page,
# so two-factor and rate limits apply there too; a signed-in educator who is not staff is refused.
admin.site.login = secure_admin_login(admin.site.login)
handler400 = views.bad_request
handler500 = views.server_error

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("educators.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("access-reviews/", include("permissions.urls")),
    path("session/keep-alive", views.session_keep_alive, name="session_keep_alive"),
    path("", include("students.urls")),
]
