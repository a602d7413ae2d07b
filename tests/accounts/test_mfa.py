"""Two-factor authentication: who must use it, the gate to set it up, TOTP and recovery codes, secrets encrypted."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import SignInEvent
from educators.models import Educator
from educators.roles import requires_mfa
from permissions.models import DistrictGrant, HomeroomGrant, SchoolGrant
from students.models import District, Homeroom
from tests.accounts.helpers import (
    activate_totp,
    enroll_totp,
    open_enrolment_sitting,
    sign_in,
    stored_totp_secret,
    totp_code,
)

pytestmark = pytest.mark.django_db


def permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def make_educator(email: str = "someone@school.example", **fields) -> Educator:
    return Educator.objects.create_user(email, "correct horse battery staple", full_name="Some One", **fields)


def test_a_homeroom_teacher_does_not_need_a_second_factor(school):
    teacher = make_educator()
    homeroom = Homeroom.objects.create(school=school, name="5-201", grade="5", educator=teacher)
    HomeroomGrant.objects.create(
        user=teacher, permission=permission("students", "view_homeroom_students"), content_object=homeroom
    )
    assert requires_mfa(teacher) is False


def test_districtwide_and_schoolwide_grants_require_a_second_factor(school):
    districtwide = make_educator("district@school.example")
    DistrictGrant.objects.create(
        user=districtwide,
        permission=permission("students", "view_district_students"),
        content_object=District.objects.current(),
    )
    schoolwide = make_educator("school@school.example")
    SchoolGrant.objects.create(
        user=schoolwide, permission=permission("students", "view_school_students"), content_object=school
    )
    assert requires_mfa(districtwide) is True
    assert requires_mfa(schoolwide) is True


def test_an_expired_schoolwide_grant_no_longer_requires_a_second_factor(school):
    educator = make_educator()
    SchoolGrant.objects.create(
        user=educator,
        permission=permission("students", "view_school_students"),
        content_object=school,
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert requires_mfa(educator) is False


@pytest.mark.parametrize(
    ("app_label", "codename"),
    [("students", "view_restricted_notes"), ("permissions", "manage_grants"), ("audit", "view_audit_reports")],
)
def test_privileged_permissions_require_a_second_factor_whether_direct_or_through_a_group(app_label, codename):
    direct = make_educator("direct@school.example")
    direct.user_permissions.add(permission(app_label, codename))
    through_group = make_educator("group@school.example")
    group = Group.objects.create(name="Privileged")
    group.permissions.add(permission(app_label, codename))
    through_group.groups.add(group)
    assert requires_mfa(direct) is True
    assert requires_mfa(through_group) is True


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_every_staff_member_and_superuser_needs_a_second_factor(flag):
    assert requires_mfa(make_educator(**{flag: True})) is True


def test_the_privilege_check_is_one_query_and_remembered_for_the_request(django_assert_num_queries):
    educator = make_educator()
    with django_assert_num_queries(1):
        assert requires_mfa(educator) is False
        assert requires_mfa(educator) is False


def test_a_teacher_signs_in_without_being_asked_for_a_second_factor(client, teacher):
    sign_in(client, teacher.email)
    assert client.get(reverse("students:home")).status_code == 200


def test_a_privileged_educator_sets_up_totp_before_any_page_then_is_challenged_at_the_next_sign_in(client, principal):
    open_enrolment_sitting(client, principal)
    response = sign_in(client, principal.email)
    assert response.status_code == 302
    # Signed in, but every page sends them to two-factor setup first.
    for path in (reverse("students:home"), reverse("usersessions_list"), "/admin/"):
        gated = client.get(path)
        assert gated.status_code == 302
        assert gated.url == reverse("mfa_index")
    secret = activate_totp(client)
    assert stored_totp_secret(principal) == secret
    assert Authenticator.objects.filter(user=principal, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("students:home")).status_code == 200
    client.post(reverse("account_logout"))

    challenged = sign_in(client, principal.email)
    assert challenged.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset_periods=5)})
    assert "Incorrect code" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    accepted = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert accepted.status_code == 302
    assert client.get(reverse("students:home")).status_code == 200
    reasons = list(
        SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGN_IN).order_by("id").values_list("reason", flat=True)
    )
    assert reasons == ["password", "wrong_mfa_code", "password+totp"]


def test_a_recovery_code_signs_in_once_and_only_once(client, principal):
    open_enrolment_sitting(client, principal)
    sign_in(client, principal.email)
    activate_totp(client)
    client.post(reverse("account_logout"))
    code = RecoveryCodes(
        Authenticator.objects.get(user=principal, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]

    sign_in(client, principal.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(principal.pk)
    client.post(reverse("account_logout"))

    sign_in(client, principal.email)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code" in reused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_from_the_step_just_past_still_signs_in_but_an_older_one_or_a_replay_does_not(client, principal):
    secret = enroll_totp(principal)
    sign_in(client, principal.email)
    too_old = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset_periods=-2)})
    assert "Incorrect code" in too_old.content.decode()
    just_past = totp_code(secret, offset_periods=-1)
    assert client.post(reverse("mfa_authenticate"), {"code": just_past}).status_code == 302
    assert client.session["_auth_user_id"] == str(principal.pk)
    client.post(reverse("account_logout"))

    sign_in(client, principal.email)
    replayed = client.post(reverse("mfa_authenticate"), {"code": just_past})
    assert "Incorrect code" in replayed.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_totp_secret_and_recovery_seed_are_ciphertext_in_the_database(client, principal):
    open_enrolment_sitting(client, principal)
    sign_in(client, principal.email)
    secret = activate_totp(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, data::text FROM mfa_authenticator WHERE user_id = %s", [principal.pk])
        rows = dict(cursor.fetchall())
    assert secret not in rows["totp"]
    assert '"secret": "gAAAAA' in rows["totp"]  # a Fernet token
    assert '"seed": "gAAAAA' in rows["recovery_codes"]


def test_a_privileged_educator_cannot_turn_off_their_only_second_factor(client, principal):
    open_enrolment_sitting(client, principal)
    sign_in(client, principal.email)
    activate_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=principal, type=Authenticator.Type.TOTP).exists()


def test_a_teacher_may_turn_off_a_second_factor_they_chose_to_add(client, teacher):
    sign_in(client, teacher.email)
    activate_totp(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).exists()


def test_the_gate_lets_a_privileged_educator_sign_out_and_reach_static_files_and_the_health_check(client, principal):
    open_enrolment_sitting(client, principal)
    sign_in(client, principal.email)
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_signed_in_with_a_second_factor_passes_the_gate_without_asking_the_database(client, principal):
    secret = enroll_totp(principal)
    sign_in(client, principal.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(reverse("students:home")).status_code == 200
    # The gate's two questions: does the educator have an authenticator, do they hold a privileged permission.
    gate_markers = ('"mfa_authenticator"', '"educators_educator_groups"')
    assert not [query["sql"] for query in page_queries if any(marker in query["sql"] for marker in gate_markers)]
