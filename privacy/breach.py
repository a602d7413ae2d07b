"""The breach notification package: who to tell, how to reach their families, what they were shown, and draft letters.

From a breach scope (an account and/or a network range, and a window of days) one job writes a
zip: ``families.csv`` for a mail merge (each affected student with the guardian's name, email,
phone and address, the school, and the categories of data that account or network was shown),
``letter_to_families.txt`` (the merge letter, its fields named after the CSV's columns),
``letters.pdf`` (the district's summary and the family letter for review) and ``README.txt``.
One SQL statement gathers every student with their events over the audit log's indexes, so 50,000
students take seconds, not a query each.
"""

import io
from dataclasses import dataclass

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from audit.actions import describe_action
from audit.forms import BreachScopeForm
from audit.models import AccessEvent
from audit.reports import breach_conditions, breach_parameters, breach_targets
from insights.csv import write_csv
from insights.pdf import render_pdf
from privacy.downloads import PackageFile
from privacy.models import PackageRun
from students.models import School, Student

# What a page or command shows, in the categories a notification letter names.
PROFILE = "profile (name, school, grade, programs, family contact)"
WHOLE_PROFILE = [PROFILE, "attendance", "discipline", "assessments", "services", "notes", "504/IEP status"]
CATEGORIES_BY_ACTION = {
    "students:profile": WHOLE_PROFILE,
    "students:profile_pdf": WHOLE_PROFILE,  # the same profile, printed
    "students:case_history": ["attendance", "discipline", "services", "notes"],
    "students:restricted_note": ["restricted notes"],
    "students:note_create": ["notes"],
    "students:note_edit": ["notes"],
    "students:my_notes": ["notes"],
    "students:note_search": ["notes"],
    "students:service_create": ["services"],
    "students:service_discontinue": ["services"],
}
ROSTER = ["names and grades", "attendance and discipline counts", "program status"]
FAMILY_COLUMNS = [
    "student_name",
    "sis_local_id",
    "school",
    "grade",
    "guardian_name",
    "guardian_email",
    "guardian_phone",
    "address",
    "data_shown",
    "first_shown",
    "last_shown",
]


def categories_of(action: str) -> list[str]:
    """The kinds of data an action showed: named pages, else rosters, dashboards and admin lists."""
    if action in CATEGORIES_BY_ACTION:
        return CATEGORIES_BY_ACTION[action]
    if action.startswith("admin:"):
        return [describe_action(action).removeprefix("listed ").removeprefix("opened ").removesuffix(" in the admin")]
    return ROSTER


@dataclass(frozen=True)
class Affected:
    student_ids: list[int]
    rows: list[list]  # FAMILY_COLUMNS
    categories: dict[str, int]  # category -> how many students
    destroyed: int  # students shown whose record is gone since


def affected_query(*, actor_ids, network, since, until) -> tuple[str, dict]:
    conditions = breach_conditions(actor_ids=actor_ids, network=network)
    sql = f"""
        WITH exposed AS (
            SELECT s.student_id, array_agg(DISTINCT e.action) AS actions,
                   min(e.occurred_at) AS first_shown, max(e.occurred_at) AS last_shown
            FROM {AccessEvent._meta.db_table} e CROSS JOIN LATERAL unnest(e.student_ids) AS s(student_id)
            WHERE {" AND ".join(conditions)}
            GROUP BY s.student_id
        )
        SELECT x.student_id, st.id IS NOT NULL, st.first_name || ' ' || st.last_name, st.local_id, sc.name, st.grade,
               st.guardian_name, st.primary_email, st.primary_phone, st.address,
               x.actions, x.first_shown, x.last_shown
        FROM exposed x
        LEFT JOIN {Student._meta.db_table} st ON st.id = x.student_id
        LEFT JOIN {School._meta.db_table} sc ON sc.id = st.school_id
        ORDER BY sc.name, st.last_name, st.first_name, x.student_id"""  # noqa: S608 (names from model metadata)
    return sql, breach_parameters(actor_ids=actor_ids, network=network, since=since, until=until)


def affected_students(*, actor_ids, network, since, until) -> Affected:
    """Every student the account or range was shown in the window, with their family's contacts."""
    with connection.cursor() as cursor:
        cursor.execute(*affected_query(actor_ids=actor_ids, network=network, since=since, until=until))
        found = cursor.fetchall()
    by_actions: dict[tuple, str] = {}
    counts: dict[str, int] = {}
    rows, student_ids, destroyed = [], [], 0
    for student_id, exists, *contact, actions, first, last in found:
        if not exists:
            destroyed += 1
            continue
        key = tuple(sorted(actions))
        if key not in by_actions:
            by_actions[key] = "; ".join(dict.fromkeys(c for action in key for c in categories_of(action)))
        shown = by_actions[key]
        for category in shown.split("; "):
            counts[category] = counts.get(category, 0) + 1
        student_ids.append(student_id)
        rows.append(
            [
                *contact,
                shown,
                f"{timezone.localtime(first):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(last):%Y-%m-%d %H:%M}",
            ]
        )
    return Affected(student_ids=student_ids, rows=rows, categories=counts, destroyed=destroyed)


def _scope(parameters: dict) -> tuple[BreachScopeForm, list[int] | None, str | None]:
    form = BreachScopeForm(data={key: value for key, value in parameters.items() if value})
    if not form.is_valid():
        raise ValueError("The breach scope's parameters are no longer valid.")
    actor_ids, network = breach_targets(
        account_email=form.cleaned_data["account"], network=form.cleaned_data["network"]
    )
    return form, actor_ids, network


def build_breach_package(run: PackageRun, progress) -> PackageFile:
    """The run's breach scope as a notification package (the job's builder, privacy/runs.py)."""
    form, actor_ids, network = _scope(run.parameters)
    since, until = form.window()
    run.progress_total = 3
    progress.stage("Finding the affected students")
    affected = affected_students(actor_ids=actor_ids, network=network, since=since, until=until)
    progress.advance(1)
    context = {
        "account": form.cleaned_data["account"],
        "network": form.cleaned_data["network"],
        "first_day": form.cleaned_data["since"],
        "last_day": form.cleaned_data["until"],
        "affected": affected,
        "student_count": len(affected.student_ids),
        "categories": sorted(affected.categories.items(), key=lambda pair: -pair[1]),
        "generated_by": run.requested_by.full_name or run.requested_by.email,
        "generated_at": timezone.localtime(),
    }
    progress.stage("Writing the family list and the letters")
    families = io.StringIO()
    write_csv(families, FAMILY_COLUMNS, affected.rows)
    progress.advance(1)
    files = {
        "README.txt": render_to_string("privacy/breach_readme.txt", context).encode(),
        "families.csv": families.getvalue().encode("utf-8-sig"),
        "letter_to_families.txt": render_to_string("privacy/breach_family_letter.txt", context).encode(),
        "letters.pdf": render_pdf("privacy/breach_letters.html", context),
    }
    package = PackageFile.zipped(
        filename=f"breach-notification-{run.pk}-{timezone.localdate().isoformat()}.zip",
        files=files,
        student_ids=affected.student_ids,
    )
    progress.advance(1)
    return package
