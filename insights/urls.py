"""The site's URLs. Every page requires sign-in except sign-in itself, the health check and static files."""

from django.contrib import admin
from django.urls import include, path

from insights import views

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", views.home, name="home"),
]
