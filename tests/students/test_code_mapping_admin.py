"""The code mapping pages in the admin: who may edit them, and every change recorded with the change.

Personas: a staff data coordinator holding the attendance-code permissions, who may map attendance
codes and must not edit program codes (those change what SPED-only and EL-only educators see, so
they also need manage_grants); a staff member without the permissions, who may do neither.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent, GrantChangeEvent
from students.models import AttendanceCode, ProgramCode
from tests.factories import EducatorFactory


def staff(email: str, *permissions: str) -> Client:
    educator = EducatorFactory(email=email, is_staff=True)
    for name in permissions:
        app, codename = name.split(".")
        educator.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    Authenticator.objects.create(user=educator, type=Authenticator.Type.TOTP, data={})
    client = Client(raise_request_exception=False)
    client.force_login(educator)
    return client


@pytest.fixture
def coordinator(db) -> Client:
    return staff(
        "coordinator@district.example",
        "students.view_attendancecode",
        "students.change_attendancecode",
        "students.add_attendancecode",
        "students.delete_attendancecode",
        "students.view_programcode",
        "students.change_programcode",
    )


def change(client: Client, mapping, **fields):
    data = {"code": mapping.code, "label": mapping.label, **fields}
    return client.post(reverse(f"admin:students_{mapping._meta.model_name}_change", args=[mapping.pk]), data)


def mapping_events() -> list[dict]:
    return [event.details for event in AccessEvent.objects.filter(action="code_mapping_change").order_by("id")]


def test_a_changed_attendance_code_is_recorded_with_its_meaning_before_and_after(coordinator):
    absent = AttendanceCode.objects.get(code="absent")

    response = change(coordinator, absent, category="absence", excused="on")

    assert response.status_code == 302
    assert AttendanceCode.objects.get(code="absent").excused
    assert mapping_events() == [
        {
            "vocabulary": "attendance codes",
            "code": "absent",
            "before": {"code": "absent", "category": "absence", "excused": False},
            "after": {"code": "absent", "category": "absence", "excused": True},
        }
    ]
    assert AccessEvent.objects.get(action="code_mapping_change").actor_email == "coordinator@district.example"


def test_saving_a_code_unchanged_records_nothing(coordinator):
    change(coordinator, AttendanceCode.objects.get(code="tardy"), category="tardy")

    assert mapping_events() == []


def test_added_and_deleted_codes_are_recorded(coordinator):
    coordinator.post(reverse("admin:students_attendancecode_add"), {"code": "AX", "label": "", "category": "absence"})
    added = AttendanceCode.objects.get(code="AX")
    coordinator.post(reverse("admin:students_attendancecode_delete", args=[added.pk]), {"post": "yes"})

    assert [(event["before"], event["after"]) for event in mapping_events()] == [
        (None, {"code": "AX", "category": "absence", "excused": False}),
        ({"code": "AX", "category": "absence", "excused": False}, None),
    ]
    assert not AttendanceCode.objects.filter(code="AX").exists()


def test_a_mapping_change_whose_record_cannot_be_written_is_not_saved(coordinator, audit_inserts_fail):
    response = change(coordinator, AttendanceCode.objects.get(code="absent"), category="tardy")

    assert response.status_code == 503
    assert AttendanceCode.objects.get(code="absent").category == "absence"


def test_program_codes_need_manage_grants_besides_the_model_permissions(coordinator):
    seip = ProgramCode.objects.get(code="SEIP")

    response = change(coordinator, seip, category="special_education")

    assert response.status_code == 403
    assert ProgramCode.objects.get(code="SEIP").category == "english_learner"
    assert not GrantChangeEvent.objects.filter(grant_kind="program code mapping").exists()


def test_without_the_permissions_the_mapping_pages_are_refused(db):
    client = staff("clerk@district.example")

    assert client.get(reverse("admin:students_attendancecode_changelist")).status_code == 403
    assert (
        client.post(reverse("admin:students_attendancecode_add"), {"code": "AX", "category": "absence"}).status_code
        == 403
    )
    assert client.get(reverse("admin:students_programcode_changelist")).status_code == 403
    assert not AttendanceCode.objects.filter(code="AX").exists()
