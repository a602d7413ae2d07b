"""Finding a student by name or local id among the students the educator may see, and no others.

Names match without regard to case or accents ("jose" finds "José", "munoz" finds "Muñoz"): both
sides are folded by the immutable ``insights_unaccent(lower(...))``, which the name indexes hold,
so a prefix search reads an index (students/models/text_search.py).

The search text is never logged or recorded: the audit event names the students shown, not what
was typed (the page posts the text so it stays out of URLs and access logs too).
"""

from django.db.models import CharField, Q, Value

from permissions.policy import visible_students
from students.models import Student
from students.models.text_search import folded
from students.selectors._shared import as_list_rows, report_students

MAX_QUERY_LENGTH = 100
MAX_TERMS = 4


def student_search(*, educator, text: str, limit: int = 10) -> list[Student]:
    """Students whose first name, last name or local id starts with every word typed, best first."""
    terms = text.split()[:MAX_TERMS]
    if not terms:
        return []
    matches = Q()
    for term in terms:
        typed = folded(Value(term, output_field=CharField()))
        matches &= Q(first_folded__startswith=typed) | Q(last_folded__startswith=typed) | Q(local_id__startswith=term)
    candidates = visible_students(educator).alias(first_folded=folded("first_name"), last_folded=folded("last_name"))
    students = list(as_list_rows(candidates.filter(matches)).order_by("last_name", "first_name", "pk")[:limit])
    return report_students(students)
