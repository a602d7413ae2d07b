"""Forms for the pages: validation at the edge, with messages a person can act on.

Forms only validate and turn input into values; writes go through students.services and reads
through students.selectors.
"""

import datetime
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from students.models import NoteType, ServiceType
from students.models.grades import GRADE_CHOICES
from students.selectors import ABSENCE_BUCKETS, INCIDENT_BUCKETS, RosterFilters
from students.selectors._shared import current_school_year_start
from students.selectors.dashboards import DashboardChoices, DashboardFilters, default_filters
from students.selectors.note_search import MAX_SEARCH_LENGTH, NoteSearch, earliest_searchable_day
from students.selectors.profile_document import DOCUMENT_SECTIONS, DocumentRequest
from students.selectors.rosters import ROSTER_SORT_LABELS
from students.selectors.search import MAX_QUERY_LENGTH
from students.services import MAX_NOTE_LENGTH


class PageForm(forms.Form):
    """Labels without Django's trailing colon: they read as plain words ("Note", not "Note:")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NoteForm(PageForm):
    note_type = forms.ChoiceField(
        label="Kind of note",
        choices=[("", "Choose…"), *NoteType.choices],
        error_messages={"required": "Choose what kind of note this is."},
    )
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_NOTE_LENGTH,
        error_messages={
            "required": "Write the note before saving it.",
            "max_length": f"A note can be at most {MAX_NOTE_LENGTH:,} characters.",
        },
    )
    is_restricted = forms.BooleanField(
        label="Restricted",
        required=False,
        help_text="Only educators allowed to read restricted notes will see the text; others see that a note exists.",
    )

    def __init__(self, *args, may_restrict: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_restrict:
            del self.fields["is_restricted"]

    def note_values(self) -> dict:
        return {
            "note_type": self.cleaned_data["note_type"],
            "text": self.cleaned_data["text"],
            "is_restricted": self.cleaned_data.get("is_restricted", False),
        }


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceForm(PageForm):
    service_type = forms.ChoiceField(
        label="Service",
        choices=[("", "Choose…"), *ServiceType.choices],
        error_messages={"required": "Choose the kind of service."},
    )
    provided_by = forms.CharField(label="Provider", max_length=200, required=False, help_text="A person or program.")
    date_started = forms.DateField(
        label="Start date",
        widget=DateInput,
        error_messages={"required": "Give the date the service started.", "invalid": "Enter a date like 2026-09-15."},
    )
    estimated_end_date = forms.DateField(
        label="Estimated end date",
        widget=DateInput,
        required=False,
        error_messages={"invalid": "Enter a date like 2026-12-15."},
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if not self.is_bound:
            self.initial.setdefault("date_started", today)

    def clean_date_started(self):
        started = self.cleaned_data["date_started"]
        if started > self.today + datetime.timedelta(days=366):
            self.add_error("date_started", "The start date is more than a year away; check the year.")
        return started

    def clean(self):
        cleaned = super().clean()
        started, ends = cleaned.get("date_started"), cleaned.get("estimated_end_date")
        if started and ends and ends < started:
            self.add_error("estimated_end_date", "The estimated end date cannot be before the start date.")
        return cleaned

    def service_values(self) -> dict:
        return {
            "service_type": self.cleaned_data["service_type"],
            "provided_by": self.cleaned_data["provided_by"],
            "date_started": self.cleaned_data["date_started"],
            "estimated_end_date": self.cleaned_data["estimated_end_date"],
        }


YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class RosterFilterForm(PageForm):
    """The school roster's filters (a GET form: filtered pages can be bookmarked and shared)."""

    grade = forms.ChoiceField(label="Grade", required=False)
    homeroom = forms.TypedChoiceField(label="Homeroom", required=False, coerce=int, empty_value=None)
    sped = forms.ChoiceField(label="Special education", choices=YES_NO, required=False)
    plan_504 = forms.ChoiceField(label="504 plan", choices=YES_NO, required=False)
    english_learner = forms.ChoiceField(
        label="English learner",
        required=False,
        choices=[("", "Any"), ("yes", "Yes, learning English now"), ("former", "Former English learner"), ("no", "No")],
    )
    absences = forms.ChoiceField(
        label="Absences this year",
        required=False,
        choices=[("", "Any"), *((key, label) for key, (label, _low, _high) in ABSENCE_BUCKETS.items())],
    )
    incidents = forms.ChoiceField(
        label="Incidents this year",
        required=False,
        choices=[("", "Any"), *((key, label) for key, (label, _low, _high) in INCIDENT_BUCKETS.items())],
    )
    include_inactive = forms.BooleanField(label="Include students no longer enrolled", required=False)
    sort = forms.ChoiceField(label="Sort by", choices=list(ROSTER_SORT_LABELS.items()), required=False)

    def __init__(self, *args, grades: list[str], homerooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.grades, self.homerooms = grades, homerooms
        labels = dict(GRADE_CHOICES)
        self.fields["grade"].choices = [("", "Any"), *((grade, labels[grade]) for grade in grades)]
        self.fields["homeroom"].choices = [("", "Any"), *((homeroom.pk, homeroom.name) for homeroom in homerooms)]

    def show_counts(self, counts: dict[str, dict[str, int]]) -> None:
        """Label each choice with how many students it keeps: "Grade 3 (42)"; "Any" stays as it is."""
        for name, per_choice in counts.items():
            field = self.fields[name]
            field.choices = [
                (value, f"{label} ({per_choice[str(value)]:,})" if str(value) in per_choice else label)
                for value, label in field.choices
            ]

    def filters(self) -> RosterFilters:
        """The validated filters; call after is_valid() (invalid fields count as "any")."""
        data = self.cleaned_data

        def yes_no(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(data.get(name) or "")

        return RosterFilters(
            grade=data.get("grade") or "",
            homeroom_id=data.get("homeroom"),
            sped=yes_no("sped"),
            plan_504=yes_no("plan_504"),
            english_learner=data.get("english_learner") or "",
            absences=data.get("absences") or "",
            incidents=data.get("incidents") or "",
            sort=data.get("sort") or "name",
            active_only=not data.get("include_inactive"),
        )


class SearchForm(PageForm):
    q = forms.CharField(
        label="Find a student",
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "required": "Type part of a name or a student id.",
            "max_length": f"Search for at most {MAX_QUERY_LENGTH} characters.",
        },
    )


def option_tags(choices, chosen: str, layout: str = "{}") -> str:
    """A single select's ``<option>`` tags, written with string formatting, every value escaped, the first
    whose value is ``chosen`` selected (as Django's Select marks it); each tag laid out by ``layout``.
    Django's per-option templates took seconds for a district's 13,000 note authors."""
    tags, found = [], False
    for value, text in choices:
        mark = ""
        if not found and str(value) == chosen:
            mark, found = " selected", True
        tags.append(layout.format(f'<option value="{escape(str(value))}"{mark}>{escape(str(text))}</option>'))
    return "".join(tags)


class LongSelect(forms.Select):
    """A select of many plain options (a district's thousands of note authors), its options written by
    ``option_tags``."""

    def render(self, name, value, attrs=None, renderer=None):
        options = option_tags(self.choices, "" if value is None else str(value))
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attributes}>{options}</select>")  # noqa: S308 (flatatt escapes; so does escape)


