"""Values every template may use."""

from django.conf import settings


def district(request):
    return {"district_name": settings.DISTRICT_NAME, "demo_mode": settings.DEMO_MODE}
