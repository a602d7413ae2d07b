"""Telling the people who run imports that a run failed or is waiting for their decision."""

import logging

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from educators.models import Educator

logger = logging.getLogger(__name__)


def importers():
    """Active educators holding sis.run_imports, directly, through a group, or as superusers."""
    permission = Permission.objects.filter(content_type__app_label="sis", codename="run_imports").first()
    holds = Q(is_superuser=True)
    if permission is not None:
        holds |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return Educator.objects.filter(holds, is_active=True).distinct()


def importers_about(run) -> None:
    """Mail every importer one line about the run's outcome and where to look (no student data)."""
    recipients = sorted(importers().values_list("email", flat=True))
    if not recipients:
        return
    link = settings.SITE_URL + reverse("admin:sis_importrun_change", args=[run.pk])
    outcome = run.get_status_display().lower()
    body = f"SIS import run #{run.pk}: {outcome}.\n\n{run.error or 'Review it and approve or discard it.'}\n\n{link}\n"
    try:
        send_mail(f"[Insights] SIS import #{run.pk}: {outcome}", body, None, recipients)
    except OSError:
        logger.warning("Could not mail the importers about import run #%s", run.pk)
