"""The request-scoped recorder: code that reads or writes student data says what it touched.

``AccessRecorderMiddleware`` opens a recording for each request and ``command_recording`` for a
management command run; selectors, services and views then call ``record_students`` (and
friends) and one AccessEvent is written when the recording closes. The recording lives in a
ContextVar, so it is never shared between concurrent requests and follows the request into
``sync_to_async`` calls without being passed around.

Outside any recording (a Django shell, a unit test calling a selector directly) the calls are
ignored: the middleware and ``command_recording`` are what guarantee every request and command
that touches student data is recorded. A streaming response must report its ids before it returns
the response, because the recording closes when the view returns.
"""

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from audit.events import write_access_event
from audit.models import Outcome

KINDS = ("viewed", "changed", "exported")
ONE_WAY = "A recording names its students by ids or by a query, not both."


@dataclass
class Recording:
    """What one request or command run touched; dicts are used as insertion-ordered sets."""

    action: str = ""
    students: dict[str, dict[int, None]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    objects: dict[str, dict] = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    denied: bool = False
    student_query: tuple[str, str] | None = None  # (kind, query): record_students_from_query

    @property
    def touched_anything(self) -> bool:
        """Whether an event must be written whatever the page was."""
        return self.denied or bool(self.student_ids() or self.student_query or self.objects or self.details)

    def student_ids(self, kind: str | None = None) -> list[int]:
        if kind is not None:
            return list(self.students[kind])
        return list(dict.fromkeys(id_ for kind in KINDS for id_ in self.students[kind]))

    def object_ids(self) -> dict[str, list]:
        return {kind: list(ids) for kind, ids in self.objects.items()}

    def outcome(self, *, failed: bool) -> str:
        if self.denied:
            return Outcome.DENIED
        return Outcome.ERROR if failed else Outcome.OK


_current: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("audit_recording", default=None)


@contextlib.contextmanager
def recording(action: str = "") -> Iterator[Recording]:
    """Open a fresh recording for the code inside the block (it does not write anything itself)."""
    opened = Recording(action=action)
    token = _current.set(opened)
    try:
        yield opened
    finally:
        _current.reset(token)


def current() -> Recording | None:
    """The open recording, if any."""
    return _current.get()


def record_students(student_ids: Iterable[int], *, kind: str = "viewed") -> None:
    """Report students whose data was shown ("viewed"), written ("changed") or put in a file ("exported")."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    opened = _current.get()
    if opened is not None:
        ids = dict.fromkeys(int(id_) for id_ in student_ids)
        if ids and opened.student_query is not None:
            raise ValueError(ONE_WAY)
        opened.students[kind].update(ids)


def record_students_from_query(query: str, *, kind: str = "changed") -> None:
    """Report students too many to hold in memory (a bulk import's), as a query the event is written from.

    ``query`` selects their distinct ids, in order, from tables of the recording's own transaction,
    and runs when the event is written (audit.chain.append_listed). A recording names its students
    either this way or by ``record_students``, not both: the second way raises where it is used, so the
    event still records what the first named.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    opened = _current.get()
    if opened is not None:
        if opened.student_ids():
            raise ValueError(ONE_WAY)
        opened.student_query = (kind, query)


def record_objects(kind: str, ids: Iterable[int | str]) -> None:
    """Report other records touched, by kind ("note", "service", ...): stored as {kind: [ids]}."""
    opened = _current.get()
    if opened is not None:
        opened.objects.setdefault(kind, {}).update(dict.fromkeys(ids))


def record_denied() -> None:
    """Report that the policy refused this request (it answers 404): the event's outcome is "denied"."""
    opened = _current.get()
    if opened is not None:
        opened.denied = True


def record_details(**values) -> None:
    """Attach JSON-ready facts that are not record ids (report parameters); the event is then always written."""
    opened = _current.get()
    if opened is not None:
        opened.details.update(values)


def set_action(name: str) -> None:
    """Name the event's action when the URL route name (the default) is not the right word."""
    opened = _current.get()
    if opened is not None:
        opened.action = name


@contextlib.contextmanager
def command_recording(*, actor, action: str) -> Iterator[Recording]:
    """Record a management command run (or any non-request work) as one event, in the run's own transaction.

    The block and its event commit together: if the event cannot be written, the block's changes
    are rolled back. A block that raises is rolled back and then recorded with outcome "error".
    ``actor`` is the Educator the work is done for, or None for scheduled jobs with no person behind them.
    """
    with recording(action) as opened:
        failed = False
        try:
            with transaction.atomic():
                try:
                    yield opened
                except BaseException:
                    failed = True
                    raise
                write_access_event(opened, actor=actor, outcome=opened.outcome(failed=False))
        finally:
            if failed:
                write_access_event(opened, actor=actor, outcome=opened.outcome(failed=True))
