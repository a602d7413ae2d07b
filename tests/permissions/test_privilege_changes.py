"""Every change to an account's privileges in the admin is a GrantChangeEvent, written in the same transaction."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from audit.models import GrantChangeEvent
from educators.models import Educator

pytestmark = pytest.mark.django_db

RESTRICTED_NOTES = "students.view_restricted_notes"


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.educator("admin"))
    return client


@pytest.fixture
def newhire(demo) -> Educator:
    return demo.educator("newhire")


def change_url(educator) -> str:
    return reverse("admin:educators_educator_change", args=[educator.pk])


def change_form_data(client, educator, **changes) -> dict:
    """What the change page posts back untouched, with ``changes`` applied (False or [] clears a field)."""
    page = client.get(change_url(educator))
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = changes.get(name, form[name].value())
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value not in (None, False):
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


def totp_of(educator) -> Authenticator:
    return Authenticator.objects.get_or_create(user=educator, type=Authenticator.Type.TOTP, defaults={"data": {}})[0]


def changes_to(educator):
    return GrantChangeEvent.objects.filter(educator_id=educator.pk).order_by("id")


def test_giving_the_restricted_notes_permission_is_a_grant_change_with_its_reason(admin_client, demo, newhire):
    data = change_form_data(
        admin_client,
        newhire,
        user_permissions=[permission(RESTRICTED_NOTES).pk],
        access_change_reason="Joins the student support team",
    )
    assert admin_client.post(change_url(newhire), data).status_code == 302
    [change] = changes_to(newhire)
    assert (change.grant_kind, change.object_label, change.before, change.after) == (
        "permission",
        RESTRICTED_NOTES,
        None,
        {"permission": RESTRICTED_NOTES},
    )
    assert (change.actor_id, change.reason) == (demo.educator("admin").pk, "Joins the student support team")


def test_taking_a_permission_away_is_recorded_too(admin_client, demo):
    district = demo.educator("district")
    data = change_form_data(admin_client, district, user_permissions=[], access_change_reason="Role ended")
    assert admin_client.post(change_url(district), data).status_code == 302
    taken = {change.object_label: change for change in changes_to(district)}
    assert taken[RESTRICTED_NOTES].before == {"permission": RESTRICTED_NOTES}
    assert taken[RESTRICTED_NOTES].after is None


@pytest.mark.parametrize("flag", ["is_active", "is_staff", "is_superuser", "sped_only", "english_learners_only"])
def test_each_privilege_flag_change_is_recorded(admin_client, newhire, flag):
    was = getattr(newhire, flag)
    data = change_form_data(admin_client, newhire, **{flag: not was, "access_change_reason": "Ticket 4411"})
    assert admin_client.post(change_url(newhire), data).status_code == 302
    [change] = changes_to(newhire)
    assert (change.grant_kind, change.before, change.after) == (flag, {flag: was}, {flag: not was})


def test_joining_a_group_is_recorded(admin_client, newhire):
    group = Group.objects.create(name="Student support")
    data = change_form_data(admin_client, newhire, groups=[group.pk], access_change_reason="Support team")
    assert admin_client.post(change_url(newhire), data).status_code == 302
    [change] = changes_to(newhire)
    assert (change.grant_kind, change.object_label, change.after) == (
        "group",
        "Student support",
        {"group": "Student support"},
    )


def test_a_privilege_change_without_a_reason_is_refused_and_nothing_changes(admin_client, newhire):
    data = change_form_data(admin_client, newhire, is_superuser=True)
    response = admin_client.post(change_url(newhire), data)
    assert response.status_code == 200
    assert "every change to an account&#x27;s access needs a reason" in response.content.decode()
    newhire.refresh_from_db()
    assert not newhire.is_superuser
    assert not changes_to(newhire).exists()


def test_a_change_that_touches_no_privilege_needs_no_reason_and_records_nothing(admin_client, newhire):
    data = change_form_data(admin_client, newhire, full_name="Nora Quinn-Ortiz")
    assert admin_client.post(change_url(newhire), data).status_code == 302
    assert not changes_to(newhire).exists()


def test_a_privilege_change_whose_record_cannot_be_written_is_not_saved(
    admin_client, newhire, grant_change_inserts_fail
):
    data = change_form_data(admin_client, newhire, is_superuser=True, access_change_reason="Ticket 4411")
    response = admin_client.post(change_url(newhire), data)
    assert response.status_code == 503
    newhire.refresh_from_db()
    assert not newhire.is_superuser


def test_a_change_to_a_groups_permissions_is_recorded_for_each_member(admin_client, demo, newhire):
    group = Group.objects.create(name="Student support")
    members = [newhire, demo.educator("teacher.k")]
    for member in members:
        member.groups.add(group)
    url = reverse("admin:auth_group_change", args=[group.pk])
    data = {"name": group.name, "permissions": [permission(RESTRICTED_NOTES).pk]}
    assert admin_client.post(url, data).status_code == 302
    for member in members:
        [change] = changes_to(member)
        assert (change.grant_kind, change.object_label, change.after) == (
            "group_permission",
            f"Student support: {RESTRICTED_NOTES}",
            {"permission": RESTRICTED_NOTES, "through_group": "Student support"},
        )
    assert admin_client.post(url, data).status_code == 302  # saved again unchanged: nothing more to record
    assert GrantChangeEvent.objects.filter(grant_kind="group_permission").count() == 2


def test_an_admin_removing_someones_authenticator_is_recorded(admin_client, demo):
    privacy = demo.educator("privacy")
    authenticator = totp_of(privacy)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    [change] = changes_to(privacy)
    assert (change.grant_kind, change.object_label, change.before, change.after) == (
        "second_factor",
        authenticator.type,
        {"type": authenticator.type},
        None,
    )


def test_removing_authenticators_in_bulk_records_each(admin_client, demo):
    owners = [demo.educator("privacy"), demo.educator("district")]
    ids = [
        Authenticator.objects.create(user=owner, type=Authenticator.Type.RECOVERY_CODES, data={}).pk for owner in owners
    ]
    url = reverse("admin:mfa_authenticator_changelist")
    response = admin_client.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk__in=ids).exists()
    for owner in owners:
        assert changes_to(owner).get().object_label == "recovery_codes"


def test_authenticators_cannot_be_added_or_edited_in_the_admin(admin_client, demo):
    authenticator = totp_of(demo.educator("privacy"))
    assert admin_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    page = admin_client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert b'name="_save"' not in page.content
