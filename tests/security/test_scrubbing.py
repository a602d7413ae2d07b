"""The scrubber removes remembered student values and personal-looking patterns from any text or event."""

import contextvars
import datetime

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from hypothesis import assume, given
from hypothesis import strategies as st

from insights import scrubbing
from insights.middleware import ScrubbingMiddleware
from insights.scrubbing import remember_student, remember_values, scrub_breadcrumb, scrub_event, scrub_text
from students.models import Student

REPLACEMENTS = ["[redacted]", "?[query]", "[email]", "[phone]", "[date]", "[number]", "[Filtered]"]


def a_student(**fields) -> Student:
    """An unsaved student: the scrubber reads only the fields it was given."""
    return Student(**{"first_name": "Anaïs", "last_name": "Quintero", "local_id": "LX-4417", **fields})


def all_strings(value) -> list[str]:
    """Every string in a (scrubbed) event, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [*all_strings(key), *all_strings(item)]]
    if isinstance(value, list | tuple):
        return [text for item in value for text in all_strings(item)]
    return []


# --- scrub_text: remembered values ---------------------------------------------------------------


def test_a_remembered_student_is_removed_from_text_whatever_the_case(fresh_collection):
    remember_student(a_student(state_id="SASID-7731Q", guardian_name="Marisol Vásquez"))

    text = "Saved ANAÏS quintero (LX-4417, sasid-7731q); guardian Marisol Vásquez; Quintero, Anaïs"

    assert scrub_text(text) == "Saved [redacted] ([redacted], [redacted]); guardian [redacted]; [redacted]"


def test_a_remembered_value_is_only_removed_as_a_whole_word(fresh_collection):
    remember_student(a_student(first_name="Li", last_name="Ng"))

    assert scrub_text("list of strings for Li Ng, Ng-Li") == "list of strings for [redacted], [redacted]-[redacted]"


def test_a_value_starting_or_ending_in_punctuation_is_removed_even_inside_a_word(fresh_collection):
    remember_values("(x)")

    assert scrub_text("a(x)b") == "a[redacted]b"


def test_the_longest_remembered_value_wins_where_several_start(fresh_collection):
    remember_values("Ann", "Ann Lee-Smith")

    assert scrub_text("Ann Lee-Smith and Ann") == "[redacted] and [redacted]"


def test_a_date_of_birth_is_removed_in_every_format_it_gets_printed_in(fresh_collection):
    born = datetime.date(2011, 4, 9)
    remember_student(a_student(date_of_birth=born))
    remembered = ["2011-04-09", "04/09/2011", "4/9/2011", "April 9, 2011"]
    by_pattern = ["04/09/11", "Apr. 9, 2011", "9 April 2011", "09/04/2011", "04-09-2011", repr(born), "20110409"]

    assert [scrub_text(f"born {text}.") for text in remembered] == ["born [redacted]."] * len(remembered)
    assert [text for text in by_pattern if text in scrub_text(f"born {text}.")] == []


def test_a_date_of_birth_from_values_is_removed_as_given(fresh_collection):
    remember_student({"first_name": "Tobiah", "date_of_birth": "2010-11-23"})

    assert scrub_text("Tobiah 2010-11-23") == "[redacted] [redacted]"


def test_contact_details_are_removed_whole_and_in_parts(fresh_collection):
    remember_student(
        a_student(
            primary_email="anais.qv@familymail.example",
            primary_phone="(617) 555-0142",
            address="41 Wrenfield Terrace, Apt 3\nSomerville, MA 02144",
        )
    )

    assert scrub_text("mail anais.qv, call 6175550142, at 41 Wrenfield Terrace in Somerville") == (
        "mail [redacted], call [redacted], at [redacted] in [redacted]"
    )


def test_only_loaded_fields_are_read_so_deferred_students_cost_no_queries(fresh_collection):
    student = a_student()
    student.pk = 7
    del student.__dict__["local_id"]  # as `.only(...)` leaves it: deferred

    remember_student(student)  # touching local_id would query the database, which this test may not use

    assert scrub_text("Anaïs") == "[redacted]"


def test_long_text_is_removed_by_line_and_by_sentence_too(fresh_collection):
    remember_values("Met with mom today. She is worried!\nFollow up on Friday.", None, "", "x")

    assert scrub_text("note: She is worried!") == "note: [redacted]"
    assert scrub_text("Follow up on Friday.") == "[redacted]"
    assert scrub_text("x marks the spot") == "x marks the spot"  # single characters identify no one


def test_case_folding_that_changes_length_still_matches(fresh_collection):
    remember_values("İlker")

    assert scrub_text("Hello İLKER!") == "Hello [redacted]!"


def test_each_request_through_the_middleware_starts_empty_and_leaves_nothing_behind():
    seen = []

    def view(request):
        seen.append(scrub_text("Zebulon"))
        remember_values("Zebulon")
        seen.append(scrub_text("Zebulon"))
        return HttpResponse()

    def two_requests_then_a_log_line():
        middleware = ScrubbingMiddleware(view)
        middleware(RequestFactory().get("/"))
        middleware(RequestFactory().get("/"))
        return scrub_text("Zebulon")

    assert contextvars.Context().run(two_requests_then_a_log_line) == "Zebulon"
    assert seen == ["Zebulon", "[redacted]", "Zebulon", "[redacted]"]


def test_the_scrubbing_middleware_runs_right_after_authentication(settings):
    middleware = settings.MIDDLEWARE
    authentication = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")

    assert middleware[authentication + 1] == "insights.middleware.ScrubbingMiddleware"


def test_values_are_forgotten_when_the_collection_ends():
    with scrubbing.collection():
        remember_values("Zebulon")
        assert scrub_text("Zebulon") == "[redacted]"

    with scrubbing.collection():
        assert scrub_text("Zebulon") == "Zebulon"


def test_outside_any_collection_values_are_remembered_for_the_current_context():
    def command_run():
        remember_values("Zebulon")
        return scrub_text("Zebulon ran")

    assert contextvars.Context().run(command_run) == "[redacted] ran"
    assert contextvars.Context().run(scrub_text, "Zebulon ran") == "Zebulon ran"


# --- scrub_text: generic patterns ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("GET /students/?q=Ana+Lopez&page=2 HTTP/1.1", "GET /students/?[query] HTTP/1.1"),
        ("mail ana.lopez+school@mail.example.org now", "mail [email] now"),
        ("call (617) 555-0142 or 617-555-0142 or +1 617.555.0142", "call [phone] or [phone] or [phone]"),
        ("call +44 20 7946 0958 or 555-0142", "call [phone] or [phone]"),
        ("on 2011-04-09, 4/9/2011, 04-09-2011 and 4/9/11", "on [date], [date], [date] and [date]"),
        ("born April 9th, 2011 or 9 Apr 2011", "born [date] or [date]"),
        ("born datetime.date(2011, 4, 9)", "born datetime.[date]"),
        ("id 1234567 but not 1234", "id [number] but not 1234"),
        ("Why? Because.", "Why? Because."),
    ],
)
def test_personal_looking_patterns_are_removed_without_being_remembered(text, scrubbed):
    assert contextvars.Context().run(scrub_text, text) == scrubbed


# --- scrub_event and scrub_breadcrumb ------------------------------------------------------------


def test_every_part_of_an_event_is_scrubbed_but_its_shape_and_identifiers_are_kept(fresh_collection):
    remember_student(a_student(state_id="4417"))
    event = {
        "event_id": "0123456789abcdef0123456789abcdef",
        "timestamp": "2026-01-05T10:00:00.123456Z",
        "release": "1234567890",
        "level": "error",
        "message": "Anaïs failed",
        "logentry": {"message": "Saving %s", "params": ["LX-4417", 4417, 12345678, 42, 1.5, None, True]},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "Cannot save Anaïs Quintero",
                    "stacktrace": {
                        "frames": [{"filename": "x.py", "function": "f", "lineno": 12345, "vars": {"name": "Anaïs"}}]
                    },
                }
            ]
        },
        "contexts": {"trace": {"trace_id": "0123456789abcdef0123456789abcdef", "span_id": "not-an-id Anaïs"}},
        "extra": {"Anaïs": {"password": "hunter2", "born": datetime.date(2011, 4, 9)}},
        "tags": {"student": "Quintero"},
        "user": {"id": "7", "email": "educator@district.example"},
        "server_name": "web.1",
    }

    scrubbed = scrub_event(event, {})

    assert scrubbed["event_id"] == event["event_id"]
    assert scrubbed["timestamp"] == event["timestamp"]
    assert scrubbed["release"] == "1234567890"
    assert scrubbed["message"] == "[redacted] failed"
    assert scrubbed["logentry"]["params"] == ["[redacted]", "[redacted]", "[number]", 42, 1.5, None, True]
    exception = scrubbed["exception"]["values"][0]
    assert exception["value"] == "Cannot save [redacted]"
    assert exception["stacktrace"]["frames"] == [{"filename": "x.py", "function": "f", "lineno": 12345}]
    assert scrubbed["contexts"]["trace"] == {
        "trace_id": event["contexts"]["trace"]["trace_id"],
        "span_id": "not-an-id [redacted]",
    }
    assert scrubbed["extra"] == {"[redacted]": {"password": "[Filtered]", "born": "datetime.[date]"}}
    assert scrubbed["tags"] == {"student": "[redacted]"}
    assert "user" not in scrubbed
    assert "request" not in scrubbed
    assert scrubbed["server_name"] == "web.1"


def test_a_reported_request_keeps_only_its_path_pattern_method_and_harmless_headers(fresh_collection):
    remember_values("Zebulon")
    event = {
        "transaction": "/students/12345/notes/Zebulon/",
        "request": {
            "url": "https://insights.example/students/12345/notes/Zebulon/",
            "method": "POST",
            "query_string": "q=Zebulon",
            "cookies": {"sessionid": "abc"},
            "data": {"text": "Zebulon is struggling"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {"User-Agent": "Zebulon's browser", "Referer": "https://insights.example/?q=Zebulon"},
        },
    }

    scrubbed = scrub_event(event, {})

    assert scrubbed["transaction"] == "/students/<id>/notes/[redacted]/"
    assert scrubbed["request"] == {
        "url": "https://insights.example/students/<id>/notes/[redacted]/",
        "method": "POST",
        "headers": {"User-Agent": "[redacted]'s browser"},
    }


def test_a_reported_request_without_headers_or_method_keeps_just_its_path(fresh_collection):
    scrubbed = scrub_event({"request": {"url": "/healthz", "headers": "not a mapping"}}, {})

    assert scrubbed["request"] == {"url": "/healthz"}


def test_the_current_requests_route_and_user_replace_the_reported_ones(educator):
    request = RequestFactory().get("/students/12345/summary/?q=Zebulon")
    request.resolver_match = resolve(request.path, urlconf="tests.security.urls")
    SessionMiddleware(lambda request: None).process_request(request)
    AuthenticationMiddleware(lambda request: None).process_request(request)
    request.session["_auth_user_id"] = str(educator.pk)
    request.session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    request.session["_auth_user_hash"] = educator.get_session_auth_hash()
    assert request.user == educator  # the session checks looked at the user

    with scrubbing.collection(request):
        ScrubbingMiddleware(lambda request: None).process_view(request, None, (), {})  # the view is next
        scrubbed = scrub_event(
            {"transaction": "/students/{student_id}/summary/", "user": {"email": educator.email}}, {}
        )

    assert scrubbed["transaction"] == "/students/<int:student_id>/summary/"
    assert scrubbed["transaction_info"] == {"source": "route"}
    assert scrubbed["request"] == {"url": "/students/<int:student_id>/summary/", "method": "GET"}
    assert scrubbed["user"]["role"] == "counselor"
    assert scrubbed["user"]["id"] not in (str(educator.pk), educator.email)


def test_a_user_the_request_never_loaded_or_an_anonymous_one_is_not_reported():
    request = RequestFactory().get("/nowhere/")
    SessionMiddleware(lambda request: None).process_request(request)
    AuthenticationMiddleware(lambda request: None).process_request(request)

    with scrubbing.collection(request):
        unloaded = scrub_event({}, {})
        assert request.user.is_anonymous  # now the session checks have looked
        ScrubbingMiddleware(lambda request: None).process_view(request, None, (), {})
        anonymous = scrub_event({}, {})

    assert "user" not in unloaded
    assert "user" not in anonymous
    assert anonymous["request"] == {"url": "/nowhere/", "method": "GET"}


def test_an_educator_without_a_staff_type_is_reported_with_an_unknown_role(educator):
    educator.staff_type = ""
    request = RequestFactory().get("/")

    with scrubbing.collection(request):
        scrubbing.remember_user(educator)
        assert scrub_event({}, {})["user"]["role"] == "unknown"


def test_a_breadcrumb_is_scrubbed_and_keeps_its_timestamp(fresh_collection):
    remember_values("Zebulon")
    now = datetime.datetime.now(datetime.UTC)
    crumb = {
        "timestamp": now,
        "category": "query",
        "message": "SELECT * FROM students_student WHERE last_name = 'Zebulon'",
        "data": {"born": datetime.date(2011, 4, 9), "url": "/students/?q=x"},
    }

    assert scrub_breadcrumb(crumb, {}) == {
        "timestamp": now,
        "category": "query",
        "message": "SELECT * FROM students_student WHERE last_name = '[redacted]'",
        "data": {"born": "datetime.[date]", "url": "/students/?[query]"},
    }


# --- property-based: whatever the values, none survives -----------------------------------------

names = st.text(st.characters(categories=("L",)), min_size=2, max_size=20)
local_ids = st.from_regex(r"[A-Z]{0,3}-?[0-9]{2,8}", fullmatch=True)
notes = (
    st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=2, max_size=200)
    .map(str.strip)
    .filter(lambda note: len(note) >= 2)
)
births = st.dates(min_value=datetime.date(1995, 1, 1), max_value=datetime.date(2025, 12, 31))


def event_carrying(first: str, last: str, local_id: str, note: str, dates: list[str]) -> dict:
    """An event with the values where careless code puts them: messages, breadcrumbs, extra, tags."""
    born_us, born_iso, born_long = dates
    return {
        "message": f"Could not save note {note} for {first} {last} ({local_id})",
        "logentry": {"message": "Saving %s for %s", "params": [note, f"{last}, {first}"]},
        "exception": {"values": [{"type": "ValueError", "value": f"{first} {last} born {born_us}"}]},
        "breadcrumbs": {
            "values": [
                {"category": "log", "message": f"Opened {first} {last}", "data": {"note": note, "id": local_id}},
                {"category": "query", "message": f"local_id = '{local_id}' AND dob = '{born_iso}'"},
            ]
        },
        "extra": {first: {"note": note, "born": born_long}},
        "tags": {"student": last, "id": local_id},
        "contexts": {"student": {"name": f"{first} {last}", "note": note}},
    }


def crumb_carrying(first: str, last: str, note: str) -> dict:
    return {"message": f"Note by {first} {last}: {note}", "data": {first: note, "names": [first, last]}}


def survivors(values: list[str], scrubbed: dict) -> list[str]:
    texts = [text.lower() for text in all_strings(scrubbed)]
    return [value for value in values if any(value.lower() in text for text in texts)]


def collides_with_fixed_text(values: list[str], skeleton: dict) -> bool:
    """Whether a value is part of the event's own wording (then finding it proves nothing)."""
    fixed = [text.lower() for text in all_strings(skeleton) + REPLACEMENTS]
    return any(value.lower() in text for value in values for text in fixed)


