"""Which programs count as special education and as English learner is the district's mapping
(students.models.ProgramCode), read alike by the policy, the reasons and the roster filters.

Personas: sped.ashford (schoolwide at Ashford, SPED only) must not see Yusuf (SEIP, an
English-learner program by default) and sees Eli (Sp Ed); after the district maps SEIP to special
education in the admin, sped.ashford sees Yusuf too, and the change is recorded for every narrowed
educator.
"""

import datetime

from django.test import Client
from django.urls import reverse

from audit.models import GrantChangeEvent
from permissions.policy import get_visible_student_or_404, visible_students
from permissions.privileges import describe_moves
from permissions.reasons import access_reasons, educators_with_access, visible_students_with_reasons
from students.models import ProgramCategory, ProgramCode, Student, english_learner_students
from students.models.student import (
    current_english_learner_students,
    former_english_learner_students,
    special_education_students,
)
from students.selectors.early_warning import current_window
from students.selectors.roster_rows import RosterFilters, RosterQuestion, roster_rows

SCHOOLWIDE_AT_ASHFORD = ["schoolwide at Ashford Elementary"]


def filtered_ids(students, filters: RosterFilters) -> set[int]:
    """The students a roster's filters keep of `students`."""
    question = RosterQuestion(since=datetime.date(2000, 1, 1), window=current_window(), filters=filters)
    rows, _counts = roster_rows(students, question)
    return {row.pk for row in rows}


def test_the_default_codes_count_only_sp_ed_as_special_education_and_seip_as_english_learner(db):
    mapping = dict(ProgramCode.objects.values_list("code", "category"))

    assert mapping == {
        "Reg Ed": "regular",
        "Sp Ed": "special_education",
        "SEIP": "english_learner",
        "2Way English": "regular",
        "2Way Spanish": "regular",
    }


def test_a_sped_only_educator_does_not_see_seip_students(demo):
    sam = demo.educator("sped.ashford")
    yusuf, eli = demo.student("yusuf"), demo.student("eli")

    assert visible_students(sam).filter(pk=eli.pk).exists()
    assert not visible_students(sam).filter(pk=yusuf.pk).exists()
    assert not visible_students(sam).filter(program_assigned="SEIP").exists()  # generated students too
    assert access_reasons(sam, yusuf) == []
    assert sam not in [educator for educator, _reasons in educators_with_access(yusuf)]


def test_an_english_learners_only_educator_sees_seip_students_even_when_fluent(demo):
    sam = demo.educator("sped.ashford")
    sam.sped_only, sam.english_learners_only = False, True
    sam.save()
    yusuf = demo.student("yusuf")
    Student.objects.filter(pk=yusuf.pk).update(limited_english_proficiency="Fluent")

    assert get_visible_student_or_404(sam, yusuf.pk) == yusuf
    assert access_reasons(sam, yusuf) == SCHOOLWIDE_AT_ASHFORD
    assert not visible_students(sam).filter(pk=demo.student("aisha").pk).exists()  # fluent, regular education


def remap_in_the_admin(demo, code: str, category: str) -> Client:
    client = Client()
    client.force_login(demo.educator("admin"))
    program = ProgramCode.objects.get(code=code)
    response = client.post(
        reverse("admin:students_programcode_change", args=[program.pk]),
        {"code": code, "label": program.label, "category": category},
        follow=True,
    )
    assert response.status_code == 200
    return response


def test_mapping_seip_to_special_education_in_the_admin_changes_the_policy_reasons_and_filters(demo):
    sam, yusuf = demo.educator("sped.ashford"), demo.student("yusuf")
    seip = Student.objects.filter(program_assigned="SEIP")
    fluent = seip.filter(limited_english_proficiency="Fluent").count()
    assert seip.count() and fluent  # the demo has SEIP students, some of them fluent

    response = remap_in_the_admin(demo, "SEIP", ProgramCategory.SPECIAL_EDUCATION)

    assert (
        f"Program SEIP now counts as special education: {seip.count()} students move into SPED-only educators' "
        f"reach; {fluent} students move out of EL-only educators' reach."
    ) in [str(message) for message in response.context["messages"]]
    assert visible_students(sam).filter(pk=yusuf.pk).exists()
    assert access_reasons(sam, yusuf) == SCHOOLWIDE_AT_ASHFORD
    assert (yusuf.pk, SCHOOLWIDE_AT_ASHFORD) in [
        (row.pk, reasons) for row, reasons in visible_students_with_reasons(sam)
    ]
    assert dict(educators_with_access(Student.objects.get(pk=yusuf.pk)))[sam] == SCHOOLWIDE_AT_ASHFORD
    ashford = Student.objects.filter(school=demo.school("ASH"))
    assert yusuf.pk in filtered_ids(ashford, RosterFilters(sped=True))
    assert yusuf.pk not in filtered_ids(ashford, RosterFilters(sped=False))