class NoteSearchForm(PageForm):
    """The notes search (posted, so the words never reach a URL): words, then optional filters."""

    wide_fields = ("q",)

    q = forms.CharField(
        label="Words to find",
        max_length=MAX_SEARCH_LENGTH,
        strip=True,
        help_text='Quote a phrase ("late bus"); a minus leaves a word out (reading -math); '
        '"or" between words finds either.',
        error_messages={
            "required": "Type the words to look for in notes.",
            "max_length": f"Search for at most {MAX_SEARCH_LENGTH} characters.",
        },
    )
    note_type = forms.ChoiceField(label="Kind of note", choices=[("", "Any"), *NoteType.choices], required=False)
    grade = forms.ChoiceField(label="Grade", choices=[("", "Any"), *GRADE_CHOICES], required=False)
    author = forms.TypedChoiceField(label="Written by", required=False, coerce=int, empty_value=None, widget=LongSelect)
    recorded_from = forms.DateField(
        label="From", widget=DateInput, required=False, error_messages={"invalid": "Enter a date like 2026-09-15."}
    )
    recorded_to = forms.DateField(
        label="To", widget=DateInput, required=False, error_messages={"invalid": "Enter a date like 2026-12-15."}
    )

    def __init__(self, *args, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", "Anyone"), *authors]
        self.earliest = earliest_searchable_day()
        self.fields["recorded_from"].help_text = f"Notes reach back four years, to {self.earliest:%Y-%m-%d}."

    def clean_recorded_from(self):
        start = self.cleaned_data["recorded_from"]
        if start and start < self.earliest:
            raise forms.ValidationError(
                f"Notes can be searched four years back at most: choose {self.earliest:%Y-%m-%d} or later."
            )
        return start

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("recorded_from"), cleaned.get("recorded_to")
        if start and end and end < start:
            self.add_error("recorded_to", "The end date cannot be before the start date.")
        return cleaned

    def search(self) -> NoteSearch:
        """The validated search; call after is_valid()."""
        data = self.cleaned_data
        return NoteSearch(
            text=data["q"],
            note_type=data["note_type"],
            grade=data["grade"],
            author_id=data["author"],
            recorded_from=data["recorded_from"],
            recorded_to=data["recorded_to"],
        )


EXCUSED_CHOICES = [("", "Any"), ("yes", "Excused"), ("no", "Not excused")]


class DashboardFilterForm(PageForm):
    """A school dashboard's filters (GET: a filtered dashboard can be bookmarked and shared).

    Empty dates mean this school year so far; invalid fields are reported and count as "any".
    """

    grade = forms.ChoiceField(label="Grade", required=False)
    homeroom = forms.TypedChoiceField(label="Homeroom", required=False, coerce=int, empty_value=None)
    house = forms.ChoiceField(label="House", required=False)
    counselor = forms.TypedChoiceField(label="Counselor", required=False, coerce=int, empty_value=None)
    since = forms.DateField(label="From", widget=DateInput, required=False)
    until = forms.DateField(label="To", widget=DateInput, required=False)
    excused = forms.ChoiceField(label="Excused", choices=EXCUSED_CHOICES, required=False)

    def __init__(self, *args, choices: DashboardChoices, has_excused: bool, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(GRADE_CHOICES)
        self.fields["grade"].choices = [("", "Any"), *((grade, labels[grade]) for grade in choices.grades)]
        self.fields["homeroom"].choices = [("", "Any"), *((room.pk, room.name) for room in choices.homerooms)]
        self.fields["counselor"].choices = [
            ("", "Any"),
            *((person.pk, person.full_name) for person in choices.counselors),
        ]
        if choices.houses:
            self.fields["house"].choices = [("", "Any"), *((house, house) for house in choices.houses)]
        else:
            del self.fields["house"]
        if not has_excused:
            del self.fields["excused"]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date cannot be before the start date.")
        return cleaned

    def filters(self) -> DashboardFilters:
        """The validated filters; call after is_valid()."""
        data = self.cleaned_data if self.is_bound else {}
        defaults = default_filters()
        since = data.get("since") or defaults.since
        until = data.get("until") or defaults.until
        if until < since:
            since, until = defaults.since, defaults.until
        return DashboardFilters(
            since=since,
            until=until,
            grade=data.get("grade") or "",
            homeroom_id=data.get("homeroom"),
            house=data.get("house") or "",
            counselor_id=data.get("counselor"),
            excused={"yes": True, "no": False}.get(data.get("excused") or ""),
        )


# The earliest first day a profile PDF may start from: older records are not kept in Insights.
EARLIEST_DOCUMENT_DAY = datetime.date(2000, 1, 1)


class ProfileDocumentForm(PageForm):
    """What goes into a student's PDF: sections, a date range, and restricted text for those allowed."""

    wide_fields = ("sections",)

    sections = forms.MultipleChoiceField(
        label="Sections",
        choices=list(DOCUMENT_SECTIONS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one section to include."},
    )
    start = forms.DateField(
        label="From",
        widget=DateInput,
        error_messages={"required": "Give the first day.", "invalid": "Enter a date like 2026-09-01."},
    )
    end = forms.DateField(
        label="To",
        widget=DateInput,
        error_messages={"required": "Give the last day.", "invalid": "Enter a date like 2026-12-01."},
    )
    include_restricted = forms.BooleanField(
        label="Include the text of restricted notes",
        required=False,
        help_text="Only if the reader of this document may read them. Each restricted note printed is recorded.",
    )

    def __init__(self, *args, may_include_restricted: bool, today: datetime.date, **kwargs):
        initial = {"sections": list(DOCUMENT_SECTIONS), "start": current_school_year_start(today), "end": today}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.today = today
        if not may_include_restricted:
            del self.fields["include_restricted"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and start < EARLIEST_DOCUMENT_DAY:
            self.add_error("start", f"Choose {EARLIEST_DOCUMENT_DAY:%Y-%m-%d} or later.")
        if end and end > self.today:
            self.add_error("end", "The last day cannot be in the future.")
        if start and end and end < start:
            self.add_error("end", "The last day cannot be before the first day.")
        return cleaned

    def document_request(self) -> DocumentRequest:
        """The validated choices; call after is_valid()."""
        data = self.cleaned_data
        chosen = set(data["sections"])
        return DocumentRequest(
            sections=tuple(key for key in DOCUMENT_SECTIONS if key in chosen),
            start=data["start"],
            end=data["end"],
            include_restricted=data.get("include_restricted", False),
        )
