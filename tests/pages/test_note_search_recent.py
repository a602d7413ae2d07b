"""A districtwide notes search with more matches than it ranks: the best of the most recent, said on the page;
with fewer, every match ranked, as for everyone else."""

import importlib

import pytest
from django.urls import reverse
from django.utils import timezone

from students.selectors.note_search import NoteSearch, note_search
from tests.pages.test_note_search import SEARCH, note

pytestmark = pytest.mark.django_db

# The module, not the function of the same name that students.selectors exports.
search_module = importlib.import_module("students.selectors.note_search")

RANKED = 3


@pytest.fixture
def okapi_notes(demo, monkeypatch):
    """Five recent notes naming the word once, and an older one naming it three times (the best match);
    a restricted and a Riverside one as recent, and the search ranking only the 3 most recent matches."""
    monkeypatch.setattr(search_module, "RANKED_MATCHES", RANKED)
    mateo, author = demo.student("mateo"), demo.educator("counselor.baker")
    recent = [note(mateo, author, f"Okapiword visit {day}.", days_ago=day) for day in range(1, 6)]
    best = note(mateo, author, "Okapiword okapiword okapiword.", days_ago=40)
    note(mateo, author, "Okapiword secret.", days_ago=0, restricted=True)
    return recent, best


def search(demo, key: str, **filters):
    return note_search(educator=demo.educator(key), search=NoteSearch(text="okapiword", **filters))


def test_with_more_matches_than_it_ranks_the_best_of_the_most_recent_are_shown(demo, okapi_notes):
    recent, best = okapi_notes
    results = search(demo, "district")
    assert results.recent_only
    assert [hit.note.pk for hit in results.hits] == [note.pk for note in recent[:RANKED]]
    assert best.pk not in {hit.note.pk for hit in results.hits}


def test_the_page_says_only_the_most_recent_matches_were_ranked(client_for, demo, okapi_notes):
    page = client_for("district").post(SEARCH, {"q": "okapiword"}).content.decode()
    assert f"More than {RANKED} notes match: these are the best of the {RANKED} most recent." in page
    assert f'href="{reverse("students:profile", args=[demo.student("mateo").pk])}#notes"' in page
    assert "secret" not in page


def test_when_the_walk_finds_too_few_every_match_is_ranked(demo, okapi_notes, monkeypatch):
    recent, best = okapi_notes
    monkeypatch.setattr(search_module, "SEARCH_WALK_NOTES", 2)  # the district's two newest notes: too few
    results = search(demo, "district")
    assert not results.recent_only
    assert [hit.note.pk for hit in results.hits] == [best.pk, *(note.pk for note in recent)]


def test_with_no_more_matches_than_it_ranks_every_match_is_ranked(demo, okapi_notes):
    recent, best = okapi_notes
    results = search(demo, "district", recorded_from=timezone.localdate(recent[2].recorded_at))  # three match
    assert not results.recent_only
    assert [hit.note.pk for hit in results.hits] == [note.pk for note in recent[:3]]


def test_the_walk_keeps_the_searchs_filters_and_dates(demo, okapi_notes):
    recent, best = okapi_notes
    dated = search(demo, "district", recorded_to=timezone.localdate(recent[1].recorded_at))
    assert dated.recent_only
    assert [hit.note.pk for hit in dated.hits] == [note.pk for note in recent[1 : 1 + RANKED]]
    other = note(demo.student("mateo"), demo.educator("teacher.5"), "Okapiword drill.", days_ago=1)
    results = search(demo, "district", author_id=demo.educator("counselor.baker").pk)
    assert results.recent_only
    assert [hit.note.pk for hit in results.hits] == [note.pk for note in recent[:RANKED]]
    assert other.pk in {hit.note.pk for hit in search(demo, "district").hits}


def test_an_educator_who_is_not_districtwide_has_every_match_ranked(demo, okapi_notes):
    recent, best = okapi_notes
    results = search(demo, "principal.baker")
    assert not results.recent_only
    assert [hit.note.pk for hit in results.hits][0] == best.pk
