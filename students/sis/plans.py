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
# Students whose plans are compared and written at once: the worker holds one batch's plans as
# objects, so its memory does not grow with the district (and a statement's 65,535 parameters
# are never reached).
STUDENTS_PER_BATCH = 5_000
STAGED_PLANS = "sis_res_plans"


def _stage_plans(scope_condition: str, params: dict, *, with_accommodations: bool) -> None:
    """The file's IEPs and 504 plans of in-scope students, with their student ids, in a table keyed by student."""
    text, joined = "NULL::text", ""
    if with_accommodations:
        text = "a.text"
        joined = (
            "LEFT JOIN (SELECT plan_source_id, string_agg(description, E'\\n' ORDER BY accommodation_id) AS text "
            f"FROM {stg('accommodations')} WHERE NOT quarantined GROUP BY plan_source_id) a "
            "ON a.plan_source_id = p.plan_source_id"
        )
    execute(f"DROP TABLE IF EXISTS {STAGED_PLANS}")
    execute(
        f"CREATE TEMP TABLE {STAGED_PLANS} ON COMMIT DROP AS "
        f"SELECT p.program, st.id AS student_id, p.begin_date, p.end_date, p.case_manager, {text} AS text "
        f"FROM {stg('programs')} p JOIN students_student st ON st.local_id = p.local_id {joined} "
        f"WHERE NOT p.quarantined AND p.program IN ('sped_iep', 'section_504') AND {scope_condition}",
        params,
    )
    execute(f"CREATE INDEX ON {STAGED_PLANS} (student_id)")
    execute(f"ANALYZE {STAGED_PLANS}")


def _staged_plans(first: int, last: int) -> dict[tuple, dict]:
    """The staged plans of the students with ids from ``first`` to ``last``."""
    rows = fetch(
        f"SELECT program, student_id, begin_date, end_date, case_manager, text FROM {STAGED_PLANS} "
        "WHERE student_id BETWEEN %s AND %s",
        [first, last],
    )
    return {
        (program, student_id, begin): {"end_date": end, "case_manager": manager or "", "accommodations": text or ""}
        for program, student_id, begin, end, manager, text in rows
    }


def student_batches(scope_condition: str, params: dict):
    """The ids of in-scope students, STUDENTS_PER_BATCH at a time, in order."""
    after = 0
    while True:
        ids = [
            student_id
            for (student_id,) in fetch(
                f"SELECT t.id FROM students_student t WHERE ({scope_condition}) AND t.id > %(after)s "
                "ORDER BY t.id LIMIT %(batch)s",
                {**params, "after": after, "batch": STUDENTS_PER_BATCH},
            )
        ]
        if not ids:
            return
        yield ids
        after = ids[-1]


def _apply_batch(model, program: str, staged: dict, live: dict, protected: set[int], tally) -> set[int]:
    """Write one batch's differences for one kind of plan; returns the students whose plans changed."""
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
    model.objects.bulk_update(updated, ["end_date", "case_manager"] + (["accommodations"] if model is Plan504 else []))
    model.objects.filter(pk__in=[plan.pk for plan in removed]).delete()
    for name, plans in (("inserted", new), ("updated", updated), ("deleted", removed)):
        tally[name] += len(plans)
    return {plan.student_id for plan in [*new, *updated, *removed]}


def apply_plans(*, scope_condition: str, params: dict, with_accommodations: bool) -> dict[str, dict[str, int]]:
    """Insert, update and delete plans of in-scope students, a batch of students at a time; returns counts per kind."""
    _stage_plans(
        scope_condition.replace("t.school_id", "st.school_id"), params, with_accommodations=with_accommodations
    )
    protected = {
        student_id
        for (student_id,) in fetch(
            f"SELECT st.id FROM {stg('programs')} p JOIN students_student st ON st.local_id = p.local_id "
            "WHERE p.quarantined"
        )
    }
    # A district's first plans have nothing live to compare with.
    first_plans = {program: is_empty(model._meta.db_table) for program, model in KINDS.items()}
    tallies = {program: defaultdict(int, inserted=0, updated=0, deleted=0) for program in KINDS}
    for ids in student_batches(scope_condition, params):
        staged = _staged_plans(ids[0], ids[-1])
        changed: set[int] = set()
        for program, model in KINDS.items():
            live = {}
            if not first_plans[program]:
                plans = model.objects.filter(student_id__in=ids)
                live = {(program, plan.student_id, plan.start_date): plan for plan in plans}
            changed |= _apply_batch(model, program, staged, live, protected, tallies[program])
        execute(f"INSERT INTO {CHANGED_TABLE} SELECT unnest(%s::bigint[])", [sorted(changed)])
    return {("ieps" if model is Iep else "504 plans"): dict(tallies[program]) for program, model in KINDS.items()}
