"""Which tables hold a student's data, found from the model graph so a table added later is never forgotten.

A model holds student data when one of its foreign keys reaches ``students.Student``, directly
(absences, notes, grants) or through another such model (a note's revisions). Rows of models
that point at a student only through a generic relation (the admin's history, guardian's
generic object permissions) are found by content type. ``tests/destruction/test_graph.py`` holds
this list against PostgreSQL's own catalogue of foreign keys, so a table the model graph does not
explain fails the suite.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from students.models import Student

BATCH = 1000


def _batches(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True)
class StudentTable:
    """A model with rows of students' data and the lookup from it to the student's id."""

    model: type[models.Model]
    lookup: str  # e.g. "note__student" for a revision; "pk" for the student row itself

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def rows_of(self, student_ids: Iterable[int]) -> models.QuerySet:
        return self.model._base_manager.filter(**{f"{self.lookup}__in": list(student_ids)})


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.ForeignKey)]


def _deletion_rank(model: type[models.Model], found: dict, ranks: dict) -> int:
    """The longest chain of foreign keys from the model through other student tables to the student row.

    A table is emptied before every table it points to, so rows go in descending rank: a family's
    statement (pointing at the student and at a correction request) before the request itself.
    A model pointing at itself (a revision's previous version) adds no step.
    """
    if model not in ranks:
        ranks[model] = 0
        targets = {field.related_model for field in _foreign_keys(model)} & found.keys() - {model}
        ranks[model] = 1 + max((_deletion_rank(target, found, ranks) for target in targets), default=-1)
    return ranks[model]


def student_tables() -> list[StudentTable]:
    """Every model holding student rows, in an order whose deletes break no foreign key (see _deletion_rank)."""
    found: dict[type[models.Model], StudentTable] = {Student: StudentTable(Student, "pk")}
    every_model = apps.get_models(include_auto_created=True)
    grew = True
    while grew:
        grew = False
        for model in every_model:
            if model in found or model._meta.proxy:
                continue
            for field in _foreign_keys(model):
                parent = found.get(field.related_model)
                if parent is not None:
                    lookup = field.name if parent.model is Student else f"{field.name}__{parent.lookup}"
                    found[model] = StudentTable(model, lookup)
                    grew = True
                    break
    ranks: dict[type[models.Model], int] = {}
    return sorted(found.values(), key=lambda entry: (-_deletion_rank(entry.model, found, ranks), entry.table))


def _generic_rows(student_ids: list[int]) -> list[tuple[str, models.QuerySet]]:
    """Rows pointing at the students by content type and object id (admin history, generic permissions)."""
    content_type = ContentType.objects.get_for_model(Student)
    ids = [str(student_id) for student_id in student_ids]
    pointers: list[tuple[type[models.Model], str, str]] = []
    for model in apps.get_models():
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                pointers.append((model, field.ct_field, field.fk_field))
    admin_log = apps.get_model("admin", "LogEntry") if apps.is_installed("django.contrib.admin") else None
    if admin_log is not None:
        pointers.append((admin_log, "content_type", "object_id"))
    return [
        (model._meta.db_table, model._base_manager.filter(**{ct_field: content_type, f"{fk_field}__in": ids}))
        for model, ct_field, fk_field in pointers
    ]


def count_rows(student_ids: list[int]) -> dict[str, int]:
    """Rows per table the students have now (tables with none left out)."""
    counts: dict[str, int] = {}
    for batch in _batches(student_ids, BATCH):
        for entry in student_tables():
            counts[entry.table] = counts.get(entry.table, 0) + entry.rows_of(batch).count()
        for table, rows in _generic_rows(batch):
            counts[table] = counts.get(table, 0) + rows.count()
    return {table: count for table, count in counts.items() if count}


def delete_rows(student_ids: list[int]) -> dict[str, int]:
    """Delete every row of the students' data, children first; returns rows deleted per table.

    Plain SQL deletes (``_raw_delete``): the order already satisfies every foreign key, and
    Django's collector would refuse the PROTECT keys (notes, services) that guard against
    deleting a student by accident everywhere else.
    """
    deleted: dict[str, int] = {}
    for batch in _batches(student_ids, BATCH):
        for table, rows in _generic_rows(batch):
            deleted[table] = deleted.get(table, 0) + rows._raw_delete(rows.db)
        for entry in student_tables():
            rows = entry.rows_of(batch)
            deleted[entry.table] = deleted.get(entry.table, 0) + rows._raw_delete(rows.db)
    return {table: count for table, count in deleted.items() if count}
