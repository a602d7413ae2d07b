"""The access admin: district admins grant and revoke with a reason, everything goes to the audit log.

Grant pages are the real admin site's; the mixins offered to the educator and student admins are
exercised on a test admin site (tests/permissions/admin_site.py) that plugs them into plain admins.
"""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from audit.models import GrantChangeEvent
from educators.models import Educator
from permissions.models import GrantSource, HomeroomGrant, SchoolGrant, SectionGrant, StudentGrant
from permissions.policy import visible_students
from permissions.reasons import access_reasons

pytestmark = pytest.mark.urls("tests.permissions.urls")


def later() -> dict:
    moment = timezone.localtime() + datetime.timedelta(days=14)
    return {"expires_at_0": moment.strftime("%Y-%m-%d"), "expires_at_1": "16:00:00"}


# --- grant pages ---------------------------------------------------------------------------------------
def test_grant_pages_are_for_district_admins_only(signed_in, demo):
    url = reverse("admin:permissions_schoolgrant_changelist")
    assert signed_in("admin").get(url).status_code == 200
    assert signed_in("privacy").get(url).status_code == 403  # staff, without permissions.manage_grants
    assert signed_in("district").get(url).status_code == 302  # not staff: sent to sign in
    assert b"Schoolwide grants" not in signed_in("privacy").get(reverse("admin:index")).content


def test_a_district_admin_grants_schoolwide_access_with_a_reason(signed_in, demo):
    newhire = demo.educator("newhire")
    response = signed_in("admin").post(
        reverse("admin:permissions_schoolgrant_add"),
        {"user": newhire.pk, "content_object": demo.school("ASH").pk, "reason": "Interim principal", **later()},
    )
    assert response.status_code == 302
    grant = SchoolGrant.objects.get(user=newhire)
    assert (grant.reason, grant.granted_by, grant.source) == ("Interim principal", demo.educator("admin"), "manual")
    assert grant.expires_at.date() == (timezone.localdate() + datetime.timedelta(days=14))
    assert GrantChangeEvent.objects.get().reason == "Interim principal"
    assert demo.student("aisha") in visible_students(newhire)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": ""}, b"This field is required"),
        ({"expires_at_0": "2001-01-01", "expires_at_1": "00:00"}, b"The expiry must be in the future"),
        ({"user": "principal.baker", "content_object": "BAK"}, b"already holds this grant"),
    ],
)
def test_a_grant_without_reason_in_the_past_or_held_already_is_refused(signed_in, demo, change, message):
    data = {"user": "newhire", "content_object": "ASH", "reason": "Interim", "expires_at_0": "", "expires_at_1": ""}
    data.update(change)
    data["user"] = demo.educator(data["user"]).pk
    data["content_object"] = demo.school(data["content_object"]).pk
    before = SchoolGrant.objects.count()
    response = signed_in("admin").post(reverse("admin:permissions_schoolgrant_add"), data)
    assert response.status_code == 200 and message in response.content
    assert SchoolGrant.objects.count() == before
    assert not GrantChangeEvent.objects.exists()


def test_a_single_student_grant_is_picked_by_student_and_listed_by_local_id(signed_in, demo):
    client, newhire, eli = signed_in("admin"), demo.educator("newhire"), demo.student("eli")
    url = reverse("admin:permissions_studentgrant_add")
    response = client.post(url, {"user": newhire.pk, "content_object": "0", "reason": "IEP meeting"})
    assert b"Select a valid choice" in response.content
    response = client.post(url, {"user": newhire.pk, "content_object": eli.pk, "reason": "IEP meeting", **later()})
    assert response.status_code == 302
    assert access_reasons(newhire, eli) == [
        f"single student: IEP meeting, until {timezone.localdate() + datetime.timedelta(days=14)}"
    ]
    listing = client.get(reverse("admin:permissions_studentgrant_changelist")).content.decode()
    assert eli.local_id in listing and eli.last_name not in listing  # the admin may not see Eli
    change = client.get(
        reverse("admin:permissions_studentgrant_change", args=[StudentGrant.objects.get(user=newhire).pk])
    )
    assert eli.local_id in change.content.decode()


