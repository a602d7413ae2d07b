"""Homeroom-teacher and section-teacher grants, derived from the SIS teaching assignments.

The SIS says who teaches each homeroom (Homeroom.educator) and section (EducatorSectionAssignment);
these functions make the grants with source "sis" match that, adding and removing only grants
with source "sis". Grants made by hand are never touched: where an educator already holds a hand-made
grant on the same homeroom or section, it stands (with its own expiry) and no SIS grant is added.

Call ``sync_homeroom_grants`` / ``sync_section_grants`` right after changing a homeroom's teacher
or a section's teachers (the SIS import and the admin do); ``sync_sis_grants`` (the management
command of the same name, run nightly) reconciles everything, catching bulk changes.
Explicit calls rather than signals: bulk imports bypass signals, and the reconciliation is cheap.
"""

from dataclasses import dataclass

from django.db import transaction

from permissions.kinds import KIND_BY_MODEL, visibility_permission
from permissions.models import Grant, GrantSource, HomeroomGrant, SectionGrant
from permissions.services import grant_snapshot, record_grant_events
from students.models import EducatorSectionAssignment, Homeroom, Section

SIS_REASON = "Teacher of record in the SIS"


@dataclass
class SyncResult:
    """How many SIS grants were added and removed."""

    added: int = 0
    removed: int = 0

    def __iadd__(self, other: "SyncResult") -> "SyncResult":
        self.added += other.added
        self.removed += other.removed
        return self


def _reconcile(model, wanted: set[tuple[int, int]], *, actor=None, object_ids=None) -> SyncResult:
    """Make the SIS grants of ``model`` (limited to ``object_ids`` when given) equal ``wanted``,
    a set of (educator id, object id) pairs, and record each change (done by ``actor``, if a person)."""
    kind = KIND_BY_MODEL[model]
    permission = visibility_permission(kind)
    grants = model.objects.filter(permission=permission).select_related("user", *kind.related)
    if object_ids is not None:
        grants = grants.filter(content_object_id__in=object_ids)
    existing = {(grant.user_id, grant.content_object_id): grant for grant in grants}
    with transaction.atomic():
        stale = [grant for key, grant in existing.items() if grant.source == GrantSource.SIS and key not in wanted]
        changes: list[tuple[Grant, dict | None, dict | None]] = [
            (grant, grant_snapshot(grant), None) for grant in stale
        ]
        model.objects.filter(pk__in=[grant.pk for grant in stale]).delete()
        new = model.objects.bulk_create(
            model(
                user_id=user_id,
                permission=permission,
                content_object_id=object_id,
                source=GrantSource.SIS,
                reason=SIS_REASON,
            )
            for user_id, object_id in sorted(wanted - existing.keys())
        )
        added = model.objects.filter(pk__in=[grant.pk for grant in new]).select_related("user", *kind.related)
        changes += [(grant, None, grant_snapshot(grant)) for grant in added.order_by("pk")]
        record_grant_events(actor=actor, changes=changes, reason=SIS_REASON)  # one batch, committed with the change
    return SyncResult(added=len(new), removed=len(stale))


def sync_homeroom_grants(homeroom: Homeroom, *, actor=None) -> SyncResult:
    """Match the homeroom's SIS grant to its teacher (Homeroom.educator); ``actor`` is who changed it, if a person."""
    homeroom.refresh_from_db(fields=["educator"])
    wanted = {(homeroom.educator_id, homeroom.pk)} if homeroom.educator_id else set()
    return _reconcile(HomeroomGrant, wanted, actor=actor, object_ids=[homeroom.pk])


def sync_section_grants(section: Section, *, actor=None) -> SyncResult:
    """Match the section's SIS grants to its teachers (EducatorSectionAssignment rows); ``actor`` as above."""
    wanted = set(EducatorSectionAssignment.objects.filter(section=section).values_list("educator_id", "section_id"))
    return _reconcile(SectionGrant, wanted, actor=actor, object_ids=[section.pk])


def sync_sis_grants() -> SyncResult:
    """Match every homeroom and section SIS grant to the SIS assignments."""
    result = _reconcile(
        HomeroomGrant, set(Homeroom.objects.filter(educator__isnull=False).values_list("educator_id", "pk"))
    )
    result += _reconcile(SectionGrant, set(EducatorSectionAssignment.objects.values_list("educator_id", "section_id")))
    return result
