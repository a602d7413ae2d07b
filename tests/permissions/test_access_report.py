"""The access_report command: who sees what and why, as CSV, recorded under the operator who ran it."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from permissions.policy import visible_students
from permissions.reasons import educators_with_access


def run(*args) -> list[list[str]]:
    out = io.StringIO()
    call_command("access_report", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_it_lists_the_students_an_educator_may_see_and_why(demo):
    teacher, actor = demo.educator("teacher.5"), demo.educator("privacy")
    rows = run("--actor", actor.email, "--educator", teacher.email.upper())
    expected = visible_students(teacher).order_by("local_id")
    assert rows[0] == ["student_id", "local_id", "reasons"]
    assert rows[1:] == [[str(s.pk), s.local_id, "homeroom 5-201 at Baker K-8"] for s in expected]
    event = AccessEvent.objects.get(action="access_report")
    assert event.actor_email == actor.email
    assert sorted(event.exported_student_ids) == sorted(s.pk for s in expected)
    assert event.details == {"report": "students an educator may see", "educator_id": teacher.pk}


def test_it_lists_the_educators_who_may_see_a_student_and_why(demo):
    ruby, actor = demo.student("ruby"), demo.educator("privacy")
    rows = run("--actor", actor.email, "--student", ruby.local_id)
    assert rows[0] == ["educator_id", "email", "full_name", "reasons"]
    helen = demo.educator("counselor.riverside")
    assert [
        str(helen.pk),
        helen.email,
        helen.full_name,
        f"single student: Transition planning for 9th grade, until {demo.single_student_expiry}",
    ] in rows
    assert rows[1:] == [[str(e.pk), e.email, e.full_name, "; ".join(r)] for e, r in educators_with_access(ruby)]
    assert AccessEvent.objects.get(action="access_report").exported_student_ids == [ruby.pk]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--educator", "nobody@district.example"], "No educator has this email address"),
        (["--student", "no-such-student"], "No student has that SIS local id, state id or name"),
    ],
)
def test_an_unknown_educator_or_student_is_a_clear_error_and_the_attempt_is_recorded(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run("--actor", demo.educator("privacy").email, *args)
    assert AccessEvent.objects.get(action="access_report").outcome == "error"


def test_it_needs_an_active_actor(demo):
    with pytest.raises(CommandError, match="--actor"):
        run("--actor", demo.educator("inactive").email, "--educator", demo.educator("teacher.5").email)
    assert not AccessEvent.objects.filter(action="access_report").exists()
