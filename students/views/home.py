"""The home page: recent notes about my students, students who may need attention, birthdays."""

from django.shortcuts import render

from students import selectors
from students.views.decorators import educator_page


@educator_page()
def home(request):
    page = selectors.home_page(educator=request.user, notes_page=request.GET.get("notes", 1))
    return render(request, "home.html", {"page": page})
