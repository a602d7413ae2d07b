"""Who the simulated educators are and what each may open, prepared in Django before the load starts.

Each simulated educator is a demo login of the seeded district with a session made for it here,
so the load measures pages rather than password hashing, and every URL it requests is one the
policy lets it see (a denied page would measure the 404 path instead).
"""

import json
import random
from pathlib import Path

from django.conf import settings

from benchmarks.clients import signed_in
from educators.models import Educator
from permissions import policy
from students.demo import cast
from students.models import EventNote

# Mixed roles: homeroom and section teachers, specialists, counselors, a principal, districtwide.
LOGINS = (
    "teacher.k",
    "teacher.5",
    "teacher.biology",
    "counselor.baker",
    "principal.baker",
    "el.baker",
    "sped.ashford",
    "gradelead.baker",
    "counselor.riverside",
    "housemaster.riverside",
    "teacher.algebra",
    "data.riverside",
    "district",
)
TARGETS_PER_KIND = 50
SEARCH_WORDS_PER_EDUCATOR = 5


def _sample(values, count: int, rng: random.Random) -> list:
    values = list(values)
    return rng.sample(values, min(count, len(values)))


def _targets(educator: Educator, rng: random.Random) -> dict:
    students = policy.visible_students(educator)
    # Ids in a random sample drawn in SQL: a districtwide educator sees every student.
    student_ids = list(students.order_by("?").values_list("pk", flat=True)[:TARGETS_PER_KIND])
    last_names = list(students.order_by("?").values_list("last_name", flat=True)[:SEARCH_WORDS_PER_EDUCATOR])
    note_words = [
        word
        for text in EventNote.objects.filter(student__in=students, is_restricted=False)
        .order_by("?")
        .values_list("text", flat=True)[:SEARCH_WORDS_PER_EDUCATOR]
        for word in text.split()[:1]
        if word.isalpha() and len(word) > 3
    ]
    return {
        "students": student_ids,
        "homerooms": _sample(policy.visible_homerooms(educator).values_list("pk", flat=True), TARGETS_PER_KIND, rng),
        "sections": _sample(policy.visible_sections(educator).values_list("pk", flat=True), TARGETS_PER_KIND, rng),
        "schools": list(policy.schools_with_open_roster(educator).values_list("pk", flat=True)),
        "names": last_names,
        "note_words": note_words or ["meeting"],
    }


def write_plan(path: Path, users: int, seed: int = 1) -> list[dict]:
    """One entry per simulated educator (logins repeat when there are more users than logins)."""
    rng = random.Random(seed)
    targets: dict[str, dict] = {}
    plan = []
    for index in range(users):
        login = LOGINS[index % len(LOGINS)]
        if login not in targets:
            targets[login] = _targets(Educator.objects.get(email=f"{login}@{cast.EMAIL_DOMAIN}"), rng)
        cookie = signed_in(login).cookies[settings.SESSION_COOKIE_NAME].value
        plan.append({"login": login, "cookie": cookie, **targets[login]})
    path.write_text(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "educators": plan}))
    return plan
