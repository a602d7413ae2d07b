"""Writing audit rows: access events from a recording, sign-ins and sign-outs, grant changes.

Also the facts about a request every row carries: the real client IP behind the platform's
router, the request id, the user agent and a hash of the session key (never the key itself).
"""

import hashlib
import json
import re
import uuid

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.module_loading import import_string

from audit import chain
from audit.models import AccessEvent, GrantChangeEvent, SignInEvent

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# The columns a kind of access lists its students in, besides student_ids (every student touched).
KIND_COLUMNS = {"viewed": (), "changed": ("changed_student_ids",), "exported": ("exported_student_ids",)}


def _text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL characters in text; headers and typed identities may contain them.
    return value.replace("\x00", "")[:limit]


def _json_ready(value):
    # Store exactly what the database will hand back, so the row hash computed now matches later.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def client_ip(request) -> str | None:
    """The browser's address as allauth's account adapter tells it, or None when it cannot be told.

    The same function allauth's sign-in throttles use, so the audit log and the throttles never
    disagree: the entry ALLAUTH_TRUSTED_PROXY_COUNT from the right of X-Forwarded-For (each trusted
    proxy, such as Heroku's router, appends the address it saw; entries further left may be forged),
    or REMOTE_ADDR with no proxy configured.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def request_id(request) -> str:
    """The router's X-Request-ID when it looks like one, else a fresh uuid; the same for the whole request."""
    if not hasattr(request, "audit_request_id"):
        header = request.META.get("HTTP_X_REQUEST_ID", "")
        request.audit_request_id = header if REQUEST_ID_PATTERN.match(header) else str(uuid.uuid4())
    return request.audit_request_id


def session_hash(request) -> str:
    """SHA-256 of the session key: links a session's events without storing a usable key."""
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


def request_facts(request) -> dict:
    """The columns every audit row written during a request shares."""
    return {
        "client_ip": client_ip(request),
        "user_agent": _text(request.META.get("HTTP_USER_AGENT", ""), 300),
        "request_id": request_id(request),
        "session_hash": session_hash(request),
    }


def actor_roles(actor) -> list[str]:
    """The actor's roles now, as words: the policy knows them, so ``settings.AUDIT_ACTOR_ROLES`` names the function."""
    return list(import_string(settings.AUDIT_ACTOR_ROLES)(actor))


def write_access_event(recording, *, actor, outcome: str, request=None, status: int | None = None) -> AccessEvent:
    """Append one AccessEvent for what an ``audit.recorder.Recording`` holds; ``request`` adds the request facts."""
    event = AccessEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        actor_name=_text(actor.full_name, 200) if actor is not None else "",
        actor_roles=actor_roles(actor) if actor is not None else [],
        action=_text(recording.action, 200),
        outcome=outcome,
        status=status,
        student_ids=recording.student_ids(),
        changed_student_ids=recording.student_ids("changed"),
        exported_student_ids=recording.student_ids("exported"),
        object_ids=_json_ready(recording.object_ids()),
        details=_json_ready(recording.details),
    )
    if request is not None:
        event.path = _text(request.path, 500)
        event.method = request.method
        for name, value in request_facts(request).items():
            setattr(event, name, value)
    if recording.student_query is None:
        return chain.append(event)
    kind, query = recording.student_query
    return chain.append_listed(event, dict.fromkeys(("student_ids", *KIND_COLUMNS[kind]), query))


def record_sign_in(*, request, identity: str, educator, succeeded: bool, reason: str) -> SignInEvent:
    """Record a sign-in attempt; ``educator`` is None when the identity matched no account."""
    return chain.append(
        SignInEvent(
            kind=SignInEvent.Kind.SIGN_IN,
            identity=_text(identity.strip().lower(), 254),
            educator_id=educator.pk if educator is not None else None,
            succeeded=succeeded,
            reason=_text(reason, 200),
            **request_facts(request),
        )
    )


def record_sign_out(*, request, educator, reason: str = "") -> SignInEvent:
    """Record a sign-out; ``reason`` tells a person's sign-out from, say, the idle timeout."""
    return chain.append(
        SignInEvent(
            kind=SignInEvent.Kind.SIGN_OUT,
            identity=educator.email,
            educator_id=educator.pk,
            succeeded=True,
            reason=_text(reason, 200),
            **request_facts(request),
        )
    )


def _grant_change_event(
    *, actor, educator, grant_kind: str, object_label: str, before: dict | None, after: dict | None, reason: str
) -> GrantChangeEvent:
    return GrantChangeEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        educator_id=educator.pk,
        educator_email=educator.email,
        grant_kind=_text(grant_kind, 60),
        object_label=_text(object_label, 200),
        before=_json_ready(before),
        after=_json_ready(after),
        reason=_text(reason, 300),
    )


def record_grant_change(
    *, actor, educator, grant_kind: str, object_label: str, before: dict | None, after: dict | None, reason: str
) -> GrantChangeEvent:
    """Record a grant given (before=None), changed, or taken away (after=None), and who did it, why."""
    return chain.append(
        _grant_change_event(
            actor=actor,
            educator=educator,
            grant_kind=grant_kind,
            object_label=object_label,
            before=before,
            after=after,
            reason=reason,
        )
    )


def record_grant_changes(changes: list[dict]) -> list[GrantChangeEvent]:
    """Record many grant changes at once, in order (each a dict of record_grant_change's arguments).

    One statement for a bulk change (a SIS sync's hundreds of grants), chained as if one by one.
    """
    return chain.append_many([_grant_change_event(**change) for change in changes])