@given(first=names, last=names, local_id=local_ids, note=notes, born=births)
def test_remembered_names_ids_notes_and_birth_dates_never_survive_scrub_event(first, last, local_id, note, born):
    dates = [f"{born:%m/%d/%Y}", born.isoformat(), f"{born:%B} {born.day}, {born.year}"]
    values = [first, last, local_id, note, *dates]
    assume(not collides_with_fixed_text(values, event_carrying("", "", "", "", ["", "", ""])))

    with scrubbing.collection():
        remember_student(a_student(first_name=first, last_name=last, local_id=local_id, date_of_birth=born))
        remember_values(note)
        scrubbed = scrub_event(event_carrying(first, last, local_id, note, dates), {})

    assert survivors(values, scrubbed) == []


@given(first=names, last=names, note=notes)
def test_remembered_values_never_survive_scrub_breadcrumb(first, last, note):
    values = [first, last, note]
    assume(not collides_with_fixed_text(values, crumb_carrying("", "", "")))

    with scrubbing.collection():
        remember_student(a_student(first_name=first, last_name=last))
        remember_values(note)
        scrubbed = scrub_breadcrumb(crumb_carrying(first, last, note), {})

    assert survivors(values, scrubbed) == []


emails = st.from_regex(r"[a-z][a-z0-9._+-]{0,15}@[a-z0-9-]{1,10}(\.[a-z]{2,6}){1,2}", fullmatch=True)
phones = st.from_regex(r"(\+1 )?(\(\d{3}\) |\d{3}[-.])\d{3}[-.]\d{4}", fullmatch=True)
long_numbers = st.integers(min_value=10_000, max_value=10**15).map(str)


