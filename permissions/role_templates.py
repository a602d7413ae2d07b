"""Assigning a role in one step: "counselor at Baker K-8" is a grant, a group and perhaps a flag or two.

A role template (permissions.models.RoleTemplate) says which grant the role gives and at which kind
of place, which group holds its global permissions, and which account flags it sets. Assigning it
gives the grant (permissions.services.grant_access, recorded), adds the educator to the group and
sets the flags (each recorded by permissions.privileges), all in one transaction: the role is
assigned whole, with its record, or not at all.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from educators.models import Educator
from permissions.kinds import KIND_BY_KEY, object_label
from permissions.models import Grant, RoleTemplate
from permissions.privileges import privilege_snapshot, record_privilege_changes
from permissions.services import check_actor, clean_reason, grant_access


@dataclass(frozen=True)
class Assignment:
    """What assigning a role did: the grant it gave (if the role has one) and how many privileges changed."""

    template: RoleTemplate
    grant: Grant | None
    privilege_changes: int

    def words(self, educator: Educator) -> str:
        """E.g. "Counselor at Baker K-8 assigned to Nora Quinn"."""
        if self.grant is None:
            return f"{self.template.name} assigned to {educator.full_name}"
        where = object_label(KIND_BY_KEY[self.template.grant_kind], self.grant.content_object)
        return f"{self.template.name} at {where} assigned to {educator.full_name}"


def target_model(template: RoleTemplate):
    """What the role's grant is on (a School, a Homeroom, ...), or None for a role without a grant."""
    if not template.grant_kind:
        return None
    return KIND_BY_KEY[template.grant_kind].model._meta.get_field("content_object").related_model


def assign_role(
    *,
    actor: Educator,
    educator: Educator,
    template: RoleTemplate,
    target=None,
    reason: str,
    expires_at: datetime.datetime | None = None,
) -> Assignment:
    """Give the educator the role: its grant on ``target`` (with the expiry), its group and its flags.

    Only district admins assign roles; every change is a grant change event with the reason, which
    names the role ("Counselor: new counselor").
    """
    check_actor(actor)
    reason = clean_reason(reason)
    model = target_model(template)
    if model is not None and not isinstance(target, model):
        raise ValidationError(f"The {template.name} role is given on a {model._meta.verbose_name}: choose one.")
    if not educator.is_active:
        raise ValidationError("This account is inactive: reactivate it before giving it a role.")
    recorded_reason = f"{template.name}: {reason}"
    with transaction.atomic():
        grant = None
        if model is not None:
            grant = grant_access(
                actor=actor,
                educator=educator,
                kind=template.grant_kind,
                obj=target,
                reason=recorded_reason,
                expires_at=expires_at,
            )
        before = privilege_snapshot(educator.pk)
        educator.groups.add(template.group)
        educator.sped_only = educator.sped_only or template.sped_only
        educator.english_learners_only = educator.english_learners_only or template.english_learners_only
        educator.is_staff = educator.is_staff or template.admin_site
        educator.save(update_fields=["sped_only", "english_learners_only", "is_staff"])
        changes = record_privilege_changes(
            actor=actor,
            educator=educator,
            before=before,
            after=privilege_snapshot(educator.pk),
            reason=recorded_reason,
        )
    return Assignment(template=template, grant=grant, privilege_changes=changes)
