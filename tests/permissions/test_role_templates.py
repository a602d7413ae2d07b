"""Role templates: ten seeded, editable roles; assigning one gives its grant, group and flags in one step,
each change a grant change event."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import GrantChangeEvent
from permissions.holdings import MANAGE_GRANTS, READ_AUDIT_LOG, RESTRICTED_NOTES, holdings
from permissions.models import RoleTemplate, SchoolGrant
from permissions.policy import can_view_restricted_notes, visible_students
from permissions.role_templates import assign_role
from students.models import Student, special_education_students

pytestmark = pytest.mark.urls("tests.permissions.urls")

SEEDED = {
    "Principal": "school",
    "Assistant principal": "school",
    "Counselor": "school",
    "Special-education teacher": "school",
    "English-learner teacher": "school",
    "Homeroom teacher": "homeroom",
    "Section teacher": "section",
    "Data coordinator": "school",
    "Privacy officer": "",
    "District admin": "",
}


def role(name: str) -> RoleTemplate:
    return RoleTemplate.objects.select_related("group").get(name=name)


def assign_page(name: str) -> str:
    return reverse("admin:permissions_roletemplate_assign", args=[role(name).pk])


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.educator("admin"))
    return client


def test_ten_roles_are_seeded_each_with_its_group(demo):
    assert {template.name: template.grant_kind for template in RoleTemplate.objects.all()} == SEEDED
    assert all(template.group.name == template.name for template in RoleTemplate.objects.select_related("group"))
    codenames = set(role("Counselor").group.permissions.values_list("codename", flat=True))
    assert codenames == {"view_restricted_notes"}
    assert "manage_grants" in set(role("District admin").group.permissions.values_list("codename", flat=True))
    assert role("Special-education teacher").sped_only and role("English-learner teacher").english_learners_only
    assert role("Privacy officer").admin_site and not role("Counselor").admin_site
    assert set(role("Privacy officer").group.permissions.values_list("codename", flat=True)) == {
        "view_audit_reports",
        "privacy_operations",
    }


def test_counselor_at_baker_is_assigned_in_one_step(admin_client, demo):
    newhire, baker = demo.educator("newhire"), demo.school("BAK")
    page = admin_client.get(assign_page("Counselor")).content.decode()
    assert reverse("admin:permissions_schoolgrant_search") in page and 'id="grant-reach"' in page
    response = admin_client.post(
        assign_page("Counselor"), {"user": newhire.pk, "content_object": baker.pk, "reason": "New counselor"}
    )
    assert response.status_code == 302 and response.url == reverse("admin:educators_educator_change", args=[newhire.pk])
    message = admin_client.get(response.url).content.decode()
    assert "Counselor at Baker K-8 assigned to Nora Quinn: New counselor." in message
    grant = SchoolGrant.objects.get(user=newhire)
    assert (grant.content_object, grant.reason, grant.granted_by) == (
        baker,
        "Counselor: New counselor",
        demo.educator("admin"),
    )
    assert can_view_restricted_notes(newhire)
    assert set(visible_students(newhire)) == set(Student.objects.filter(school=baker))
    events = GrantChangeEvent.objects.filter(educator_id=newhire.pk).order_by("id")
    assert [(event.grant_kind, event.object_label) for event in events] == [
        ("school", "Baker K-8"),
        ("group", "Counselor"),
    ]
    assert {event.reason for event in events} == {"Counselor: New counselor"}


def test_a_special_education_role_sets_the_narrowing_flag_with_its_record(demo):
    newhire, ashford = demo.educator("newhire"), demo.school("ASH")
    template = role("Special-education teacher")
    assignment = assign_role(
        actor=demo.educator("admin"), educator=newhire, template=template, target=ashford, reason="SPED"
    )
    assert assignment.privilege_changes == 2  # the flag and the group
    newhire.refresh_from_db()
    assert newhire.sped_only
    assert set(visible_students(newhire)) == set(Student.objects.filter(special_education_students(), school=ashford))
    kinds = list(
        GrantChangeEvent.objects.filter(educator_id=newhire.pk).order_by("id").values_list("grant_kind", flat=True)
    )
    assert kinds == ["school", "sped_only", "group"]


def test_a_role_without_a_grant_asks_only_whom(admin_client, demo):
    newhire = demo.educator("newhire")
    page = admin_client.get(assign_page("Privacy officer")).content.decode()
    assert 'name="content_object"' not in page and 'name="expires_at_0"' not in page
    response = admin_client.post(assign_page("Privacy officer"), {"user": newhire.pk, "reason": "New privacy officer"})
    assert response.status_code == 302
    newhire.refresh_from_db()
    assert newhire.is_staff and READ_AUDIT_LOG in holdings(newhire).permissions
    assert not SchoolGrant.objects.filter(user=newhire).exists()
    kinds = set(GrantChangeEvent.objects.filter(educator_id=newhire.pk).values_list("grant_kind", "object_label"))
    assert kinds == {("is_staff", "account"), ("group", "Privacy officer")}


def test_the_district_admin_role_makes_a_district_admin(demo):
    newhire = demo.educator("newhire")
    assign_role(actor=demo.educator("admin"), educator=newhire, template=role("District admin"), reason="New admin")
    assert MANAGE_GRANTS in holdings(newhire).permissions and RESTRICTED_NOTES not in holdings(newhire).permissions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "No school chosen"}, "This field is required"),
        ({"content_object": "BAK", "reason": ""}, "This field is required"),
        ({"content_object": "BAK", "reason": "x", "expires_at_0": "2001-01-01", "expires_at_1": "00:00"}, "future"),
    ],
)
def test_an_incomplete_assignment_changes_nothing(admin_client, demo, data, message):
    newhire = demo.educator("newhire")
    if "content_object" in data:
        data["content_object"] = demo.school(data["content_object"]).pk
    response = admin_client.post(assign_page("Counselor"), {"user": newhire.pk, **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert not newhire.groups.exists() and not SchoolGrant.objects.filter(user=newhire).exists()
    assert not GrantChangeEvent.objects.exists()


def test_an_inactive_account_gets_no_role(admin_client, demo):
    inactive = demo.educator("inactive")
    with pytest.raises(ValidationError, match="inactive"):
        assign_role(
            actor=demo.educator("admin"),
            educator=inactive,
            template=role("Counselor"),
            target=demo.school("BAK"),
            reason="x",
        )
    assert not GrantChangeEvent.objects.exists()


def test_the_role_must_be_given_on_the_right_kind_of_place(demo):
    with pytest.raises(ValidationError, match="given on a homeroom"):
        assign_role(
            actor=demo.educator("admin"),
            educator=demo.educator("newhire"),
            template=role("Homeroom teacher"),
            target=demo.school("BAK"),
            reason="x",
        )


def test_only_district_admins_assign_roles(client, demo):
    with pytest.raises(PermissionDenied):
        assign_role(
            actor=demo.educator("privacy"),
            educator=demo.educator("newhire"),
            template=role("Counselor"),
            target=demo.school("BAK"),
            reason="x",
        )
    client.force_login(demo.educator("privacy"))
    assert client.get(assign_page("Counselor")).status_code == 403
    assert client.get(reverse("admin:permissions_roletemplate_changelist")).status_code == 403


def test_the_roles_page_lists_what_each_role_gives_and_who_holds_it(admin_client, demo):
    assign_role(
        actor=demo.educator("admin"),
        educator=demo.educator("newhire"),
        template=role("Counselor"),
        target=demo.school("BAK"),
        reason="x",
    )
    page = admin_client.get(reverse("admin:permissions_roletemplate_changelist")).content.decode()
    assert assign_page("Counselor") in page and "special-education students only" in page
    holders = re.search(r'>Counselor</a></th>.*?<td class="field-holders">(\d+)</td>', page, re.S)
    assert holders is not None and holders.group(1) == "1"
    change = admin_client.get(reverse("admin:permissions_roletemplate_change", args=[role("Counselor").pk]))
    assert "May read restricted note text" in change.content.decode()
    assert reverse("admin:auth_group_change", args=[role("Counselor").group_id]) in change.content.decode()
    assert role("Counselor").group.user_set.count() == 1


def test_a_new_role_gets_its_own_group_and_a_renamed_one_renames_it(admin_client, demo):
    add = admin_client.get(reverse("admin:permissions_roletemplate_add")).content.decode()
    assert "Saved with a group of its own" in add
    response = admin_client.post(
        reverse("admin:permissions_roletemplate_add"),
        {"name": "Nurse", "description": "School nurse", "grant_kind": "school"},
    )
    assert response.status_code == 302
    nurse = role("Nurse")
    assert nurse.group.name == "Nurse"
    admin_client.post(
        reverse("admin:permissions_roletemplate_change", args=[nurse.pk]),
        {"name": "School nurse", "description": "School nurse", "grant_kind": "school"},
    )
    assert Group.objects.get(pk=nurse.group_id).name == "School nurse"
    admin_client.post(
        reverse("admin:permissions_roletemplate_change", args=[nurse.pk]),
        {"name": "School nurse", "description": "Nurse at one school", "grant_kind": "school"},
    )
    assert Group.objects.get(pk=nurse.group_id).name == "School nurse"
    assert admin_client.get(reverse("admin:permissions_roletemplate_delete", args=[nurse.pk])).status_code == 403


def test_a_missing_role_is_not_found(admin_client, demo):
    assert admin_client.get(reverse("admin:permissions_roletemplate_assign", args=[999999])).status_code == 404


def test_the_educator_page_links_to_assigning_a_role(admin_client, demo):
    page = admin_client.get(reverse("admin:educators_educator_change", args=[demo.educator("newhire").pk]))
    assert reverse("admin:permissions_roletemplate_changelist") in page.content.decode()
