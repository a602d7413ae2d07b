"""A test-only URLconf: tiny views that report to the recorder, and an admin site holding student models.

The real pages are built elsewhere; these stand in for them so the recorder is tested on its own.
"""

from django.contrib import admin
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.urls import include, path

from audit.recorder import record_denied, record_objects, record_students, set_action
from insights import views as site_views
from students.models import EventNote, School, Student


def profile(request, student_id):
    record_students([student_id])
    return HttpResponse("profile")


def roster(request):
    record_students([3, 1, 2, 1])
    record_objects("note", [7])
    return HttpResponse("roster")


def note_saved(request, student_id):
    record_students([student_id], kind="changed")
    record_objects("note", [8])
    return HttpResponse("saved")


def export(request):
    record_students([4, 5], kind="exported")
    return HttpResponse("a,b")


def renamed(request):
    set_action("students:profile_print")
    record_students([6])
    return HttpResponse("print")


def denied(request):
    record_denied()
    raise Http404("Not found.")


def broken(request):
    record_students([9])
    raise RuntimeError("the view failed")


def school_opened(request):
    School.objects.create(local_id="NEW", name="New School", school_type="ES")
    record_objects("school", ["NEW"])
    return HttpResponse("opened")


def school_opened_then_broken(request):
    School.objects.create(local_id="NEW", name="New School", school_type="ES")
    record_objects("school", ["NEW"])
    raise RuntimeError("the view failed after writing")


def plain(request):
    return HttpResponse("nothing about students")


def fake_admin_page(request):
    return HttpResponse("not a model")


# The site's error pages link to pages these tests do not load.
def handler404(request, exception):
    return HttpResponseNotFound("not found")


def handler500(request):
    return HttpResponseServerError("error")


test_admin_site = admin.AdminSite(name="test_admin")
test_admin_site.register(Student, search_fields=["last_name"])
test_admin_site.register(EventNote, autocomplete_fields=["student"])
test_admin_site.register(School)

urlpatterns = [
    path("t/students/<int:student_id>/", profile, name="test_profile"),
    path("t/roster/", roster, name="test_roster"),
    path("t/students/<int:student_id>/note/", note_saved, name="test_note_saved"),
    path("t/export/", export, name="test_export"),
    path("t/print/", renamed, name="test_print"),
    path("t/denied/", denied, name="test_denied"),
    path("t/broken/", broken, name="test_broken"),
    path("t/plain/", plain, name="test_plain"),
    path("t/schools/open/", school_opened, name="test_school_opened"),
    path("t/schools/open-and-fail/", school_opened_then_broken, name="test_school_opened_then_broken"),
    path("test-admin/", test_admin_site.urls),
    path("fake-admin/", include(([path("x/", fake_admin_page, name="nowhere_nothing_change")], "admin"), "fake")),
    # The site's own pages the sign-in middleware links to, and the real admin (with the audit reports).
    path("healthz", site_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
