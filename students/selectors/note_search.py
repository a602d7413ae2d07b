"""Searching the text of notes about the students an educator may see, restricted notes never included.

PostgreSQL does the work in one query: ``websearch_to_tsquery`` understands what people type
("late bus", "parent -email", "or"), the ``insights_search`` configuration ignores accents, the
partial GIN index over plain notes' stored search vectors finds the matches, the stored vectors rank
them, and ``ts_headline`` cuts the snippets of the hundred best only.
Restricted notes keep no plain text, and the query also excludes them by flag, so their text can
neither match nor be shown. The search text is a query parameter only: it is never recorded,
logged or remembered; the audit event names the students and notes shown.
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from audit.recorder import record_objects
from educators.models import Educator
from insights.scrubbing import remember_values
from permissions.policy import is_districtwide, visible_students
from students.models import EventNote
from students.models.text_search import SEARCH_CONFIG
from students.selectors._shared import LIST_FIELDS, report_students, select_sql, start_of, today

MAX_RESULTS = 100
RANKED_MATCHES = 1000  # a districtwide search with more matches ranks its most recent this many
SEARCH_WALK_NOTES = 20000  # the newest plain notes it reads to find them, at most
YEARS_BACK = 4
MAX_SEARCH_LENGTH = 200

# ts_headline marks each match with these; the snippet is HTML-escaped before they become <mark>.
# Private-use characters, removed from the note text before ts_headline, so text cannot forge a mark.
_MARK_START, _MARK_STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{_MARK_START}([^{_MARK_START}{_MARK_STOP}]*){_MARK_STOP}")


@dataclass(frozen=True)
class NoteSearch:
    """What to look for: the words typed and the optional filters."""

    text: str
    note_type: str = ""
    grade: str = ""
    author_id: int | None = None
    recorded_from: datetime.date | None = None
    recorded_to: datetime.date | None = None


@dataclass(frozen=True)
class NoteHit:
    note: EventNote
    snippet: SafeString


@dataclass(frozen=True)
class NoteSearchResults:
    """The best matches, best first; `recent_only` when they were chosen among the most recent
    RANKED_MATCHES matches because there were more."""

    hits: list[NoteHit]
    recent_only: bool = False

    @property
    def ranked_matches(self) -> int:
        return RANKED_MATCHES


def earliest_searchable_day(day: datetime.date | None = None) -> datetime.date:
    """Notes older than four years are out of reach of search (29 February falls back to the 28th)."""
    day = day or today()
    try:
        return day.replace(year=day.year - YEARS_BACK)
    except ValueError:
        return day.replace(year=day.year - YEARS_BACK, day=28)


def note_authors(*, educator) -> QuerySet:
    """(id, name) of the educators who wrote a plain note about a student the educator may see, by name,
    for the author filter: pairs, not model objects, as a district has thousands of authors.

    A districtwide educator sees every student, so each author is one probe of the plain notes' author
    index instead of a join of the district's notes with its students."""
    notes = EventNote.objects.filter(author=OuterRef("pk"), is_restricted=False)
    if not is_districtwide(educator):
        notes = notes.filter(student__in=visible_students(educator))
    return Educator.objects.filter(Exists(notes)).order_by("full_name", "id").values_list("id", "full_name")


def highlighted(headline: str) -> SafeString:
    """The snippet HTML-escaped, with the matches ts_headline marked wrapped in <mark>."""
    pieces, position = [], 0
    for match in _MARKED.finditer(headline):
        pieces.append(conditional_escape(_unmarked(headline[position : match.start()])))
        pieces.append(format_html("<mark>{}</mark>", match.group(1)))
        position = match.end()
    pieces.append(conditional_escape(_unmarked(headline[position:])))
    return mark_safe("".join(pieces))  # noqa: S308 — every piece above is escaped


def _unmarked(text: str) -> str:
    return text.replace(_MARK_START, "").replace(_MARK_STOP, "")


