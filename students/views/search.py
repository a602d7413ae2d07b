"""Finding a student: a results page that works without JavaScript, and the type-ahead's JSON.

Both take the search text by POST so it never lands in a URL, an access log or browser history.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from students import selectors
from students.forms import SearchForm
from students.views.decorators import educator_page

TYPE_AHEAD_MINIMUM = 2
TYPE_AHEAD_RESULTS = 8
PAGE_RESULTS = 50


@educator_page("GET", "POST")
def search(request):
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.student_search(educator=request.user, text=form.cleaned_data["q"], limit=PAGE_RESULTS)
    return render(request, "search/results.html", {"form": form, "results": results, "limit": PAGE_RESULTS})


@educator_page("POST")
def search_suggestions(request):
    form = SearchForm(request.POST)
    if not form.is_valid() or len(form.cleaned_data["q"]) < TYPE_AHEAD_MINIMUM:
        return JsonResponse({"results": []})
    students = selectors.student_search(educator=request.user, text=form.cleaned_data["q"], limit=TYPE_AHEAD_RESULTS)
    return JsonResponse(
        {
            "results": [
                {
                    "name": student.full_name,
                    "detail": f"Grade {student.get_grade_display()} · {student.school.name}",
                    "url": reverse("students:profile", args=[student.pk]),
                }
                for student in students
            ]
        }
    )
