"""The parameters of each audit report, validated the same way for the admin pages and the commands.

The admin lists the reports named in ``settings.AUDIT_REPORT_FORMS``: these, and those of apps that
know the district's organisation (students/audit_reports.py).
"""

import abc
import datetime
import ipaddress
from typing import ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string

from audit import reports
from audit.subjects import Subject, SubjectNotFound, find_subjects, resolve_subject


class ReportForm(forms.Form):
    """One report's parameters: its name in the audit log, its title, and the report it runs."""

    name: ClassVar[str]
    title: ClassVar[str]

    def parameters(self) -> dict:
        """The cleaned parameters as JSON-ready values, for the audit event."""
        return {
            key: value.isoformat() if isinstance(value, datetime.date) else value
            for key, value in self.cleaned_data.items()
        }

    @abc.abstractmethod
    def report(self) -> reports.Report:
        """Run the report on the cleaned parameters."""


class WindowForm(ReportForm):
    """A report over the days ``since`` to ``until``, both included, in the district's time zone."""

    since = forms.DateField(help_text="First day (YYYY-MM-DD).")
    until = forms.DateField(help_text="Last day, included (YYYY-MM-DD).")

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            raise forms.ValidationError("The last day comes before the first day.")
        return cleaned

    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        return reports.window(self.cleaned_data["since"], self.cleaned_data["until"])


STUDENT_HELP = "The SIS local id (as on the student's profile and report card), the state id, or the name."


class StudentAccessForm(ReportForm):
    """Who saw one student's data; the student is named by SIS local id or name, never by a bare row number."""

    name = "student_access"
    title = "Student access"
    student = forms.CharField(max_length=200, label="Student", help_text=STUDENT_HELP)

    def clean_student(self) -> Subject:
        try:
            return resolve_subject(self.cleaned_data["student"])
        except SubjectNotFound as error:
            raise forms.ValidationError(str(error)) from None

    def parameters(self) -> dict:
        # The student's id, never the text typed: a name typed into a form is not kept in the log.
        return {"student": self.cleaned_data["student"].pk}

    def report(self) -> reports.Report:
        subject = self.cleaned_data["student"]
        return reports.student_access(student_id=subject.pk, label=subject.label)


class StudentLookupForm(ReportForm):
    """Find a student by SIS local id, state id or name: the privacy officer's only view of who a student is."""

    name = "student_lookup"
    title = "Find a student"
    student = forms.CharField(max_length=200, label="Student", help_text=STUDENT_HELP)

    def clean_student(self) -> list[Subject]:
        found = find_subjects(self.cleaned_data["student"])
        if not found:
            raise forms.ValidationError("No student has that SIS local id, state id or name.")
        return found

    def parameters(self) -> dict:
        return {"matches": len(self.cleaned_data["student"])}

    def report(self) -> reports.Report:
        found = self.cleaned_data["student"]
        return reports.Report(
            title=self.title,
            columns=("SIS local id", "name", "school, grade and enrollment", "Insights id"),
            rows=[(subject.local_id, subject.name, subject.description, subject.pk) for subject in found],
            student_ids=[subject.pk for subject in found],
        )


class BreachScopeForm(WindowForm):
    name = "breach_scope"
    title = "Breach scope"
    account = forms.EmailField(required=False, help_text="The email of the account that was misused.")
    network = forms.CharField(required=False, max_length=50, help_text="An IP range such as 203.0.113.0/24.")

    def clean_account(self):
        email = self.cleaned_data["account"].strip().lower()
        user_model = get_user_model()
        if email and not user_model.objects.filter(email=user_model.normalize_username(email)).exists():
            raise forms.ValidationError("No educator has that email address.")
        return email or None

    def clean_network(self):
        value = self.cleaned_data["network"].strip()
        if not value:
            return None
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise forms.ValidationError("Enter an IP address or a range such as 203.0.113.0/24.") from None

    def clean(self):
        cleaned = super().clean()
        given = cleaned.get("account") or cleaned.get("network")
        if not given and not self.has_error("account") and not self.has_error("network"):
            raise forms.ValidationError("Give an account, a network range, or both.")
        return cleaned

    def report(self) -> reports.Report:
        since, until = self.window()
        return reports.breach_scope(
            account_email=self.cleaned_data["account"], network=self.cleaned_data["network"], since=since, until=until
        )


class SignInActivityForm(WindowForm):
    name = "sign_in_activity"
    title = "Sign-in activity"

    def report(self) -> reports.Report:
        since, until = self.window()
        return reports.sign_in_activity(since=since, until=until)


def report_forms() -> dict[str, type[ReportForm]]:
    """URL slug -> report form, in the order the admin lists them (``settings.AUDIT_REPORT_FORMS``)."""
    return {slug: import_string(path) for slug, path in settings.AUDIT_REPORT_FORMS.items()}
