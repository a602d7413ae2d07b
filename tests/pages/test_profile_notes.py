"""The profile's list of notes: each note's kind, day, author and edits; its text escaped; an edit link for
its author only (for a restricted note, only while the author holds the restricted-notes permission); and
for a restricted note, a form to show it (with its CSRF token) or a plain statement that it is restricted."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from students.models import EventNote, EventNoteRevision

pytestmark = pytest.mark.django_db

RECORDED_AT = timezone.make_aware(datetime.datetime(2026, 10, 20, 15, 49), datetime.UTC)


def note_about(student, author, **fields) -> EventNote:
    return EventNote.objects.create(
        **{"recorded_at": timezone.now(), **fields}, student=student, author=author, note_type="parent"
    )


def article_of(page: str, note: EventNote) -> str:
    """The HTML of one note's article: from the first mention of its address to the article's end."""
    start = page.rindex('<article class="note', 0, page.index(f"/notes/{note.pk}/"))
    return page[start : page.index("</article>", start)]


def test_a_note_shows_its_kind_day_author_revisions_and_escaped_text(client_for, demo):
    mateo, author = demo.student("mateo"), demo.educator("teacher.5")
    note = note_about(mateo, author, text="Reading <b>much</b> better & happier.", recorded_at=RECORDED_AT)
    for revision in range(2):
        EventNoteRevision.objects.create(
            note=note, note_type="parent", text=f"Draft {revision}.", recorded_at=RECORDED_AT, revised_by=author
        )
    page = client_for("teacher.5").get(reverse("students:profile", args=[mateo.pk]) + "?history=all").content.decode()
    article = article_of(page, note)
    local = timezone.localtime(RECORDED_AT)
    assert f'aria-label="Parent conversation, {local:%b} {local.day}, {local.year}"' in article
    assert f'<time datetime="{local.isoformat()}">{local:%b} {local.day}, {local.year}</time>' in article
    assert f"by {author.full_name}" in article
    assert "edited 2 times" in article
    assert '<p class="text">Reading &lt;b&gt;much&lt;/b&gt; better &amp; happier.</p>' in article


def test_only_the_author_gets_an_edit_link(client_for, demo):
    mateo = demo.student("mateo")
    note = note_about(mateo, demo.educator("teacher.5"), text="Asked about the field trip.")
    edit = f'href="{reverse("students:note_edit", args=[mateo.pk, note.pk])}"'
    profile = reverse("students:profile", args=[mateo.pk])
    assert edit in client_for("teacher.5").get(profile).content.decode()
    assert edit not in client_for("principal.baker").get(profile).content.decode()


def test_a_restricted_notes_author_gets_an_edit_link_only_while_holding_the_permission(client_for, demo):
    mateo = demo.student("mateo")
    profile = reverse("students:profile", args=[mateo.pk])
    for key, may_view_restricted in (("counselor.baker", True), ("teacher.5", False)):
        note = note_about(mateo, demo.educator(key), restricted_text="Private.", is_restricted=True)
        edit = f'href="{reverse("students:note_edit", args=[mateo.pk, note.pk])}"'
        page = client_for(key).get(profile).content.decode()
        assert (edit in page) is may_view_restricted, key


def test_a_restricted_note_offers_a_form_with_its_csrf_token_to_holders_of_the_permission(demo):
    mateo = demo.student("mateo")
    note = note_about(mateo, demo.educator("counselor.baker"), restricted_text="Private.", is_restricted=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.educator("principal.baker"))
    page = client.get(reverse("students:profile", args=[mateo.pk])).content.decode()
    article = article_of(page, note)
    assert '<span class="badge restricted">Restricted</span>' in article
    showing = reverse("students:restricted_note", args=[mateo.pk, note.pk])
    assert f'<form method="post" action="{showing}"' in article
    token = article.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(showing, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Private." in response.content.decode()
