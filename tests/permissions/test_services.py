"""Granting and revoking access by hand: only district admins, always with a reason, always recorded."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import GrantChangeEvent
from educators.models import Educator
from permissions.models import GrantSource, HomeroomGrant, SchoolGrant, StudentGrant
from permissions.policy import visible_students
from permissions.services import can_manage_grants, grant_access, revoke_access, student_by_local_id
from students.models import District, School


def test_a_district_admin_grants_schoolwide_access_with_a_reason_and_it_is_recorded(demo):
    admin, newhire, ashford = demo.educator("admin"), demo.educator("newhire"), demo.school("ASH")
    grant = grant_access(actor=admin, educator=newhire, kind="school", obj=ashford, reason="  Interim principal  ")
    assert (grant.reason, grant.source, grant.granted_by, grant.expires_at) == (
        "Interim principal",
        GrantSource.MANUAL,
        admin,
        None,
    )
    assert demo.student("aisha") in visible_students(newhire)
    event = GrantChangeEvent.objects.get()
    assert (event.actor_email, event.educator_email, event.grant_kind, event.object_label, event.reason) == (
        admin.email,
        newhire.email,
        "school",
        "Ashford Elementary",
        "Interim principal",
    )
    assert event.before is None
    assert event.after == {
        "permission": "view_school_students",
        "reason": "Interim principal",
        "expires_at": None,
        "source": "manual",
        "granted_by": admin.email,
    }


def test_granting_a_held_grant_again_changes_its_reason_and_expiry_and_records_before_and_after(demo):
    admin, helen, ruby = demo.educator("admin"), demo.educator("counselor.riverside"), demo.student("ruby")
    later = timezone.now() + datetime.timedelta(days=90)
    grant_access(actor=admin, educator=helen, kind="student", obj=ruby, reason="Extended transition", expires_at=later)
    grant = StudentGrant.objects.get(user=helen, content_object=ruby)
    assert (grant.reason, grant.expires_at) == ("Extended transition", later)
    event = GrantChangeEvent.objects.get()
    assert event.object_label == f"Student #{ruby.pk}"  # a student only by opaque id
    assert event.before["reason"] == "Transition planning for 9th grade"
    assert event.after["expires_at"] == later.isoformat()


def test_granting_over_an_sis_grant_makes_it_a_manual_one(demo):
    homeroom = demo.homeroom("5-201")
    grant_access(
        actor=demo.educator("admin"), educator=demo.educator("teacher.5"), kind="homeroom", obj=homeroom, reason="Keep"
    )
    grant = HomeroomGrant.objects.get(content_object=homeroom)
    assert grant.source == GrantSource.MANUAL
    assert GrantChangeEvent.objects.get().before["source"] == "sis"


def test_a_grant_attached_to_the_district_reads_as_the_district(demo):
    grant_access(
        actor=demo.educator("admin"),
        educator=demo.educator("newhire"),
        kind="district",
        obj=District.objects.current(),
        reason="Superintendent",
    )
    assert GrantChangeEvent.objects.get().object_label == "the district"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"reason": "   "}, ValidationError),
        ({"kind": "galaxy"}, ValidationError),
        ({"kind": "homeroom"}, ValidationError),  # a school is not a homeroom
        ({"expires_at": "past"}, ValidationError),
        ({"actor": "privacy"}, PermissionDenied),  # staff, but not a district admin
        ({"actor": "principal.baker"}, PermissionDenied),
    ],
)
def test_a_grant_without_reason_or_right_object_or_by_someone_else_is_refused_and_nothing_changes(demo, change, error):
    arguments = {
        "actor": demo.educator(change.get("actor", "admin")),
        "educator": demo.educator("newhire"),
        "kind": change.get("kind", "school"),
        "obj": demo.school("ASH"),
        "reason": change.get("reason", "Interim"),
        "expires_at": timezone.now() - datetime.timedelta(minutes=1) if "expires_at" in change else None,
    }
    with pytest.raises(error):
        grant_access(**arguments)
    assert not SchoolGrant.objects.filter(user=arguments["educator"]).exists()
    assert not GrantChangeEvent.objects.exists()


def test_an_unsaved_object_cannot_be_granted(demo):
    unsaved = School(local_id="NEW", name="New", school_type="ES")
    with pytest.raises(ValidationError):
        grant_access(
            actor=demo.educator("admin"), educator=demo.educator("newhire"), kind="school", obj=unsaved, reason="x"
        )


def test_revoking_a_manual_grant_removes_access_and_records_why(demo):
    admin, counselor = demo.educator("admin"), demo.educator("counselor.baker")
    grant = SchoolGrant.objects.get(user=counselor)
    revoke_access(actor=admin, grant=grant, reason="Moved to another district")
    assert not visible_students(counselor).exists()
    event = GrantChangeEvent.objects.get()
    assert (event.after, event.before["reason"], event.reason) == (None, "Counselor", "Moved to another district")


def test_revoking_needs_a_reason_a_district_admin_and_a_manual_grant(demo):
    admin, counselor = demo.educator("admin"), demo.educator("counselor.baker")
    grant = SchoolGrant.objects.get(user=counselor)
    with pytest.raises(ValidationError):
        revoke_access(actor=admin, grant=grant, reason="")
    with pytest.raises(PermissionDenied):
        revoke_access(actor=demo.educator("principal.baker"), grant=grant, reason="Not mine to revoke")
    sis_grant = HomeroomGrant.objects.get(content_object=demo.homeroom("5-201"))
    with pytest.raises(ValidationError, match="SIS"):
        revoke_access(actor=admin, grant=sis_grant, reason="Trying")
    assert SchoolGrant.objects.filter(pk=grant.pk).exists() and HomeroomGrant.objects.filter(pk=sis_grant.pk).exists()
    assert not GrantChangeEvent.objects.exists()


def test_who_may_manage_grants(demo):
    assert can_manage_grants(demo.educator("admin"))  # the cast's district admin
    assert not can_manage_grants(demo.educator("privacy"))  # staff without the permission
    assert not can_manage_grants(demo.educator("district"))  # sees every student, but is not an admin
    staff = Educator.objects.create_user("grants@district.example", None, full_name="Grants Clerk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="manage_grants"))
    assert can_manage_grants(Educator.objects.get(pk=staff.pk))
    Educator.objects.filter(pk=staff.pk).update(is_staff=False)
    assert not can_manage_grants(Educator.objects.get(pk=staff.pk))
    assert not can_manage_grants(None)


def test_a_student_is_found_by_local_id_for_granting(demo):
    assert student_by_local_id(f" {demo.student('ruby').local_id} ") == demo.student("ruby")
    assert student_by_local_id("no-such-id") is None