def test_a_mapping_change_is_a_grant_change_for_every_narrowed_educator(demo):
    seip = Student.objects.filter(program_assigned="SEIP")
    fluent = seip.filter(limited_english_proficiency="Fluent").count()

    remap_in_the_admin(demo, "SEIP", ProgramCategory.SPECIAL_EDUCATION)
    remap_in_the_admin(demo, "SEIP", ProgramCategory.SPECIAL_EDUCATION)  # saved again unchanged: nothing to record

    events = GrantChangeEvent.objects.filter(grant_kind="program code mapping").order_by("educator_email")
    assert [event.educator_email for event in events] == [
        demo.educator("el.baker").email,
        demo.educator("sped.ashford").email,
    ]
    assert {event.actor_email for event in events} == {demo.educator("admin").email}
    assert events[0].object_label == "program code SEIP"
    assert events[0].before == {"category": "english_learner"}
    assert events[0].after == {"category": "special_education", "students_moved": {"english_learners_only": -fluent}}
    assert events[1].after == {"category": "special_education", "students_moved": {"sped_only": seip.count()}}


def test_deleting_a_mapping_makes_the_code_regular_and_is_recorded(demo):
    client = Client()
    client.force_login(demo.educator("admin"))
    sped = ProgramCode.objects.get(code="Sp Ed")

    client.post(reverse("admin:students_programcode_delete", args=[sped.pk]), {"post": "yes"})

    assert not visible_students(demo.educator("sped.ashford")).filter(pk=demo.student("eli").pk).exists()
    assert GrantChangeEvent.objects.filter(
        grant_kind="program code mapping", before={"category": "special_education"}, after__category="regular"
    ).exists()


def test_the_english_learner_rule_reads_proficiency_or_program(demo):
    learners = Student.objects.filter(english_learner_students())

    assert demo.student("yusuf") in learners
    assert demo.student("mateo") in learners  # Limited, regular education
    assert demo.student("aisha") not in learners


def test_the_change_page_says_before_saving_how_many_students_each_category_would_move(demo):
    client = Client()
    client.force_login(demo.educator("admin"))
    seip = Student.objects.filter(program_assigned="SEIP")
    fluent = seip.filter(limited_english_proficiency="Fluent").count()

    page = client.get(reverse("admin:students_programcode_change", args=[ProgramCode.objects.get(code="SEIP").pk]))

    shown = page.content.decode()
    assert (
        f"As special education: {seip.count()} students move into SPED-only educators&#x27; reach; "
        f"{fluent} students move out of EL-only educators&#x27; reach."
    ) in shown
    assert f"As regular education (neither): {fluent} students move out of EL-only educators&#x27; reach." in shown


def test_a_renamed_program_code_moves_the_students_of_both_codes(demo):
    client = Client()
    client.force_login(demo.educator("admin"))
    sped = ProgramCode.objects.get(code="Sp Ed")
    with_sp_ed = Student.objects.filter(program_assigned="Sp Ed").count()

    client.post(
        reverse("admin:students_programcode_change", args=[sped.pk]),
        {"code": "SPED", "label": sped.label, "category": "special_education"},
    )

    sam = GrantChangeEvent.objects.filter(educator_email=demo.educator("sped.ashford").email).order_by("id")
    assert [(event.object_label, event.after["students_moved"]) for event in sam] == [
        ("program code Sp Ed", {"sped_only": -with_sp_ed}),
        ("program code SPED", {"sped_only": 0}),
    ]


def test_the_moves_read_in_words():
    assert describe_moves({"sped_only": 1, "english_learners_only": -2}) == (
        "1 student moves into SPED-only educators' reach; 2 students move out of EL-only educators' reach"
    )
    assert describe_moves({"sped_only": 0}) == ("no student moves in or out of SPED-only or EL-only educators' reach")


def test_every_program_filter_of_the_roster_keeps_the_students_the_models_rules_name(demo):
    ProgramCode.objects.filter(code="2Way Spanish").update(category=ProgramCategory.ENGLISH_LEARNER)
    ProgramCode.objects.filter(code="2Way English").update(category=ProgramCategory.SPECIAL_EDUCATION)
    lily, aisha = demo.student("lily"), demo.student("aisha")  # a former learner; fluent, regular education
    Student.objects.filter(pk=lily.pk).update(program_assigned="2Way Spanish")
    Student.objects.filter(pk=aisha.pk).update(program_assigned="2Way English")
    everyone = Student.objects.all()
    learning, former = current_english_learner_students(), former_english_learner_students()
    expected = [
        (RosterFilters(sped=True), everyone.filter(special_education_students())),
        (RosterFilters(sped=False), everyone.exclude(special_education_students())),
        (RosterFilters(english_learner="yes"), everyone.filter(learning)),
        (RosterFilters(english_learner="former"), everyone.filter(former)),
        (RosterFilters(english_learner="no"), everyone.exclude(learning).exclude(former)),
    ]

    kept = [(filters, filtered_ids(everyone, filters)) for filters, _students in expected]

    assert kept == [(filters, set(students.values_list("pk", flat=True))) for filters, students in expected]
    assert lily.pk in kept[2][1] and aisha.pk in kept[0][1]  # by the programs' mapping alone
    assert all(ids for _filters, ids in kept)  # every answer keeps someone
