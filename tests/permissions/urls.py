"""The site's URLs plus the test admin site with the permissions mixins (tests/permissions/admin_site.py)."""

from django.urls import path

from insights.urls import urlpatterns as site_urlpatterns
from tests.permissions.admin_site import site

urlpatterns = [path("test-admin/", site.urls), *site_urlpatterns]
