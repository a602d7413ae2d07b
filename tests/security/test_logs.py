"""Log lines (Django's handlers and gunicorn's access log) carry no student values and no query strings."""

import datetime
import io
import logging
import re
import runpy
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string
from gunicorn.config import Config
from hypothesis import assume, given
from hypothesis import strategies as st

from insights import scrubbing
from insights.scrubbing import ScrubbingFilter, remember_student, remember_values
from students.models import Student
from tests.security.conftest import leaked_values

GUNICORN_CONF = settings.BASE_DIR / "gunicorn.conf.py"


@pytest.fixture
def console_log():
    """What the configured console handler prints (its filter and formatter included)."""
    handler = next(handler for handler in logging.getLogger().handlers if handler.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_every_configured_handler_scrubs():
    assert settings.LOGGING["filters"]["scrub"] == {"()": "insights.scrubbing.ScrubbingFilter"}
    filters = {name: import_string(spec["()"]) for name, spec in settings.LOGGING["filters"].items()}
    assert all(
        any(issubclass(filters[name], ScrubbingFilter) for name in handler.get("filters", []))
        for handler in settings.LOGGING["handlers"].values()
    )


def test_no_logger_in_the_process_has_a_handler_that_does_not_scrub(sentry_transport):
    loggers = [logging.getLogger(), *map(logging.getLogger, list(logging.Logger.manager.loggerDict))]
    handlers = {
        handler
        for logger in loggers
        # sentry-sdk's own logger prints only in debug mode, which insights.sentry turns off.
        if logger.name != "sentry_sdk.errors"
        for handler in logger.handlers
        if not isinstance(handler, logging.NullHandler) and not type(handler).__module__.startswith("_pytest")
    }

    assert handlers
    assert [handler for handler in handlers if not any(isinstance(f, ScrubbingFilter) for f in handler.filters)] == []


@pytest.mark.django_db
@pytest.mark.usefixtures("privacy_stack")
def test_a_failing_requests_traceback_in_the_log_has_no_student_values(console_log, seeded_students, educator):
    client = Client(raise_request_exception=False)
    client.force_login(educator)

    client.get(f"/students/{seeded_students[0].pk}/duplicate/?q=Zebulon")

    printed = console_log.getvalue()
    assert "ERROR django.request Internal Server Error: /students/" in printed
    assert "IntegrityError" in printed
    assert 'File "' in printed  # the traceback is still there
    assert "Zebulon" not in printed
    assert leaked_values(printed, seeded_students) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("privacy_stack")
def test_django_request_logging_prints_the_path_without_query_string(console_log, client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    client.get("/no-such-page/?student=Zebulon+Quarrington")

    assert "Not Found: /no-such-page/" in console_log.getvalue()
    assert "Zebulon" not in console_log.getvalue()


def test_runservers_request_lines_lose_their_query_string(console_log):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /students/?q=Zebulon+Quarrington HTTP/1.1", 200, 15)

    assert console_log.getvalue() == 'INFO django.server "GET /students/?[query] HTTP/1.1" 200 15\n'


def test_a_remembered_value_in_a_log_argument_is_scrubbed_before_any_handler_formats_it(console_log):
    with scrubbing.collection():
        remember_values("Zebulon Quarrington")
        logging.getLogger("students").warning("Saved a note about %s (%s)", "Zebulon Quarrington", "ana@mail.example")

    assert console_log.getvalue() == "WARNING students Saved a note about [redacted] ([email])\n"


def scrubbed_record(**fields) -> logging.LogRecord:
    record = logging.LogRecord("students", logging.ERROR, __file__, 1, "msg", None, None)
    record.__dict__.update(fields)
    assert ScrubbingFilter().filter(record) is True
    return record


def test_arguments_that_do_not_fit_the_message_are_dropped_not_printed():
    record = scrubbed_record(msg="Saved %s and %s", args=("ana@mail.example",))

    assert (record.getMessage(), record.args) == ("Saved %s and %s", ())


def test_a_traceback_and_stack_are_scrubbed_even_when_already_formatted():
    with scrubbing.collection():
        remember_values("Zebulon")
        try:
            raise ValueError("Zebulon is missing")
        except ValueError as error:
            from_exception = scrubbed_record(exc_info=(ValueError, error, error.__traceback__))
        preformatted = scrubbed_record(exc_text="ValueError: Zebulon", stack_info="Stack: Zebulon")

    assert from_exception.exc_text.endswith("ValueError: [redacted] is missing")
    assert (preformatted.exc_text, preformatted.stack_info) == ("ValueError: [redacted]", "Stack: [redacted]")


@given(
    first=st.text(st.characters(categories=("L",)), min_size=2, max_size=20),
    last=st.text(st.characters(categories=("L",)), min_size=2, max_size=20),
    note=st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=2, max_size=120).map(str.strip),
)
def test_remembered_names_and_notes_never_survive_a_log_record(first, last, note):
    values = [first, last, note]
    fixed = "warning students.property note for by : , [redacted]"
    assume(len(note) >= 2 and not any(value.lower() in fixed for value in values))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ScrubbingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("students.property")
    logger.addHandler(handler)
    try:
        with scrubbing.collection():
            remember_student(Student(first_name=first, last_name=last))
            remember_values(note)
            logger.warning("note for %s %s: %s", first, last, note)
            logger.warning(f"note by {last}, {first}: {note}")
    finally:
        logger.removeHandler(handler)

    printed = buffer.getvalue().lower()
    assert [value for value in values if value.lower() in printed] == []


def test_gunicorn_binds_to_port_and_sizes_from_web_concurrency(monkeypatch):
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    conf = runpy.run_path(str(GUNICORN_CONF))

    assert (conf["bind"], conf["workers"], conf["forwarded_allow_ips"]) == ("0.0.0.0:5123", 3, "*")


def _access_logging():
    """gunicorn.conf.py's settings, and its access logger configured as gunicorn would."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    for name in ("accesslog", "access_log_format"):
        config.set(name, conf[name])
    return conf, conf["logger_class"](config)


def test_gunicorns_access_log_has_the_path_but_no_query_string_or_referrer(capsys):
    _, logger = _access_logging()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/students/?q=Zebulon",
        "PATH_INFO": "/students/",
        "QUERY_STRING": "q=Zebulon",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_REFERER": "https://insights.example/search?q=Zebulon",
    }
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "req-1"), ("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])

    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))

    assert capsys.readouterr().out == '10.1.2.3 "GET /students/ HTTP/1.1" 200 512 12ms cpu=-ms request_id=req-1\n'


def test_gunicorns_access_log_says_the_cpu_time_the_worker_spent_on_the_request(capsys):
    conf, logger = _access_logging()
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "req-2")])
    conf["pre_request"](None, request)
    spin_until = time.process_time() + 0.05
    while time.process_time() < spin_until:  # the request's work: 50 ms of CPU
        pass

    logger.access(
        SimpleNamespace(status="200 OK", sent=10, headers=[]), request, environ, datetime.timedelta(milliseconds=80)
    )

    cpu_ms = float(re.search(r" cpu=([\d.]+)ms ", capsys.readouterr().out).group(1))
    assert 50 <= cpu_ms < 1000


def test_gunicorns_access_log_keeps_a_slow_requests_times_through_the_scrubbing_filter(capsys):
    _, logger = _access_logging()
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    request = SimpleNamespace(headers=[("X-REQUEST-ID", "req-3")], cpu_started=time.process_time() - 12.3456)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])

    logger.access(response, request, environ, datetime.timedelta(seconds=12, milliseconds=345))

    line = capsys.readouterr().out
    assert re.search(r" 12,345ms cpu=12,3\d\d\.\dms request_id=req-3$", line)
    assert scrubbing.scrub_text(line) == line


GUNICORN_PROBE = """
import runpy, sys
from types import SimpleNamespace
import datetime
from gunicorn.config import Config

conf = runpy.run_path(sys.argv[1])
config = Config()
for name in ("accesslog", "errorlog", "access_log_format", "logconfig_dict"):
    config.set(name, conf[name])
log = conf["logger_class"](config)
try:
    raise ValueError("no reply from zebulon.q@familymail.example about /search/?q=Zebulon+Quarrington")
except ValueError:
    log.exception("Error handling request %s", "/search/?q=Zebulon+Quarrington")
environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/search/?q=Zebulon", "PATH_INFO": "/search/",
           "QUERY_STRING": "q=Zebulon", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3"}
request = SimpleNamespace(headers=[("X-REQUEST-ID", "3f2b8c1e-9d4a-4e6b-8a21-508412345678")])
response = SimpleNamespace(status="200 OK", sent=512, headers=[])
log.access(response, request, environ, datetime.timedelta(milliseconds=12))
"""


def test_gunicorns_error_log_goes_through_the_scrubbing_filter_and_its_access_log_keeps_its_format():
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", GUNICORN_PROBE, str(GUNICORN_CONF)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stderr.count("Error handling request /search/?[query]") == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ValueError: no reply from [email] about /search/?[query]" in result.stderr
    assert "Zebulon" not in result.stderr and "familymail" not in result.stderr
    assert result.stdout == (
        '10.1.2.3 "POST /search/ HTTP/1.1" 200 512 12ms cpu=-ms request_id=3f2b8c1e-9d4a-4e6b-8a21-508412345678\n'
    )
