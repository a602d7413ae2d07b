"""Keeps student data out of error reports and logs, which both leave the district's instance.

Two layers, applied to every error report (Sentry ``before_send`` / ``before_breadcrumb``) and
every log record (``ScrubbingFilter`` on each logging handler):

* the values the current request touched: selectors call ``remember_student`` for every student
  they return (names, ids, dates of birth in the formats they get printed in, contact details)
  and ``remember_values`` for free text such as notes; these are removed wherever they appear,
  ignoring case, at word boundaries;
* generic patterns, whether or not anyone remembered them: query strings, email addresses,
  phone numbers, dates and runs of five or more digits.

The remembered values live in a ContextVar, so concurrent requests on other threads never see
each other's values. ``ScrubbingMiddleware`` opens a fresh collection per request with
``collection(request)``; outside a request (a management command) values are remembered in the
current context for as long as it lives.
"""

import datetime
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.crypto import salted_hmac
from sentry_sdk.utils import safe_repr

REDACTED = "[redacted]"
# Shorter values (a middle initial) identify no one and would blank out every stray letter.
MIN_VALUE_LENGTH = 2

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MONTH = r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_GENERIC_PATTERNS = [
    # A query string after a path ("/students/?q=Ana") may carry anything a person typed.
    (re.compile(r"(?<=[\w/])\?[^\s\"'<>]+"), "?[query]"),
    # Bounded repeats keep every pattern linear on long texts (a big SQL statement, a base64 blob).
    (re.compile(r"[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"), "[email]"),
    (re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)"), "[phone]"),
    (re.compile(r"\+\d[\d\s().-]{6,20}\d"), "[phone]"),
    (re.compile(r"(?<![\w-])\d{3}[.-]\d{4}(?![\w-])"), "[phone]"),
    (
        re.compile(
            r"(?<!\w)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}/\d{1,2}/\d{2})(?!\d)"
        ),
        "[date]",
    ),
    (re.compile(r"\bdate(?:time)?\(\d{4}, \d{1,2}, \d{1,2}[^)]*\)"), "[date]"),
    (re.compile(_MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b", re.IGNORECASE), "[date]"),
    (re.compile(r"\b\d{1,2}\s+" + _MONTH + r",?\s+\d{4}\b", re.IGNORECASE), "[date]"),
    (re.compile(r"\d{5,}"), "[number]"),
]
# A UUID in its usual 8-4-4-4-12 form (Heroku's X-Request-ID, the audit log's request ids), captured for split().
_UUID = re.compile(
    r"(?<![0-9A-Za-z-])([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![0-9A-Za-z-])"
)

# Event fields that describe the SDK, the deployment or the event itself, never a person.
_EVENT_KEYS_KEPT = frozenset(
    ("event_id", "timestamp", "start_timestamp", "release", "dist", "environment", "platform", "level", "sdk")
)
# Numbers kept however large: positions in source files and epoch timestamps.
_KEPT_NUMBERS = frozenset(("lineno", "colno", "timestamp", "start_timestamp"))
_HEX_ID = re.compile(r"[0-9a-f]{16,32}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# Nested fields kept as they are, but only while they have the shape such a field always has.
_KEPT_FORMATS = {
    "timestamp": _TIMESTAMP,
    "start_timestamp": _TIMESTAMP,
    "event_id": _HEX_ID,
    "trace_id": _HEX_ID,
    "span_id": _HEX_ID,
    "parent_span_id": _HEX_ID,
}
# Request headers an error report may keep (exact names); every other header is dropped.
SAFE_HEADERS = frozenset(
    ("accept", "accept-language", "content-length", "content-type", "host", "user-agent", "x-request-id")
)
# Values under keys like these are secrets whatever they look like (sentry-sdk's own denylist,
# which it drops once data_collection is configured).
_SECRET_KEY_NAME = re.compile(r"passw|pwd|secret|token|api.?key|auth|cookie|session|csrf|credential", re.IGNORECASE)
_PATH_SEGMENT_WITH_DIGITS = re.compile(r"(?<=/)[^/]*\d[^/]*")


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _fold(text: str) -> str:
    """Lower case, one character for one, so positions in the folded text match the original."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


class _ValueTrie:
    """Remembered values, found case-insensitively in one left-to-right pass over a text.

    A roster page remembers thousands of values: they are only collected (a set add each) until
    something needs scrubbing, then folded into a trie, which grows without recompiling anything
    and matches at the cost of one step per character.
    """

    _END = ""  # no character is the empty string

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.pending: set[str] = set()

    def add(self, value: str) -> None:
        self.pending.add(value)

    def _insert_pending(self) -> None:
        pending, self.pending = self.pending, set()  # a worker thread given the context may add meanwhile
        for value in pending:
            node = self.root
            for char in _fold(value):
                node = node.setdefault(char, {})
            node[self._END] = True

    def redact(self, text: str) -> str:
        self._insert_pending()
        if not self.root:
            return text
        folded = _fold(text)
        pieces, kept_from, position = [], 0, 0
        while position < len(folded):
            # A value starting with a letter or digit must start a word: "Li" is not in "list".
            at_boundary = position == 0 or not _is_word(folded[position - 1]) or not _is_word(folded[position])
            end = self._longest_match(folded, position) if at_boundary else None
            if end is None:
                position += 1
                continue
            pieces += [text[kept_from:position], REDACTED]
            kept_from = position = end
        pieces.append(text[kept_from:])
        return "".join(pieces)

    def _longest_match(self, folded: str, start: int) -> int | None:
        node: Any = self.root  # a trie node (dict), then None past the last match
        position, longest = start, None
        while position < len(folded) and (node := node.get(folded[position])) is not None:
            position += 1
            ends_word = position == len(folded) or not _is_word(folded[position]) or not _is_word(folded[position - 1])
            if self._END in node and ends_word:
                longest = position
        return longest


@dataclass
class _Collection:
    request: Any = None
    user: Any = None
    values: _ValueTrie = field(default_factory=_ValueTrie)


_current: ContextVar[_Collection | None] = ContextVar("insights_scrubbing_collection", default=None)


def _collection() -> _Collection:
    current = _current.get()
    if current is None:
        current = _Collection()
        _current.set(current)
    return current


@contextmanager
def collection(request=None) -> Iterator[None]:
    """A fresh, empty collection of sensitive values for one request (or one test), cleared after.

    The request, when given, supplies the route pattern and the user for error reports.
    """
    token = _current.set(_Collection(request=request))
    try:
        yield
    finally:
        _current.reset(token)


def remember_user(user: Any) -> None:
    """The request's user, once loaded: error reports then name their role (never the user).

    Reporting an error must not query the database, so reports never load a user themselves.
    """
    _collection().user = user


def remember_values(*values: str | None) -> None:
    """Scrub these strings (note text, a search term) from reports and logs for the rest of the request."""
    trie = _collection().values
    for value in values:
        if value:
            text = value.strip()
            # Whole, and by line and sentence, since a message may quote only part of a long text.
            _remember(trie, {text, *text.splitlines(), *_SENTENCE_END.split(text)})


def _remember(trie: _ValueTrie, pieces: Iterable[str | None]) -> None:
    for piece in pieces:
        if piece and len(piece := piece.strip()) >= MIN_VALUE_LENGTH:
            trie.add(piece)


_NOT_DIGITS = re.compile(r"\D")
_ADDRESS_PARTS = re.compile(r"[\n,]")
_NAME_PARTS = re.compile(r"[\s-]+")


def remember_student(student: Any) -> None:
    """Scrub this student's identifying values from reports and logs for the rest of the request.

    Takes a Student (or a mapping of its fields, from ``.values()``). Reads only loaded fields,
    so a selector's ``.only(...)`` never turns into one extra query per student. A roster remembers
    hundreds of students, most of them without the contact fields lists never load, so those are
    worked on only when present.
    """
    fields = student if isinstance(student, Mapping) else vars(student)
    first, last = fields.get("first_name") or "", fields.get("last_name") or ""
    guardian, email = fields.get("guardian_name") or "", fields.get("primary_email") or ""
    phone, address = fields.get("primary_phone") or "", fields.get("address") or ""
    birth = fields.get("date_of_birth")
    values = [
        first,
        last,
        guardian,
        f"{first} {last}",
        f"{last}, {first}",
        f"{last} {first}",
        fields.get("local_id"),
        fields.get("state_id"),
        *_NAME_PARTS.split(f"{first} {last} {guardian}"),
    ]
    if email:
        values += [email, email.partition("@")[0]]
    if phone:
        values += [phone, _NOT_DIGITS.sub("", phone)]
    if isinstance(birth, datetime.date):
        values += _date_formats(birth)
    elif isinstance(birth, str):
        values.append(birth)
    # Identifiers are remembered as they are: splitting them into lines and sentences, as free
    # text is, would find nothing more and costs most of the time a roster of thousands takes.
    trie = _collection().values
    _remember(trie, values)
    if address:
        _remember(trie, _ADDRESS_PARTS.split(address))
        remember_values(address)


def _date_formats(day: datetime.date) -> list[str]:
    # The usual ways a date gets printed; the generic date patterns catch the rest.
    return [day.isoformat(), f"{day:%m/%d/%Y}", f"{day.month}/{day.day}/{day.year}", f"{day:%B} {day.day}, {day.year}"]


def scrub_text(text: str) -> str:
    """The text without the remembered values and without anything that looks like personal data.

    UUIDs (request ids, event ids) are left whole by the generic patterns, which would otherwise
    take their digit runs for numbers or phones: they are what joins a report to the log lines and
    audit rows of its request. A remembered value is removed even from inside one.
    """
    current = _current.get()
    if current is not None:
        text = current.values.redact(text)
    pieces = _UUID.split(text)  # text, uuid, text, uuid, ..., text
    for index in range(0, len(pieces), 2):
        for pattern, replacement in _GENERIC_PATTERNS:
            pieces[index] = pattern.sub(replacement, pieces[index])
    return "".join(pieces)


def _scrub_entry(key: Any, value: Any) -> Any:
    if isinstance(key, str) and _SECRET_KEY_NAME.search(key):
        return "[Filtered]"
    return _scrub(value, key)


def _scrub(value: Any, key: Any = None) -> Any:
    if isinstance(value, str):
        kept_format = _KEPT_FORMATS.get(key)
        return value if kept_format and kept_format.fullmatch(value) else scrub_text(value)
    if isinstance(value, dict):
        return {(scrub_text(k) if isinstance(k, str) else k): _scrub_entry(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if key == "frames":  # file, function and line stay; local variables never leave
            value = [{k: v for k, v in frame.items() if k != "vars"} for frame in value]
        return [_scrub(item) for item in value]
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):  # a long number, or an id someone passed as an int
        scrubbed = scrub_text(str(value))
        return value if key in _KEPT_NUMBERS or scrubbed == str(value) else scrubbed
    if isinstance(value, datetime.datetime) and key in _KEPT_FORMATS:
        return value
    return scrub_text(safe_repr(value))


def scrub_breadcrumb(crumb: dict, hint: dict) -> dict:
    """Sentry's before_breadcrumb: the breadcrumb with remembered values and patterns removed."""
    return _scrub(crumb)


def scrub_event(event: dict, hint: dict) -> dict:
    """Sentry's before_send: the event as it may leave the process.

    Every string is scrubbed; frames lose their variables; the request keeps only its route
    pattern, method and harmless headers; the user becomes a hashed id and a role.
    """
    current = _current.get()
    request = current.request if current is not None else None
    replaced = {"request", "user", "transaction"}
    scrubbed = {
        key: value if key in _EVENT_KEYS_KEPT else _scrub(value, key)
        for key, value in event.items()
        if key not in replaced
    }
    match = getattr(request, "resolver_match", None)
    route = f"/{match.route}" if match is not None else None
    if route is not None:
        scrubbed["transaction"] = route
        scrubbed["transaction_info"] = {"source": "route"}
    elif isinstance(event.get("transaction"), str):
        scrubbed["transaction"] = _generic_path(event["transaction"])
    request_section = _request_section(event.get("request"), request, route)
    if request_section is not None:
        scrubbed["request"] = request_section
    user = _reported_user(current.user if current is not None else None)
    if user is not None:
        scrubbed["user"] = user
    request_id = getattr(request, "META", {}).get("HTTP_X_REQUEST_ID", "")
    if _UUID.fullmatch(request_id):  # the router's id, to find the request's log lines and audit row
        scrubbed["tags"] = {**(scrubbed.get("tags") or {}), "request_id": request_id}
    return scrubbed


def _generic_path(path: str) -> str:
    """A path with every segment that holds a digit replaced, for URLs that matched no route."""
    return scrub_text(_PATH_SEGMENT_WITH_DIGITS.sub("<id>", urlsplit(path).path))


def _request_section(reported: Any, request: Any, route: str | None) -> dict | None:
    reported = reported if isinstance(reported, dict) else {}
    url = reported.get("url") or getattr(request, "path", None)
    if url is None:
        return None
    parts = urlsplit(url)
    path = route if route is not None else _generic_path(parts.path)
    section: dict[str, Any] = {"url": f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path}
    method = reported.get("method") or getattr(request, "method", None)
    if method:
        section["method"] = method
    headers = reported.get("headers") if isinstance(reported.get("headers"), dict) else {}
    safe_headers = {name: scrub_text(str(value)) for name, value in headers.items() if name.lower() in SAFE_HEADERS}
    if safe_headers:
        section["headers"] = safe_headers
    return section


def _reported_user(user: Any) -> dict | None:
    if user is None or not user.is_authenticated:
        return None
    hashed_id = salted_hmac("insights.scrubbing.user", str(user.pk)).hexdigest()[:16]
    return {"id": hashed_id, "role": getattr(user, "staff_type", "") or "unknown"}


class ScrubbingFilter(logging.Filter):
    """A logging filter for every handler: the message, its arguments and traceback, scrubbed.

    The message is formatted once and its arguments dropped, so no handler or formatter can
    print an argument the scrubber has not seen.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: print neither as given
            message = str(record.msg)
        record.msg, record.args = scrub_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True
