"""The simulated educators: a mix of what a school's staff do in the morning, in Locust.

Each Locust user takes one prepared session and target list from the plan (plan.py) and opens
home, profiles, rosters, homeroom and section pages, runs student and note searches, writes notes,
and opens a trivial signed-in page that touches no student data (the baseline every page kind is
divided by). Every request carries its own X-Request-ID, which the audit log stores, and is written
to a log the checks (checks.py) compare with the database afterwards.
"""

import csv
import itertools
import json
import os
import re
import threading
import time
import uuid

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 (read once, at import)
LOG_PATH = os.environ["LOAD_LOG"]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_educator = itertools.count()
_log_lock = threading.Lock()
_log_file = open(LOG_PATH, "w", newline="")  # noqa: SIM115 (closed when Locust quits)
_log = csv.writer(_log_file)
_log.writerow(["started", "kind", "request_id", "status", "seconds", "note_token", "error_page"])


@events.quitting.add_listener
def _close_log(environment, **_kwargs):
    _log_file.close()


class Educator(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.plan = PLAN["educators"][next(_next_educator) % len(PLAN["educators"])]
        self.client.cookies.set(PLAN["cookie_name"], self.plan["cookie"])
        self.turn = itertools.count()
        # One CSRF token for the whole session: Django accepts it until the session signs in again.
        found = CSRF_INPUT.search(self.client.get("/search/", name="setup (not measured)").text or "")
        self.csrf_token = found.group(1) if found else ""
        # Every kind once before the weighted mix, so even a short run measures (and checks) each of them.
        for each_task in dict.fromkeys(self.tasks):
            each_task(self)

    def _pick(self, kind: str):
        values = self.plan[kind]
        return values[next(self.turn) % len(values)] if values else None

    def _request(self, kind: str, method: str, url: str, *, note_token: str = "", **kwargs):
        request_id = str(uuid.uuid4())
        headers = {"X-Request-ID": request_id, **kwargs.pop("headers", {})}
        started = time.time()
        with self.client.request(
            method, url, name=kind, headers=headers, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            ok = response.status_code in (200, 302)
            error_page = "" if ok else _error_page(response)
            if ok:
                response.success()
            else:
                response.failure(f"{response.status_code} {error_page}")
        with _log_lock:
            _log.writerow(
                [
                    f"{started:.3f}",
                    kind,
                    request_id,
                    response.status_code,
                    f"{time.time() - started:.4f}",
                    note_token,
                    error_page,
                ]
            )
        return response

    @task(2)
    def trivial(self):
        self._request("trivial", "GET", "/accounts/password/change/")

    @task(3)
    def home(self):
        self._request("home", "GET", "/")

    @task(6)
    def profile(self):
        if (student := self._pick("students")) is not None:
            self._request("profile", "GET", f"/students/{student}/")

    @task(2)
    def roster(self):
        school = self._pick("schools")
        self._request("roster", "GET", f"/schools/{school}/" if school else "/students/")

    @task(1)
    def homeroom(self):
        if (homeroom := self._pick("homerooms")) is not None:
            self._request("homeroom", "GET", f"/homerooms/{homeroom}/")

    @task(1)
    def section(self):
        if (section := self._pick("sections")) is not None:
            self._request("section", "GET", f"/sections/{section}/")

    @task(1)
    def student_search(self):
        data = {"q": self._pick("names"), "csrfmiddlewaretoken": self.csrf_token}
        self._request("search", "POST", "/search/", data=data)

    @task(1)
    def note_search(self):
        data = {"q": self._pick("note_words"), "csrfmiddlewaretoken": self.csrf_token}
        self._request("note search", "POST", "/notes/search/", data=data)

    @task(1)
    def note_write(self):
        if (student := self._pick("students")) is None:
            return
        note_token = uuid.uuid4().hex
        data = {"note_type": "other", "text": f"Load check {note_token}", "csrfmiddlewaretoken": self.csrf_token}
        self._request("note write", "POST", f"/students/{student}/notes/new/", data=data, note_token=note_token)


def _error_page(response) -> str:
    """What the failed page said: its <title>, so the checks can tell a clear error page from none."""
    found = re.search(r"<title>(.*?)</title>", response.text or "", re.S)
    return " ".join(found.group(1).split()) if found else ""
