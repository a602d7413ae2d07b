"""What the page benchmarks share: signed-in clients, the pages' serving settings, the cast's students.

Pages are measured through Django's test Client on the benchmark district; every benchmark that
does so needs the same three things, so they live here once.
"""

from contextlib import contextmanager

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client, RequestFactory
from django.test.utils import override_settings

from educators.models import Educator
from educators.roles import requires_mfa
from students.demo import cast
from students.models import Student


def signed_in(key: str) -> Client:
    """A client signed in as the demo login `key`, as the sign-in flow leaves it (second factor included).

    The session records the sign-in's steps as allauth's flow does (a password, then the second
    factor for a role that needs one), so the pages see the session a person's sign-in leaves."""
    educator = Educator.objects.get(email=f"{key}@{cast.EMAIL_DOMAIN}")
    second_factor = None
    if requires_mfa(educator):
        second_factor, _ = Authenticator.objects.get_or_create(
            user=educator, type=Authenticator.Type.TOTP, defaults={"data": {}}
        )
    client = Client()
    client.force_login(educator)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, educator, "password", email=educator.email)
    if second_factor is not None:
        record_authentication(request, educator, "mfa", id=second_factor.pk, type=second_factor.type)
    request.session.save()
    return client


@contextmanager
def serving_pages(**overrides):
    """The test Client's host allowed, and {% static %} rendered without collectstatic's manifest."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages, **overrides):
        yield


def cast_student(key: str) -> Student:
    """The benchmark district's student played by the cast member `key` (the generator numbers them first)."""
    return Student.objects.get(local_id=str(100000 + [person.key for person in cast.STUDENTS].index(key)))
