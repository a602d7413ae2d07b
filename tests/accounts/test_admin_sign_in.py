"""The Django admin signs in through allauth, so its two-factor rules and rate limits apply there too."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from educators.models import Educator
from tests.accounts.helpers import LOGIN_URL, PASSWORD, activate_totp, open_enrolment_sitting, sign_in, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_admin():
    return Educator.objects.create_user("admin@school.example", PASSWORD, full_name="Avery Admin", is_staff=True)


def test_the_admin_sign_in_page_sends_people_to_the_site_sign_in(client):
    response = client.get("/admin/login/?next=/admin/educators/educator/")
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert (target.path, parse_qs(target.query)) == (LOGIN_URL, {"next": ["/admin/educators/educator/"]})
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"


def test_a_staff_member_sets_up_totp_before_the_admin_and_is_challenged_next_time(client, district_admin):
    open_enrolment_sitting(client, district_admin)
    client.post(f"{LOGIN_URL}?next=/admin/", {"login": district_admin.email, "password": PASSWORD})
    assert client.get("/admin/").url == reverse("mfa_index")
    secret = activate_totp(client)
    assert client.get("/admin/").status_code == 200
    client.post(reverse("account_logout"))

    response = client.post(f"{LOGIN_URL}?next=/admin/", {"login": district_admin.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_educator_who_is_not_staff_is_refused_rather_than_sent_round_in_circles(client, teacher):
    sign_in(client, teacher.email)
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/").status_code == 403
