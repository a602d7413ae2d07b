"""The load test's checks fail a run that exercised nothing, and its figures come from the right requests."""

import pytest

from benchmarks.load.checks import (
    KINDS,
    Findings,
    Outage,
    Request,
    Served,
    check_coverage,
    check_errors,
    read_access_log,
    worker_p95_ratio,
    worker_table,
)


def _request(kind: str, started: float, *, status: str = "200", seconds: float = 0.1) -> Request:
    return Request(
        started=started,
        kind=kind,
        request_id=f"{kind}-{started}",
        status=status,
        seconds=seconds,
        note_token="",
        error_page="",
    )


def _every_kind(started: float = 0.0) -> list[Request]:
    return [_request(kind, started) for kind in KINDS]


def test_a_run_with_every_kind_answered_passes():
    findings = Findings()
    check_coverage(_every_kind(), None, findings)
    assert findings.problems == []


def test_a_run_without_requests_fails():
    findings = Findings()
    check_coverage([], None, findings)
    assert findings.problems == [f"no successful request of: {', '.join(KINDS)}"]


def test_a_kind_only_failed_or_never_made_fails():
    requests = [r for r in _every_kind() if r.kind != "note write"]
    requests.append(_request("trivial", 1.0))
    requests = [r for r in requests if r.kind != "home"] + [_request("home", 2.0, status="503")]
    findings = Findings()
    check_coverage(requests, None, findings)
    assert findings.problems == ["no successful request of: home, note write"]


def test_an_outage_no_request_met_fails():
    outage = Outage(down_at=10.0, up_at=13.0)
    findings = Findings()
    check_coverage(_every_kind(started=0.0) + [_request("home", 13.5)], outage, findings)
    assert findings.problems == ["no request was in flight while PostgreSQL was down: the outage went untested"]


def test_an_outage_met_by_a_failed_request_passes_coverage():
    outage = Outage(down_at=10.0, up_at=13.0)
    failed = _request("profile", 11.0, status="503", seconds=0.2)
    findings = Findings()
    check_coverage([*_every_kind(), failed], outage, findings)
    assert findings.problems == []


def test_a_failure_during_the_outage_is_not_one_outside_it():
    outage = Outage(down_at=10.0, up_at=13.0)
    requests = [*_every_kind(), _request("profile", 11.0, status="503"), _request("home", 14.0)]
    requests[-2].error_page = "Insights is briefly unavailable"
    findings = Findings()
    check_errors(requests, outage, findings)
    assert findings.problems == []
    requests.append(_request("home", 30.0, status="500"))
    check_errors(requests, outage, findings)
    assert findings.problems == ["1 requests failed outside the outage: Counter({'500': 1})"]


def test_the_workers_access_log_is_read_by_request_id(tmp_path):
    log = tmp_path / "gunicorn.log"
    log.write_text(
        "[2026-12-01 16:10:30 -0500] [16363] [INFO] Starting gunicorn\n"
        '127.0.0.1 "GET / HTTP/1.1" 200 5120 45ms cpu=30.5ms request_id=home-1\n'
        '127.0.0.1 "GET /healthz HTTP/1.1" 200 2 1ms cpu=-ms request_id=-\n'
        '127.0.0.1 "GET /students/ HTTP/1.1" 200 [number] 12,345ms cpu=10,001.5ms request_id=roster-1\n'
    )

    served = read_access_log(log)

    assert list(served) == ["home-1", "roster-1"]
    assert (served["home-1"].seconds, served["home-1"].cpu_seconds) == (0.045, 0.0305)
    assert (served["roster-1"].seconds, served["roster-1"].cpu_seconds) == (12.345, 10.0015)


def test_the_worker_table_divides_each_kind_by_the_trivial_page_and_says_what_queued():
    requests = [_request("trivial", 0.0, seconds=0.110), _request("profile", 1.0, seconds=0.160)]
    requests.append(_request("profile", 2.0, status="503", seconds=0.010))  # failed: not a page's cost
    served = {
        requests[0].request_id: Served(seconds=0.010, cpu_seconds=0.008),
        requests[1].request_id: Served(seconds=0.060, cpu_seconds=0.040),
        requests[2].request_id: Served(seconds=0.005, cpu_seconds=0.004),
    }

    lines = worker_table(requests, served)

    assert lines[1].split() == ["trivial", "10.0", "10.0", "8.0", "125", "100.0", "1.00x", "/", "1.00x", "/", "1.00x"]
    assert lines[2].split() == ["profile", "60.0", "60.0", "40.0", "25", "100.0", "6.00x", "/", "6.00x", "/", "5.00x"]
    assert lines[3] == "share of the educators' waiting spent queued for a free worker: 74%"


def test_the_worker_table_says_so_when_there_is_no_trivial_page_to_divide_by():
    assert worker_table([_request("home", 0.0)], {}) == [
        "in the worker: no trivial request in gunicorn's access log to compare with"
    ]


def test_the_workers_p95_ratio_leaves_the_queue_out():
    requests = [_request("trivial", float(n), seconds=1.0) for n in range(3)]
    requests += [_request("home", 10.0 + n, seconds=1.2) for n in range(3)]
    served = {r.request_id: Served(seconds=0.02 if r.kind == "trivial" else 0.1, cpu_seconds=0.01) for r in requests}

    assert worker_p95_ratio(requests, served, "home") == pytest.approx(5.0)
    assert worker_p95_ratio(requests, {}, "home") is None