def test_changing_a_grant_records_before_and_after(signed_in, demo):
    grant = SchoolGrant.objects.get(user=demo.educator("counselor.baker"))
    response = signed_in("admin").post(
        reverse("admin:permissions_schoolgrant_change", args=[grant.pk]),
        {"reason": "Counselor, covering grade 8 too", **later()},
    )
    assert response.status_code == 302
    event = GrantChangeEvent.objects.get()
    assert (event.before["reason"], event.after["reason"]) == ("Counselor", "Counselor, covering grade 8 too")
    assert event.before["expires_at"] is None and event.after["expires_at"] is not None


def test_sis_grants_are_read_only_in_the_admin(signed_in, demo):
    client = signed_in("admin")
    grant = HomeroomGrant.objects.get(content_object=demo.homeroom("5-201"))
    page = client.get(reverse("admin:permissions_homeroomgrant_change", args=[grant.pk]))
    assert page.status_code == 200 and b'name="reason"' not in page.content
    assert (
        client.post(reverse("admin:permissions_homeroomgrant_change", args=[grant.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:permissions_homeroomgrant_delete", args=[grant.pk]), {"post": "yes", "reason": "x"}
        ).status_code
        == 403
    )
    assert HomeroomGrant.objects.filter(pk=grant.pk, source=GrantSource.SIS).exists()


def test_revoking_asks_why_and_records_it(signed_in, demo):
    client, counselor = signed_in("admin"), demo.educator("counselor.baker")
    grant = SchoolGrant.objects.get(user=counselor)
    url = reverse("admin:permissions_schoolgrant_delete", args=[grant.pk])
    assert b'name="reason"' in client.get(url).content
    response = client.post(url, {"post": "yes", "reason": ""})
    assert response.status_code == 200 and b"This field is required" in response.content
    assert SchoolGrant.objects.filter(pk=grant.pk).exists()
    response = client.post(url, {"post": "yes", "reason": "Left the district"})
    assert response.status_code == 302
    assert not SchoolGrant.objects.filter(pk=grant.pk).exists()
    assert GrantChangeEvent.objects.get().reason == "Left the district"


def test_grants_are_never_deleted_in_bulk(signed_in, demo):
    response = signed_in("admin").get(reverse("admin:permissions_schoolgrant_changelist"))
    assert b"delete_selected" not in response.content


# --- the educator's access panel -----------------------------------------------------------------------
def test_the_educator_page_shows_what_they_can_see_and_their_grants(signed_in, demo):
    helen = demo.educator("counselor.riverside")
    page = signed_in("admin").get(reverse("permissions_test_admin:educators_educator_change", args=[helen.pk]))
    content = page.content.decode()
    assert "schoolwide at Riverside High; single-student access to 1 student; restricted notes" in content
    assert "Transition planning for 9th grade" in content  # the single-student grant's reason, in its inline
    grant = StudentGrant.objects.get(user=helen)
    assert reverse("permissions_test_admin:permissions_studentgrant_change", args=[grant.pk]) in content
    assert f"{reverse('permissions_test_admin:permissions_schoolgrant_add')}?user={helen.pk}" in content


def test_the_access_panel_is_only_for_district_admins(demo, client):
    clerk = Educator.objects.create_user("clerk@district.example", None, full_name="Account Clerk", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_educator", "change_educator"]))
    Authenticator.objects.create(user=clerk, type=Authenticator.Type.TOTP, data={})
    client.force_login(clerk)
    page = client.get(reverse("permissions_test_admin:educators_educator_change", args=[demo.educator("teacher.5").pk]))
    assert page.status_code == 200
    assert b"teacher.5@demo.insights.example" in page.content
    assert b"can see" not in page.content and b"homeroom grant" not in page.content.lower()


# --- guardian's object-permission pages ----------------------------------------------------------------
def test_the_object_permissions_page_lists_who_holds_the_grant_and_why(signed_in, demo):
    baker = demo.school("BAK")
    url = reverse("permissions_test_admin:students_school_permissions", args=[baker.pk])
    content = signed_in("admin").get(url).content.decode()
    assert "principal.baker@demo.insights.example" in content and "Counselor" in content
    assert signed_in("privacy").get(url).status_code == 403


def test_granting_and_revoking_on_the_object_permissions_page_go_through_the_services(signed_in, demo):
    client, ashford, newhire = signed_in("admin"), demo.school("ASH"), demo.educator("newhire")
    url = reverse("permissions_test_admin:students_school_permissions_manage_user", args=[ashford.pk, newhire.pk])
    page = client.get(url)
    assert b"view_school_students" in page.content and b"change_school" not in page.content
    response = client.post(url, {"permissions": ["view_school_students"], "reason": "Covering", **later()})
    assert response.status_code == 302
    assert demo.student("aisha") in visible_students(newhire)
    assert (
        client.post(
            url,
            {
                "permissions": ["view_school_students"],
                "reason": "Covering",
                "expires_at_0": "2001-01-01",
                "expires_at_1": "00:00",
            },
        ).status_code
        == 200
    )
    response = client.post(url, {"reason": "Cover ended"})
    assert response.status_code == 302
    assert not visible_students(newhire).exists()
    assert [event.reason for event in GrantChangeEvent.objects.order_by("id")] == ["Covering", "Cover ended"]
    assert client.post(url, {"reason": "Nothing held"}).status_code == 302  # nothing to revoke: no change
    assert GrantChangeEvent.objects.count() == 2


def test_choosing_an_educator_on_the_object_permissions_page_leads_to_their_form(signed_in, demo):
    ashford, newhire = demo.school("ASH"), demo.educator("newhire")
    response = signed_in("admin").post(
        reverse("permissions_test_admin:students_school_permissions", args=[ashford.pk]),
        {"user": newhire.email, "submit_manage_user": "1"},
    )
    assert response.url.endswith(f"/permissions/user-manage/{newhire.pk}/")


def test_an_sis_grant_cannot_be_revoked_on_the_object_permissions_page(signed_in, demo):
    homeroom, teacher = demo.homeroom("5-201"), demo.educator("teacher.5")
    url = reverse("permissions_test_admin:students_homeroom_permissions_manage_user", args=[homeroom.pk, teacher.pk])
    response = signed_in("admin").post(url, {"reason": "Trying"})
    assert response.status_code == 200 and b"follows the SIS teaching assignment" in response.content
    assert HomeroomGrant.objects.filter(user=teacher, content_object=homeroom).exists()


def test_object_permission_pages_are_for_district_admins_and_offer_no_group_grants(signed_in, demo):
    ashford, newhire = demo.school("ASH"), demo.educator("newhire")
    manage_user = reverse(
        "permissions_test_admin:students_school_permissions_manage_user", args=[ashford.pk, newhire.pk]
    )
    assert signed_in("privacy").get(manage_user).status_code == 403
    manage_group = reverse("permissions_test_admin:students_school_permissions_manage_group", args=[ashford.pk, 1])
    assert signed_in("admin").get(manage_group).status_code == 404


def test_an_admin_who_cannot_see_a_student_cannot_open_its_object_permissions(signed_in, demo):
    url = reverse("permissions_test_admin:students_student_permissions", args=[demo.student("eli").pk])
    assert signed_in("admin").get(url).status_code == 404


# --- SIS grants follow admin edits ---------------------------------------------------------------------
def test_changing_a_homeroom_teacher_in_the_admin_moves_the_grant(signed_in, demo):
    homeroom, newhire = demo.homeroom("5-201"), demo.educator("newhire")
    response = signed_in("admin").post(
        reverse("permissions_test_admin:students_homeroom_change", args=[homeroom.pk]),
        {"school": homeroom.school_id, "name": homeroom.name, "grade": homeroom.grade, "educator": newhire.pk},
    )
    assert response.status_code == 302
    assert access_reasons(newhire, demo.student("mateo")) == ["homeroom 5-201 at Baker K-8"]
    assert not visible_students(demo.educator("teacher.5")).exists()
    assert set(GrantChangeEvent.objects.values_list("actor_email", flat=True)) == {demo.educator("admin").email}


def test_changing_a_sections_teachers_in_the_admin_moves_the_grant(signed_in, demo):
    section, algebra = demo.section("BIO-101-3"), demo.educator("teacher.algebra")
    assignment = section.educator_assignments.get()
    prefix = "educator_assignments"
    response = signed_in("admin").post(
        reverse("permissions_test_admin:students_section_change", args=[section.pk]),
        {
            "course": section.course_id,
            "section_number": section.section_number,
            "term_local_id": section.term_local_id,
            "school_year": section.school_year,
            "schedule": section.schedule,
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": assignment.pk,
            f"{prefix}-0-section": section.pk,
            f"{prefix}-0-educator": algebra.pk,
        },
    )
    assert response.status_code == 302
    assert set(SectionGrant.objects.filter(content_object=section).values_list("user", flat=True)) == {algebra.pk}
    assert access_reasons(algebra, demo.student("noah")) == ["section BIO-101-3 period 3"]
