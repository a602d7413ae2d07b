"""The load test's checks fail a run that exercised nothing, rather than passing it."""

from benchmarks.load.checks import KINDS, Findings, Outage, Request, check_coverage, check_errors


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
