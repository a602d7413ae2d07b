"""IEPs and 504 plans from programs.csv and accommodations.csv.

Their free text is encrypted at rest with a fresh token on every write, so SQL cannot tell a
changed plan from an unchanged one: this step compares in Python, plan by plan, for the students
in scope (a few per hundred students), and writes only plans that differ. A plan is matched by
student and start date; a student's plans missing from the file are deleted unless one of the
student's program rows was quarantined (then nothing of theirs is deleted).
"""

from collections import defaultdict

from students.models import Iep, Plan504
from students.sis.sql import CHANGED_TABLE, execute, fetch, is_empty
from students.sis.staging import staging_table as stg

KINDS = {"sped_iep": Iep, "section_504": Plan504}
# Students whose plans one query reads: a statement carries at most 65,535 parameters, and a
# 500,000-student district's in-scope ids are many more.
STUDENTS_PER_QUERY = 50_000


def _staged_plans(scope_condition: str, params: dict, *, with_accommodations: bool) -> dict[tuple, dict]:
    text, joined = "NULL", ""
    if with_accommodations:
        text = "a.text"
        joined = (
            "LEFT JOIN (SELECT plan_source_id, string_agg(description, E'\\n' ORDER BY accommodation_id) AS text "
            f"FROM {stg('accommodations')} WHERE NOT quarantined GROUP BY plan_source_id) a "
            "ON a.plan_source_id = p.plan_source_id"
        )
    rows = fetch(
        f"SELECT p.program, st.id, p.begin_date, p.end_date, p.case_manager, {text} "
        f"FROM {stg('programs')} p JOIN students_student st ON st.local_id = p.local_id {joined} "
        f"WHERE NOT p.quarantined AND p.program IN ('sped_iep', 'section_504') AND {scope_condition}",
        params,
    )
    return {
        (program, student_id, begin): {"end_date": end, "case_manager": manager or "", "accommodations": text or ""}
        for program, student_id, begin, end, manager, text in rows
    }


def plans_of(model, student_ids: list[int]):
    """The plans of these students, read STUDENTS_PER_QUERY students at a time."""
    for start in range(0, len(student_ids), STUDENTS_PER_QUERY):
        yield from model.objects.filter(student_id__in=student_ids[start : start + STUDENTS_PER_QUERY])


def apply_plans(*, scope_condition: str, params: dict, with_accommodations: bool) -> dict[str, dict[str, int]]:
    """Insert, update and delete plans of in-scope students; returns counts per kind of plan."""
    staged = _staged_plans(
        scope_condition.replace("t.school_id", "st.school_id"), params, with_accommodations=with_accommodations
    )
    protected = {
        student_id
        for (student_id,) in fetch(
            f"SELECT st.id FROM {stg('programs')} p JOIN students_student st ON st.local_id = p.local_id "
            "WHERE p.quarantined"
        )
    }
    in_scope_ids = None
    counts: dict[str, dict[str, int]] = {}
    changed: set[int] = set()
    for program, model in KINDS.items():
        tally = defaultdict(int)
        live = {}
        if not is_empty(model._meta.db_table):  # a district's first plans have nothing live to compare with
            if in_scope_ids is None:
                in_scope = fetch(f"SELECT t.id FROM students_student t WHERE {scope_condition}", params)
                in_scope_ids = [student_id for (student_id,) in in_scope]
            live = {(program, plan.student_id, plan.start_date): plan for plan in plans_of(model, in_scope_ids)}
        new, updated, removed = [], [], []
        for key, values in staged.items():
            if key[0] != program:
                continue
            plan = live.get(key)
            wanted = {"end_date": values["end_date"], "case_manager": values["case_manager"]}
            if model is Plan504:
                wanted["accommodations"] = values["accommodations"]
            if plan is None:
                new.append(model(student_id=key[1], start_date=key[2], **wanted))
            elif any(getattr(plan, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(plan, name, value)
                updated.append(plan)
            else:
                tally["unchanged"] += 1
        for key, plan in live.items():
            if key not in staged and plan.student_id not in protected:
                removed.append(plan)
        model.objects.bulk_create(new)
        model.objects.bulk_update(
            updated, ["end_date", "case_manager"] + (["accommodations"] if model is Plan504 else [])
        )
        model.objects.filter(pk__in=[plan.pk for plan in removed]).delete()
        tally.update(inserted=len(new), updated=len(updated), deleted=len(removed))
        changed.update(plan.student_id for plan in [*new, *updated, *removed])
        counts["ieps" if model is Iep else "504 plans"] = dict(tally)
    execute(f"INSERT INTO {CHANGED_TABLE} SELECT unnest(%s::bigint[])", [sorted(changed)])
    return counts