# The newest plain notes in the dates searched, walked newest first; each whose stored vector matches is
# tested against the whole search ({matching}: the words, filters and dates) by its id, one probe each,
# so the walk stops at the first RANKED_MATCHES + 1 matches.
_RECENT_MATCHES = """
SELECT walked.id FROM (
    SELECT id, recorded_at, text_vector FROM {note}
    WHERE NOT is_restricted AND recorded_at >= %s{until}
    ORDER BY recorded_at DESC, id DESC LIMIT %s) walked
CROSS JOIN LATERAL (SELECT 1 FROM ({matching}) m WHERE m.id = walked.id LIMIT 1) found
WHERE walked.text_vector @@ websearch_to_tsquery(%s::regconfig, %s)
ORDER BY walked.recorded_at DESC, walked.id DESC LIMIT %s"""


def _recent_matches(matching: QuerySet[EventNote], search: NoteSearch, since: datetime.datetime) -> list[int] | None:
    """The ids of the RANKED_MATCHES most recent matches, if the walk of the newest notes finds more
    than that many; None when it does not (there are few enough to rank them all)."""
    sql, params = select_sql(matching, "id")
    walked = [since]
    if search.recorded_to:
        walked.append(start_of(search.recorded_to + datetime.timedelta(days=1)))
    statement = _RECENT_MATCHES.format(
        note=connection.ops.quote_name(EventNote._meta.db_table),
        until=" AND recorded_at < %s" if search.recorded_to else "",
        matching=sql,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*walked, SEARCH_WALK_NOTES, *params, SEARCH_CONFIG, search.text, RANKED_MATCHES + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:RANKED_MATCHES] if len(ids) > RANKED_MATCHES else None


def note_search(*, educator, search: NoteSearch) -> NoteSearchResults:
    """At most 100 plain notes matching the words, best match first, each with a highlighted snippet."""
    query = SearchQuery(search.text, search_type="websearch", config=SEARCH_CONFIG)
    since = start_of(max(search.recorded_from or datetime.date.min, earliest_searchable_day()))
    districtwide = is_districtwide(educator)
    matching = EventNote.objects.filter(is_restricted=False, text_vector=query, recorded_at__gte=since)
    if not districtwide:  # a districtwide educator sees every student, and so every student's notes
        matching = matching.filter(student__in=visible_students(educator))
    if search.recorded_to:
        matching = matching.filter(recorded_at__lt=start_of(search.recorded_to + datetime.timedelta(days=1)))
    if search.note_type:
        matching = matching.filter(note_type=search.note_type)
    if search.grade:
        matching = matching.filter(student__grade=search.grade)
    if search.author_id:
        matching = matching.filter(author_id=search.author_id)
    recent = _recent_matches(matching, search, since) if districtwide else None
    ranked = matching if recent is None else EventNote.objects.filter(pk__in=recent)
    rank = SearchRank(F("text_vector"), query)
    order = ("-rank", "-recorded_at", "-id")
    # The best hundred are chosen among the matches first; only they are joined to their students and
    # authors and get a snippet (a common word can match tens of thousands of notes).
    best = ranked.annotate(rank=rank).order_by(*order).values("pk")[:MAX_RESULTS]
    notes = (
        EventNote.objects.filter(pk__in=best)
        .select_related("student", "student__school", "student__homeroom", "author")
        .only(
            "note_type",
            "recorded_at",
            "author__full_name",
            *(f"student__{field}" for field in LIST_FIELDS),
        )
        .annotate(
            rank=rank,
            headline=SearchHeadline(
                Replace(Replace("text", Value(_MARK_START)), Value(_MARK_STOP)),
                query,
                config=SEARCH_CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by(*order)
    )
    hits = [NoteHit(note=note, snippet=highlighted(note.headline)) for note in notes]
    report_students({hit.note.student.pk: hit.note.student for hit in hits}.values())
    record_objects("note", [hit.note.pk for hit in hits])
    remember_values(*(_unmarked(hit.note.headline) for hit in hits))
    return NoteSearchResults(hits=hits, recent_only=recent is not None)
