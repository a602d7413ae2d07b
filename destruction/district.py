"""Destroying the whole district at contract end: everything goes but the audit log and the certificates.

AB 1584 (Ed. Code 49073.1(b)(7)) and the NDPA ask the vendor to certify that no pupil record is kept
after the contract. ``destroy_district`` empties every table of the district's data in one
transaction (TRUNCATE, without CASCADE: a kept table that still pointed at a destroyed one would
stop it rather than lose rows silently), then completes a Destruction row and the audit event.
It is refused unless the district key is typed back, an exit export was made first (or the
district said in writing it wants none), and no legal hold or open access request stands.
"""

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.recorder import command_recording, record_details, record_objects, record_students
from destruction.models import Destruction, ExitExport
from destruction.refusals import DestructionRefused, refuse_if_blocked
from destruction.services import backups_expire_on, person
from privacy.operators import require_operator
from students.models import Student

# What stays: the audit log, the certificates, and the schema's own bookkeeping (no district data).
KEPT_APPS = ("audit", "contenttypes", "procrastinate")
KEPT_MODELS = (("destruction", "destruction"), ("auth", "permission"))


def destroyed_tables() -> list[str]:
    """Every table the district's destruction empties, in a stable order."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in KEPT_APPS or (meta.app_label, meta.model_name) in KEPT_MODELS:
            continue
        if meta.managed and not meta.proxy:
            tables.append(meta.db_table)
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        tables.append(settings.CACHES["default"]["LOCATION"])
    return sorted(set(tables))


def _existing(tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relname = ANY(%s)", [tables])
        present = {name for (name,) in cursor.fetchall()}
    return [table for table in tables if table in present]


def _count(tables: list[str]) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def latest_exit_export() -> ExitExport | None:
    return ExitExport.objects.filter(status=ExitExport.Status.DONE).order_by("-finished_at").first()


def destroy_district(*, actor, confirm: str, reason: str, without_export: str = "") -> Destruction:
    """Empty every table of the district's data; returns the completed Destruction (its certificate's facts).

    ``without_export`` is the district's written reason for wanting no exit export (the override).
    """
    require_operator(actor)
    if confirm != settings.DISTRICT_KEY:
        raise DestructionRefused("Type the district key (DISTRICT_KEY) exactly to confirm the district's destruction.")
    if not reason.strip():
        raise DestructionRefused("Say why the district is destroyed (the contract's end, its date, who asked).")
    export = latest_exit_export()
    if export is None and not without_export.strip():
        raise DestructionRefused(
            "No exit export was made: make one first (exit_export), or give the district's reason for wanting none."
        )
    with command_recording(actor=actor, action="destroy_district"):
        tables = _existing(destroyed_tables())
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Student._meta.db_table} IN EXCLUSIVE MODE")  # noqa: S608
        student_ids = list(Student.objects.order_by("pk").values_list("pk", flat=True))
        refuse_if_blocked(student_ids)
        details: dict = {"tables": len(tables)}
        if export is not None:
            details["exit_export"] = {
                "id": export.pk,
                "finished_at": export.finished_at.isoformat(timespec="seconds") if export.finished_at else "",
                "sha256": export.sha256,
            }
        else:
            details["without_export"] = without_export.strip()
        destruction = Destruction.objects.create(
            kind=Destruction.Kind.DISTRICT,
            status=Destruction.Status.APPROVED,
            reason=reason.strip(),
            student_ids=student_ids,
            details=details,
            approved_at=timezone.now(),
            **person(actor, "requested_by"),
        )
        counts = {table: rows for table, rows in _count(tables).items() if rows}
        with connection.cursor() as cursor:
            # Foreign keys are checked at commit; rows written earlier in this transaction must be checked
            # now, since PostgreSQL will not truncate a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(table) for table in tables)}")
        now = timezone.now()
        Destruction.objects.filter(pk=destruction.pk).update(
            status=Destruction.Status.DONE, destroyed_at=now, counts=counts, backups_expire_on=backups_expire_on(now)
        )
        record_students(student_ids, kind="changed")
        record_objects("destruction", [destruction.pk])
        record_details(destruction=destruction.pk, step="district destroyed", rows=counts)
    destruction.refresh_from_db()
    return destruction