@given(email=emails, phone=phones, number=long_numbers, day=births)
def test_emails_phones_dates_and_long_numbers_never_survive_even_unremembered(email, phone, number, day):
    dates = [day.isoformat(), f"{day:%m/%d/%Y}", f"{day.month}/{day.day}/{day.year}", f"{day:%B} {day.day}, {day.year}"]
    text = f"Contact {email} or {phone}; id {number}; seen " + " and ".join(dates) + "."

    scrubbed = contextvars.Context().run(scrub_text, text)

    assert [value for value in [email, phone, number, *dates] if value in scrubbed] == []


# --- request ids -----------------------------------------------------------------------------------


@given(request_id=st.uuids())
def test_request_ids_survive_scrubbing_whole_while_the_numbers_around_them_do_not(request_id):
    with scrubbing.collection():
        for spelled in (str(request_id), str(request_id).upper()):
            text = f"request_id={spelled} student 1234567 called 617-555-0142"
            assert scrub_text(text) == f"request_id={spelled} student [number] called [phone]"


def test_a_remembered_value_is_removed_even_from_inside_a_uuid(fresh_collection):
    guid = "3f2b8c1e-9d4a-4e6b-8a21-508412345678"  # a SIS that uses GUIDs as student ids
    remember_student(a_student(local_id=guid))

    assert scrub_text(f"student {guid} not found") == "student [redacted] not found"


def test_something_shaped_almost_like_a_uuid_is_scrubbed_as_usual():
    assert scrub_text("3f2b8c1e-9d4a-4e6b-8a21-5084123456789") == "3f2b8c1e-9d4a-4e6b-8a21-[number]"


def test_an_events_request_id_header_is_kept_and_tagged_so_it_joins_logs_and_audit_rows():
    request_id = "0d5e7c1a-4b2f-4c69-9e3d-771234567890"
    request = RequestFactory().get("/students/12345/summary/", HTTP_X_REQUEST_ID=request_id)
    reported = {
        "request": {"url": "http://testserver/students/12345/summary/", "headers": {"X-Request-Id": request_id}}
    }

    with scrubbing.collection(request):
        scrubbed = scrub_event({**reported, "tags": {"level": "x"}}, {})
    with scrubbing.collection(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-123456789")):
        not_a_uuid = scrub_event({}, {})

    assert scrubbed["request"]["headers"] == {"X-Request-Id": request_id}
    assert scrubbed["tags"] == {"level": "x", "request_id": request_id}
    assert "tags" not in not_a_uuid
