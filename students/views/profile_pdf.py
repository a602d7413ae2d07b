"""The profile PDF: a form choosing sections and dates, then the document, rendered on the server."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from insights.pdf import render_pdf
from permissions.policy import can_view_restricted_notes
from students import charts, selectors
from students.forms import ProfileDocumentForm
from students.views.decorators import educator_page


@educator_page("GET", "POST")
def profile_pdf(request, student_id: int):
    """The form (GET, or POST with errors), or the PDF; the document's selector is the only student
    lookup on a valid POST, and answers 404 for a student out of reach as the form's does."""
    form = ProfileDocumentForm(
        request.POST or None,
        may_include_restricted=can_view_restricted_notes(request.user),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        document = selectors.profile_document(
            educator=request.user, student_id=student_id, request=form.document_request()
        )
        pdf = render_pdf("students/profile_pdf.html", document_context(document, generated_by=request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"student-{document.student.pk}-profile-{document.generated_at:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    student = selectors.student_for_form(educator=request.user, student_id=student_id)
    return render(request, "students/profile_pdf_form.html", {"student": student, "form": form})


def document_context(document, *, generated_by) -> dict:
    """The template's context: the document, its charts for the sections chosen, and the footer."""
    start, end = document.request.start, document.request.end
    context = {
        "document": document,
        "student": document.student,
        "generated_by": generated_by.full_name,
        "generated_at": document.generated_at,
        "for_pdf": True,
    }
    if document.attendance is not None:
        context["attendance_chart"] = charts.attendance_chart(document.attendance)
    if document.includes("discipline"):
        context["incidents_chart"] = charts.incidents_chart(
            document.incidents, since=document.discipline_since or start, until=end
        )
    if document.includes("assessments"):
        context["star_chart"] = charts.star_chart(document.assessments)
        context["mcas_chart"] = charts.mcas_chart(document.assessments)
        context["access_chart"] = charts.access_chart(document.access_results)
    return context
