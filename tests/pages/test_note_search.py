"""Notes search: full text over the plain notes of students the educator may see, accent-insensitive,
filtered, capped, highlighted safely, posted, and recorded by the students it shows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from educators.models import Educator
from students.models import EventNote
from students.selectors.note_search import (
    MAX_RESULTS,
    NoteSearch,
    earliest_searchable_day,
    highlighted,
    note_authors,
    note_search,
)
from tests.pages.plans import plan_of_query_containing

pytestmark = pytest.mark.django_db

SEARCH = reverse("students:note_search")


def note(student, author, text, *, days_ago=10, note_type="parent", restricted=False):
    return EventNote.objects.create(
        student=student,
        author=author,
        note_type=note_type,
        text="" if restricted else text,
        restricted_text=text if restricted else "",
        is_restricted=restricted,
        recorded_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def results(client, **fields) -> str:
    return client.post(SEARCH, fields).content.decode()


def found_ids(educator, text, **filters) -> set[int]:
    return {hit.note.pk for hit in note_search(educator=educator, search=NoteSearch(text=text, **filters)).hits}


def test_a_word_finds_notes_with_any_form_of_it_and_marks_it_in_the_snippet(client_for, demo):
    written = note(demo.student("mateo"), demo.educator("teacher.5"), "Mateo missed the zebrafish bus again.")
    page = results(client_for("teacher.5"), q="zebrafishes")
    assert f'href="{reverse("students:profile", args=[demo.student("mateo").pk])}#notes"' in page
    assert "Mateo missed the <mark>zebrafish</mark> bus again" in page
    assert found_ids(demo.educator("teacher.5"), "zebrafish") == {written.pk}


def test_accents_are_ignored_on_both_sides(demo):
    teacher = demo.educator("teacher.5")
    accented = note(demo.student("mateo"), teacher, "Habló con José sobre la quinceañera.")
    plain = note(demo.student("mateo"), teacher, "Jose brought the quinceanera photos.")
    assert found_ids(teacher, "jose quinceanera") == {accented.pk, plain.pk}
    assert found_ids(teacher, "José") == {accented.pk, plain.pk}
    hits = note_search(educator=teacher, search=NoteSearch(text="jose")).hits
    hit = next(h for h in hits if h.note.pk == accented.pk)
    assert "<mark>José</mark>" in hit.snippet


def test_websearch_syntax_phrases_and_exclusions(demo):
    teacher = demo.educator("teacher.5")
    late_bus = note(demo.student("mateo"), teacher, "Came in on the late xylobus today.")
    bus_late = note(demo.student("mateo"), teacher, "The xylobus was not late; Mateo overslept.")
    assert found_ids(teacher, '"late xylobus"') == {late_bus.pk}
    assert found_ids(teacher, "xylobus -overslept") == {late_bus.pk}
    assert found_ids(teacher, "xylobus") == {late_bus.pk, bus_late.pk}


def test_restricted_notes_are_never_searched(client_for, demo):
    counselor = demo.educator("counselor.baker")
    note(demo.student("mateo"), counselor, "Disclosed a quokkafamily matter.", restricted=True)
    assert found_ids(counselor, "quokkafamily") == set()
    assert "No note you can see matches." in results(client_for("counselor.baker"), q="quokkafamily")


def test_only_notes_about_students_the_educator_may_see_are_found(demo):
    written = note(demo.student("mateo"), demo.educator("teacher.5"), "Loves the axolotlclub.")
    assert found_ids(demo.educator("teacher.5"), "axolotlclub") == {written.pk}
    assert found_ids(demo.educator("teacher.k"), "axolotlclub") == set()
    assert found_ids(demo.educator("newhire"), "axolotlclub") == set()


def test_filters_narrow_by_kind_grade_author_and_dates(demo):
    mateo, teacher, counselor = demo.student("mateo"), demo.educator("teacher.5"), demo.educator("counselor.baker")
    recent = note(mateo, teacher, "Narwhalreading log signed.", days_ago=3, note_type="parent")
    older = note(mateo, counselor, "Narwhalreading group started.", days_ago=60, note_type="counselor")
    principal = demo.educator("principal.baker")
    assert found_ids(principal, "narwhalreading") == {recent.pk, older.pk}
    assert found_ids(principal, "narwhalreading", note_type="counselor") == {older.pk}
    assert found_ids(principal, "narwhalreading", author_id=teacher.pk) == {recent.pk}
    assert found_ids(principal, "narwhalreading", grade="5") == {recent.pk, older.pk}
    assert found_ids(principal, "narwhalreading", grade="6") == set()
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    assert found_ids(principal, "narwhalreading", recorded_from=week_ago) == {recent.pk}
    assert found_ids(principal, "narwhalreading", recorded_to=week_ago) == {older.pk}


def test_notes_older_than_four_years_are_out_of_reach(client_for, demo):
    teacher = demo.educator("teacher.5")
    note(demo.student("mateo"), teacher, "Pangolinproject kickoff.", days_ago=4 * 366 + 2)
    assert found_ids(teacher, "pangolinproject") == set()
    too_early = earliest_searchable_day() - datetime.timedelta(days=1)
    page = results(client_for("teacher.5"), q="pangolinproject", recorded_from=too_early.isoformat())
    assert "Notes can be searched four years back at most" in page


def test_the_author_filter_offers_only_authors_of_notes_the_educator_may_see(client_for, demo):
    note(demo.student("mateo"), demo.educator("counselor.baker"), "Checked in.")
    kindergarten_page = client_for("teacher.k").get(SEARCH).content.decode()
    fifth_grade_page = client_for("teacher.5").get(SEARCH).content.decode()
    name = demo.educator("counselor.baker").full_name
    assert f">{name}</option>" in fifth_grade_page
    assert f">{name}</option>" not in kindergarten_page


def test_the_author_filter_escapes_names_labels_its_list_and_keeps_the_chosen_author(client_for, demo):
    author = Educator.objects.create_user("marked.author@demo.insights.example", None, full_name="<b>Ann</b> & Co")
    written = note(demo.student("mateo"), author, "Tapirword visit.")
    page = results(client_for("teacher.5"), q="tapirword", author=author.pk)
    assert f'<option value="{written.author_id}" selected>&lt;b&gt;Ann&lt;/b&gt; &amp; Co</option>' in page
    assert '<option value="">Anyone</option>' in page
    assert '<label for="id_author">Written by</label>' in page and 'id="id_author" name="author">' in page
    assert "<b>Ann" not in page
    assert "<mark>Tapirword</mark> visit" in page


def test_a_districtwide_educators_author_filter_offers_every_author_of_a_plain_note_and_no_other(demo):
    plain_author = demo.educator("teacher.k")
    restricted_only = Educator.objects.create_user("restricted.author@demo.insights.example", None, full_name="R. A.")
    note(demo.student("mateo"), plain_author, "Checked in.")
    note(demo.student("mateo"), restricted_only, "Family matter.", restricted=True)
    offered = set(note_authors(educator=demo.educator("district")))
    assert (plain_author.pk, plain_author.full_name) in offered
    assert restricted_only.pk not in {pk for pk, _ in offered}
    assert set(note_authors(educator=demo.educator("principal.baker"))) <= offered


def test_at_most_a_hundred_results(demo):
    teacher = demo.educator("teacher.5")
    for day in range(MAX_RESULTS + 5):
        note(demo.student("mateo"), teacher, "Platypusday check-in.", days_ago=day + 1)
    assert len(found_ids(teacher, "platypusday")) == MAX_RESULTS


def test_snippets_are_html_escaped_and_note_text_cannot_forge_a_mark(client_for, demo):
    note(
        demo.student("mateo"),
        demo.educator("teacher.5"),
        "Tom & Jerry <script>alert(1)</script> \ue000ibis\ue001 ibisword",
    )
    page = results(client_for("teacher.5"), q="ibisword")
    assert "<script>" not in page
    assert "Tom &amp; Jerry" in page
    assert " ibis <mark>ibisword</mark>" in page
    assert highlighted("a \ue000<b>\ue001 \ue001c") == "a <mark>&lt;b&gt;</mark> c"


def test_the_search_is_posted_and_recorded_by_students_and_notes_but_never_by_its_words(client_for, demo):
    written = note(demo.student("mateo"), demo.educator("teacher.5"), "Wombatwords practice.")
    client = client_for("teacher.5")
    assert "Wombatwords" not in client.get(SEARCH + "?q=wombatwords").content.decode()
    results(client, q="wombatwords")
    event = AccessEvent.objects.latest("id")
    assert event.student_ids == [demo.student("mateo").pk]
    assert event.object_ids == {"note": [written.pk]}
    assert "wombatwords" not in str([event.path, event.details, event.object_ids, event.action]).lower()


def test_a_search_page_says_what_to_do_when_empty(client_for, demo):
    client = client_for("teacher.5")
    assert "Type the words to look for in notes." in results(client, q=" ")
    assert "No note you can see matches." in results(client, q="nothingmatchesthisword")


def test_the_search_takes_the_same_number_of_queries_however_many_notes_match(client_for, demo):
    client = client_for("principal.baker")
    note(demo.student("mateo"), demo.educator("teacher.5"), "Lemurgarden visit.")
    results(client, q="lemurgarden")  # warm up: the session's first request stamps its activity time
    with CaptureQueriesContext(connection) as one:
        results(client, q="lemurgarden")
    for day in range(30):
        note(demo.student("mateo"), demo.educator("teacher.5"), "Lemurgarden visit.", days_ago=day + 2)
    with CaptureQueriesContext(connection) as many:
        results(client, q="lemurgarden")
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    assert len(one) == 13  # what the educator holds is looked up once (tests/pages/test_query_counts.py)


def test_the_notes_search_reads_the_partial_full_text_index(client_for, demo):
    with CaptureQueriesContext(connection) as queries:
        results(client_for("district"), q="zebra crossing")
    plan = plan_of_query_containing(
        queries, "ts_headline", tables=("students_eventnote", "students_student"), keeping=("note_text_search_idx",)
    )
    assert "note_text_search_idx" in plan, plan
