"""Finding a student by name or local id among the students the educator may see, and no others.

The search text is never logged or recorded: the audit event names the students shown, not what
was typed (the page posts the text so it stays out of URLs and access logs too).
"""

from django.db.models import Q

from permissions.policy import visible_students
from students.models import Student
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
        matches &= Q(first_name__istartswith=term) | Q(last_name__istartswith=term) | Q(local_id__startswith=term)
    students = list(
        as_list_rows(visible_students(educator).filter(matches)).order_by("last_name", "first_name", "pk")[:limit]
    )
    return report_students(students)
