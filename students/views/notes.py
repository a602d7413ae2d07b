"""Taking and editing notes, showing a restricted note's text, the notes I wrote, and searching notes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from permissions.policy import can_view_restricted_notes
from students import selectors, services
from students.forms import NoteForm, NoteSearchForm
from students.selectors.note_search import MAX_RESULTS
from students.views.decorators import educator_page


def _profile_notes_url(student_id: int) -> str:
    return reverse("students:profile", args=[student_id]) + "#notes"


@educator_page("GET", "POST")
def note_create(request, student_id: int):
    student = selectors.student_for_form(educator=request.user, student_id=student_id)
    may_restrict = can_view_restricted_notes(request.user)
    form = NoteForm(request.POST if request.method == "POST" else None, may_restrict=may_restrict)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_create(author=request.user, student=student, **form.note_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Note saved.")
            return redirect(_profile_notes_url(student.pk))
    return render(request, "students/note_form.html", {"student": student, "form": form, "note": None})


@educator_page("GET", "POST")
def note_edit(request, student_id: int, note_id: int):
    found = selectors.note_for_editing(educator=request.user, student_id=student_id, note_id=note_id)
    note = found.note
    initial = {"note_type": note.note_type, "text": found.current_text, "is_restricted": note.is_restricted}
    form = NoteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        may_restrict=can_view_restricted_notes(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(editor=request.user, note=note, **form.note_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Note updated; the previous version was kept.")
            return redirect(_profile_notes_url(found.student.pk))
    return render(request, "students/note_form.html", {"student": found.student, "form": form, "note": note})


@educator_page("GET", "POST")
def restricted_note(request, student_id: int, note_id: int):
    """GET asks before showing (no text on the page); POST shows the text, as its own audited showing."""
    if request.method == "POST":
        student, note = selectors.restricted_note(educator=request.user, student_id=student_id, note_id=note_id)
        revealed = True
    else:
        student, note = selectors.restricted_note_heading(educator=request.user, student_id=student_id, note_id=note_id)
        revealed = False
    return render(request, "students/restricted_note.html", {"student": student, "note": note, "revealed": revealed})


@educator_page()
def my_notes(request):
    page = selectors.my_notes(educator=request.user, page=request.GET.get("page"))
    return render(request, "notes/my_notes.html", {"page_obj": page})


@educator_page("GET", "POST")
def note_search(request):
    """The words come by POST only, so they stay out of URLs, access logs and browser history."""
    authors = selectors.note_authors(educator=request.user)
    form = NoteSearchForm(request.POST if request.method == "POST" else None, authors=authors)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.note_search(educator=request.user, search=form.search())
    return render(request, "notes/search.html", {"form": form, "results": results, "limit": MAX_RESULTS})
