"""Giving and taking away access by hand: the only way grants change besides the SIS sync.

Each function checks that the actor may manage grants, runs in a transaction and records the
change (who, what, before and after, why) in the audit log in that same transaction, so a grant
never changes without its record.
"""

import datetime

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.events import record_grant_change, record_grant_changes
from audit.subjects import resolve_subject
from educators.models import Educator
from permissions.kinds import KIND_BY_KEY, KIND_BY_MODEL, KIND_BY_TARGET, object_label, visibility_permission
from permissions.models import Grant, GrantSource
from students.models import Student

MANAGE_GRANTS_PERMISSION = "permissions.manage_grants"


def can_manage_grants(user) -> bool:
    """District admins: active admin-site users holding permissions.manage_grants (superusers hold every permission)."""
    return bool(user and user.is_active and user.is_staff and user.has_perm(MANAGE_GRANTS_PERMISSION))


def district_admins() -> QuerySet[Educator]:
    """Everyone ``can_manage_grants`` admits, as one query."""
    return ModelBackend().with_perm(MANAGE_GRANTS_PERMISSION).filter(is_staff=True)


def student_by_local_id(local_id: str) -> Student | None:
    """The student with this SIS local id, for access reports; only the id and local id are read (a
    district admin asking about access need not see the student)."""
    return Student.objects.filter(local_id=local_id.strip()).only("pk", "local_id").first()


def student_for_access_report(identifier: str) -> Student:
    """The one student an SIS local id, state id or name identifies, found as the audit reports find them.

    Raises audit.subjects.SubjectNotFound (its message says what to type instead) for no match or several.
    """
    return Student.objects.get(pk=resolve_subject(identifier).pk)


def grant_snapshot(grant: Grant) -> dict:
    """The grant's state as stored in the audit record (before / after)."""
    return {
        "permission": KIND_BY_MODEL[type(grant)].codename,
        "reason": grant.reason,
        "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        "source": grant.source,
        "granted_by": grant.granted_by.email if grant.granted_by is not None else None,
    }


def _grant_change(*, actor, grant: Grant, before: dict | None, after: dict | None, reason: str) -> dict:
    kind = KIND_BY_MODEL[type(grant)]
    return {
        "actor": actor,
        "educator": grant.user,
        "grant_kind": kind.key,
        "object_label": object_label(kind, grant.content_object),
        "before": before,
        "after": after,
        "reason": reason,
    }


def record_grant_event(*, actor, grant: Grant, before: dict | None, after: dict | None, reason: str) -> None:
    """Hand a grant change (snapshots before and after) to the audit log."""
    record_grant_change(**_grant_change(actor=actor, grant=grant, before=before, after=after, reason=reason))


def record_grant_events(*, actor, changes: list[tuple[Grant, dict | None, dict | None]], reason: str) -> None:
    """Hand many grant changes ((grant, before, after) each, one reason) to the audit log in one batch."""
    record_grant_changes(
        [
            _grant_change(actor=actor, grant=grant, before=before, after=after, reason=reason)
            for grant, before, after in changes
        ]
    )


def check_actor(actor) -> None:
    """Only district admins change access: anyone else is refused."""
    if not can_manage_grants(actor):
        raise PermissionDenied("Only district admins holding the manage_grants permission may change access.")


def clean_expiry(expires_at: datetime.datetime | None) -> datetime.datetime | None:
    """An expiry, if given, must lie ahead: an already expired grant would be a confusing no-op."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future (leave it empty for a grant that does not expire).")
    return expires_at


def clean_reason(reason: str) -> str:
    """A change's reason, trimmed; an empty one is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why: every grant change needs a reason.")
    return reason


def grant_access(
    *, actor: Educator, educator: Educator, kind: str, obj, reason: str, expires_at: datetime.datetime | None = None
) -> Grant:
    """Give the educator a grant of this kind ("district", "school", "grade", "homeroom", "section",
    "student") on obj, or update the reason and expiry of the one they hold (it becomes a manual grant)."""
    check_actor(actor)
    reason = clean_reason(reason)
    if kind not in KIND_BY_KEY:
        raise ValidationError(f"Unknown kind of grant: {kind}.")
    grant_kind = KIND_BY_KEY[kind]
    target_model = grant_kind.model._meta.get_field("content_object").related_model
    if not isinstance(obj, target_model) or obj.pk is None:
        raise ValidationError(f"A {kind} grant is attached to a saved {target_model._meta.verbose_name}.")
    clean_expiry(expires_at)
    permission = visibility_permission(grant_kind)
    with transaction.atomic():
        grant = (
            grant_kind.model.objects.select_for_update()
            .filter(user=educator, permission=permission, content_object=obj)
            .first()
        )
        before = grant_snapshot(grant) if grant else None
        if grant is None:
            grant = grant_kind.model(user=educator, permission=permission, content_object=obj)
        grant.reason = reason
        grant.expires_at = expires_at
        grant.source = GrantSource.MANUAL
        grant.granted_by = actor
        grant.save()
        record_grant_event(actor=actor, grant=grant, before=before, after=grant_snapshot(grant), reason=reason)
    return grant


def revoke_access(*, actor: Educator, grant: Grant, reason: str) -> None:
    """Take a hand-made grant away. Grants derived from the SIS follow the SIS: change the homeroom's
    teacher or the section's teachers instead (or deactivate the account)."""
    check_actor(actor)
    reason = clean_reason(reason)
    if grant.source == GrantSource.SIS:
        raise ValidationError(
            "This grant follows the SIS teaching assignment: change the homeroom's teacher or the section's "
            "teachers instead, or deactivate the account."
        )
    with transaction.atomic():
        before = grant_snapshot(grant)
        record_grant_event(actor=actor, grant=grant, before=before, after=None, reason=reason)
        grant.delete()


def record_grants_deleted_with(obj, *, actor) -> None:
    """Deleting a school, grade, homeroom, section or student takes its grants with it (the rows cascade):
    record each as taken away, before the delete, in the same transaction."""
    kind = KIND_BY_TARGET[type(obj)]
    reason = f"Its {obj._meta.verbose_name} was deleted in the admin."
    for grant in kind.model.objects.filter(content_object=obj).select_related("user", "granted_by", *kind.related):
        record_grant_event(actor=actor, grant=grant, before=grant_snapshot(grant), after=None, reason=reason)
