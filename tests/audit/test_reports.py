"""Each audit report, on a hand-built history, returns exactly the expected students and educators."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from audit import reports
from audit.events import record_sign_in, record_sign_out, write_access_event
from audit.models import AccessEvent
from audit.recorder import record_denied, record_students, recording
from permissions.models import SchoolGrant
from students import audit_reports
from students.models import School

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MARCH = (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))


def at(day: int, hour: int = 15, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, tzinfo=UTC)


@pytest.fixture
def history(clock, rf, school, make_student, make_educator):
    """Alice (home school Baker) and Bob (schoolwide at Carver) read records; Carol has no school."""
    carver = School.objects.create(local_id="MS1", name="Carver Middle", school_type="MS")
    schoolwide = Permission.objects.get(codename="view_school_students")
    alice = make_educator("alice@district.example", full_name="Alice Adams", home_school=school)
    bob = make_educator("bob@district.example", full_name="Bob Brown")
    carol = make_educator("carol@district.example", full_name="Carol Chen")
    SchoolGrant.objects.create(user=bob, content_object=carver, permission=schoolwide)
    SchoolGrant.objects.create(user=alice, content_object=carver, permission=schoolwide)  # home school wins
    s1, s2, s3, s4 = (make_student() for _ in range(4))

    def access(moment, actor, ip, *, kind="viewed", students=(), denied=False):
        clock(moment)
        with recording("students:profile") as opened:
            record_students([student.id for student in students], kind=kind)
            if denied:
                record_denied()
        request = rf.get("/students/", HTTP_X_FORWARDED_FOR=ip)
        write_access_event(opened, actor=actor, outcome=opened.outcome(failed=False), request=request, status=200)

    access(at(3), alice, "10.1.0.5", students=[s1, s2])
    access(at(4), alice, "10.1.0.5", kind="changed", students=[s1])
    access(at(5), bob, "203.0.113.9", students=[s2])
    access(at(12), bob, "203.0.113.9", kind="exported", students=[s1, s3])
    access(at(12, 16), carol, "203.0.113.10", denied=True)
    access(at(12, 17), carol, "203.0.113.10", students=[s2])
    access(at(1, month=4), alice, "10.1.0.5", students=[s3])
    access(at(2, month=4), bob, "203.0.113.9", students=[s4])
    return {"alice": alice, "bob": bob, "carol": carol, "students": (s1, s2, s3, s4)}


def test_student_access_lists_every_access_to_that_student_with_who_when_and_what(history):
    s1 = history["students"][0]
    report = reports.student_access(student_id=s1.id)
    assert report.rows == [
        (
            "2025-03-03 10:00:00",
            "Alice Adams",
            "alice@district.example",
            "schoolwide",
            "viewed the profile",
            "viewed",
            "ok",
            "10.1.0.5",
        ),
        (
            "2025-03-04 10:00:00",
            "Alice Adams",
            "alice@district.example",
            "schoolwide",
            "viewed the profile",
            "changed",
            "ok",
            "10.1.0.5",
        ),
        (
            "2025-03-12 11:00:00",
            "Bob Brown",
            "bob@district.example",
            "schoolwide",
            "viewed the profile",
            "exported",
            "ok",
            "203.0.113.9",
        ),
    ]
    assert report.student_ids == [s1.id]


def test_student_access_for_a_student_nobody_opened_is_empty(history, make_student):
    assert reports.student_access(student_id=make_student().id).rows == []


def breach_pairs(report) -> list[tuple[int, str, int]]:
    return [(row[0], row[2], row[3]) for row in report.rows]


def test_breach_scope_for_an_account_lists_every_student_it_saw_in_the_window(history):
    s1, s2, s3, _s4 = history["students"]
    since, until = reports.window(*MARCH)
    report = reports.breach_scope(account_email="BOB@district.example", network=None, since=since, until=until)
    assert breach_pairs(report) == [
        (s1.id, "bob@district.example", 1),
        (s2.id, "bob@district.example", 1),
        (s3.id, "bob@district.example", 1),
    ]
    assert report.rows[0][1] == "Bob Brown"
    assert report.rows[0][4:] == ("2025-03-12 11:00:00", "2025-03-12 11:00:00")
    assert report.student_ids == [s1.id, s2.id, s3.id]


def test_breach_scope_for_a_network_counts_per_educator(history):
    s1, s2, s3, _s4 = history["students"]
    since, until = reports.window(*MARCH)
    report = reports.breach_scope(account_email=None, network="203.0.113.0/24", since=since, until=until)
    assert breach_pairs(report) == [
        (s1.id, "bob@district.example", 1),
        (s2.id, "bob@district.example", 1),
        (s2.id, "carol@district.example", 1),
        (s3.id, "bob@district.example", 1),
    ]


def test_breach_scope_for_an_account_and_a_network_needs_both_to_match(history):
    s2 = history["students"][1]
    since, until = reports.window(*MARCH)
    report = reports.breach_scope(
        account_email="alice@district.example", network="10.1.0.0/16", since=since, until=until
    )
    assert breach_pairs(report) == [
        (history["students"][0].id, "alice@district.example", 2),
        (s2.id, "alice@district.example", 1),
    ]
    assert (
        reports.breach_scope(
            account_email="alice@district.example", network="203.0.113.9", since=since, until=until
        ).rows
        == []
    )


def test_breach_scope_refuses_an_unknown_account_or_no_criterion(history):
    since, until = reports.window(*MARCH)
    with pytest.raises(ValueError, match="No educator"):
        reports.breach_scope(account_email="nobody@district.example", network=None, since=since, until=until)
    with pytest.raises(ValueError, match="Give an account"):
        reports.breach_scope(account_email=None, network=None, since=since, until=until)


def test_weekly_usage_counts_educators_per_iso_week_and_school(history):
    since, until = reports.window(*MARCH)
    assert audit_reports.weekly_usage(since=since, until=until).rows == [
        ("2025-W10", "2025-03-03", "Baker Elementary", 1),
        ("2025-W10", "2025-03-03", "Carver Middle", 1),
        ("2025-W11", "2025-03-10", "Carver Middle", 1),
        ("2025-W11", "2025-03-10", "No school", 1),
    ]


def test_weekly_usage_counts_each_educator_once_a_week_however_busy(history):
    since, until = reports.window(datetime.date(2025, 3, 3), datetime.date(2025, 3, 9))
    assert [row[2:] for row in audit_reports.weekly_usage(since=since, until=until).rows] == [
        ("Baker Elementary", 1),
        ("Carver Middle", 1),
    ]


def test_sign_in_activity_counts_successes_and_failures_per_identity_and_local_day(clock, rf, make_educator):
    alice = make_educator("alice@district.example")

    def sign_in(moment, identity, succeeded):
        clock(moment)
        record_sign_in(request=rf.post("/"), identity=identity, educator=None, succeeded=succeeded, reason="")

    sign_in(at(3, 14), alice.email, True)
    sign_in(at(3, 15), alice.email, False)
    sign_in(at(4, 3), alice.email, False)  # 22:00 on the 3rd in New York
    sign_in(at(4, 15), "unknown@elsewhere.example", False)
    sign_in(at(1, month=4), alice.email, True)  # outside the window
    clock(at(3, 16))
    record_sign_out(request=rf.post("/"), educator=alice)
    since, until = reports.window(*MARCH)
    assert reports.sign_in_activity(since=since, until=until).rows == [
        ("2025-03-03", "alice@district.example", 1, 2),
        ("2025-03-04", "unknown@elsewhere.example", 0, 1),
    ]


def run_report(name: str, *args) -> str:
    output = io.StringIO()
    call_command(name, *args, stdout=output)
    return output.getvalue()


def test_the_student_access_command_prints_csv_and_records_who_ran_it(history, auditor):
    s1 = history["students"][0]
    lines = run_report(
        "audit_student_access", "--actor", "Auditor@district.example", "--student", s1.local_id
    ).splitlines()
    assert lines[0] == "time,name,email,roles,action,access,outcome,client ip"
    assert lines[1].startswith("2025-03-03 10:00:00,Alice Adams,alice@district.example,schoolwide,")
    assert len(lines) == 4
    event = AccessEvent.objects.get(action="audit_student_access")
    assert (event.actor_id, event.exported_student_ids) == (auditor.id, [s1.id])
    assert event.details == {"report": "student_access", "parameters": {"student": s1.id}, "rows": 3}


def test_the_breach_scope_command_records_every_student_it_exported(history, auditor):
    s1, s2, s3, _s4 = history["students"]
    output = run_report(
        "audit_breach_scope",
        "--actor",
        auditor.email,
        "--account",
        "bob@district.example",
        "--since",
        "2025-03-01",
        "--until",
        "2025-03-31",
    )
    assert output.splitlines()[0] == "student id,educator,educator email,events,first access,last access"
    event = AccessEvent.objects.get(action="audit_breach_scope")
    assert event.exported_student_ids == [s1.id, s2.id, s3.id]
    assert event.details["parameters"] == {
        "since": "2025-03-01",
        "until": "2025-03-31",
        "account": "bob@district.example",
        "network": None,
    }


def test_the_usage_and_sign_in_commands_print_their_reports(history, auditor):
    usage = run_report("audit_weekly_usage", "--actor", auditor.email, "--since", "2025-03-01", "--until", "2025-03-31")
    sign_ins = run_report("audit_sign_ins", "--actor", auditor.email, "--since", "2025-03-01", "--until", "2025-03-31")
    assert usage.splitlines()[1] == "2025-W10,2025-03-03,Baker Elementary,1"
    assert sign_ins.splitlines() == ["day,identity,succeeded,failed"]
    assert (
        AccessEvent.objects.filter(action__in=["audit_weekly_usage", "audit_sign_ins"], actor_id=auditor.id).count()
        == 2
    )


def test_a_typed_identity_that_looks_like_a_formula_is_defused_in_the_csv(clock, rf, auditor):
    clock(at(3, 14))
    record_sign_in(request=rf.post("/"), identity="=2+5@evil.example", educator=None, succeeded=False, reason="")

    sign_ins = run_report("audit_sign_ins", "--actor", auditor.email, "--since", "2025-03-01", "--until", "2025-03-31")

    assert sign_ins.splitlines()[1:] == ["2025-03-03,'=2+5@evil.example,0,1"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--since", "2025-03-31", "--until", "2025-03-01", "--account", "bob@district.example"],
            "The last day comes before the first day.",
        ),
        (["--since", "2025-03-01", "--until", "2025-03-31"], "Give an account, a network range, or both."),
        (
            ["--since", "2025-03-01", "--until", "2025-03-31", "--account", "x@district.example"],
            "--account: No educator has that email address.",
        ),
        (
            ["--since", "2025-03-01", "--until", "2025-03-31", "--network", "10.0.0.300/8"],
            "--network: Enter an IP address or a range such as 203.0.113.0/24.",
        ),
        (["--since", "March", "--until", "2025-03-31", "--network", "10.0.0.0/8"], "--since: Enter a valid date."),
    ],
)
def test_a_report_command_explains_bad_arguments(history, auditor, arguments, message):
    with pytest.raises(CommandError) as failure:
        run_report("audit_breach_scope", "--actor", auditor.email, *arguments)
    assert str(failure.value) == message


def test_a_report_command_needs_an_active_actor_who_holds_the_auditor_permission(history, make_educator):
    make_educator("teacher@district.example")
    make_educator("root@district.example", is_staff=True, is_superuser=True)
    with pytest.raises(CommandError, match="lacks the audit.view_audit_reports permission"):
        run_report("audit_student_access", "--actor", "root@district.example", "--student", "1")
    make_educator("gone@district.example", is_active=False)
    with pytest.raises(CommandError, match="lacks the audit.view_audit_reports permission"):
        run_report("audit_student_access", "--actor", "teacher@district.example", "--student", "1")
    with pytest.raises(CommandError, match="--actor must be the email of an active educator"):
        run_report("audit_student_access", "--actor", "gone@district.example", "--student", "1")
    assert not AccessEvent.objects.filter(action="audit_student_access").exists()
