"""What a load run must show, read from the request log and compared with the database.

- Every kind of request the locustfile makes was made and answered, so no check below passes on
  nothing (no note writes, no trivial baseline); in the fault phase, requests overlapped the outage.
- No failed request outside the outage (the fault phase's PostgreSQL restart), and inside it only
  fast 503 pages saying nothing was saved, never a hang or a bare 500.
- One audit row for every request that answered with student data, none for the trivial page:
  matched by the X-Request-ID each request carried, which the audit log stores.
- Every note write that answered success is stored exactly once.
"""

import csv
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from audit.models import AccessEvent
from students.models import EventNote

TRIVIAL = "trivial"
# The request names locustfile.py gives each kind of request (it runs outside Django, so it cannot import these).
KINDS = (TRIVIAL, "home", "profile", "roster", "homeroom", "section", "search", "note search", "note write")
OK_STATUSES = ("200", "302")
# Heroku's router gives up on a request after 30 s; an error page must come well before that.
MAX_ERROR_SECONDS = 30.0
# After PostgreSQL is back, the first requests may still find a connection that died with it.
RECOVERY_GRACE_SECONDS = 5.0
# gunicorn's access log (gunicorn.conf.py): the worker's time on the request, its CPU time, the request id.
ACCESS_LOG_LINE = re.compile(r" (?P<ms>[\d,]+)ms cpu=(?P<cpu>[\d.,]+)ms request_id=(?P<request_id>\S+)$")


@dataclass
class Request:
    started: float
    kind: str
    request_id: str
    status: str
    seconds: float
    note_token: str
    error_page: str

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def finished(self) -> float:
        return self.started + self.seconds


@dataclass
class Outage:
    down_at: float
    up_at: float

    def overlaps(self, request: Request) -> bool:
        """Whether the request may have met the outage or a connection that died with it."""
        return request.started < self.up_at + RECOVERY_GRACE_SECONDS and request.finished > self.down_at

    def met(self, request: Request) -> bool:
        """Whether the request was in flight while PostgreSQL was down."""
        return request.started < self.up_at and request.finished > self.down_at


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def read_log(path) -> list[Request]:
    with open(path, newline="") as log:
        return [
            Request(
                started=float(row["started"]),
                kind=row["kind"],
                request_id=row["request_id"],
                status=row["status"],
                seconds=float(row["seconds"]),
                note_token=row["note_token"],
                error_page=row["error_page"],
            )
            for row in csv.DictReader(log)
        ]


@dataclass
class Served:
    """What a gunicorn worker's access log line says of one request: time in the worker and CPU time."""

    seconds: float
    cpu_seconds: float


def read_access_log(path) -> dict[str, Served]:
    """The access log's lines by request id (lines of other requests, and other log lines, are skipped)."""
    served = {}
    with open(path) as log:
        for line in log:
            if found := ACCESS_LOG_LINE.search(line.rstrip("\n")):
                ms, cpu_ms = (float(found[name].replace(",", "")) for name in ("ms", "cpu"))
                served[found["request_id"]] = Served(ms / 1000, cpu_ms / 1000)
    return served


def percentile(values: list[float], point: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[point - 1]


def latency_table(requests: list[Request], duration: float) -> list[str]:
    """Per page kind: requests per second and p50/p95/p99, each latency also as a ratio to the trivial page's."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for request in requests:
        if request.ok:
            by_kind[request.kind].append(request.seconds)
    trivial = {point: percentile(by_kind.get(TRIVIAL, []), point) for point in (50, 95, 99)}
    lines = [f"{'page':<12} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   ratio to trivial p50/p95/p99"]
    for kind in sorted(by_kind, key=lambda name: (name != TRIVIAL, name)):
        values = by_kind[kind]
        points = {point: percentile(values, point) for point in (50, 95, 99)}
        ratios = " / ".join(f"{points[p] / trivial[p]:.2f}x" if trivial[p] else "-" for p in (50, 95, 99))
        lines.append(
            f"{kind:<12} {len(values) / duration:>7.1f} "
            + " ".join(f"{points[p] * 1000:>8.1f}" for p in (50, 95, 99))
            + f"   {ratios}"
        )
    return lines


def worker_table(requests: list[Request], served: dict[str, Served]) -> list[str]:
    """Per page kind, what the workers' access log says: time in the worker (the queue for a free worker
    excluded) and CPU time per request, as ratios to the trivial page's, and how long requests queued.

    Under a saturated server the client's latencies are mostly the queue, which every kind waits in
    alike; these figures are the pages' own cost."""
    by_kind: dict[str, list[tuple[Request, Served]]] = defaultdict(list)
    for request in requests:
        if request.ok and request.request_id in served:
            by_kind[request.kind].append((request, served[request.request_id]))
    if not by_kind.get(TRIVIAL):
        return ["in the worker: no trivial request in gunicorn's access log to compare with"]

    def figures(pairs):
        worker = [s.seconds for _, s in pairs]
        cpu = statistics.mean(s.cpu_seconds for _, s in pairs)
        queued = statistics.median(max(r.seconds - s.seconds, 0.0) for r, s in pairs)
        return percentile(worker, 50), percentile(worker, 95), cpu, queued

    trivial = figures(by_kind[TRIVIAL])
    lines = [
        f"{'in worker':<12} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'per core/s':>10} {'queued ms':>10}"
        "   ratio to trivial p50/p95/CPU"
    ]
    for kind in sorted(by_kind, key=lambda name: (name != TRIVIAL, name)):
        values = figures(by_kind[kind])
        ratios = " / ".join(f"{values[i] / trivial[i]:.2f}x" if trivial[i] else "-" for i in range(3))
        per_core = f"{1 / values[2]:.0f}" if values[2] else "-"
        lines.append(
            f"{kind:<12} {values[0] * 1000:>8.1f} {values[1] * 1000:>8.1f} {values[2] * 1000:>8.1f}"
            f" {per_core:>10} {values[3] * 1000:>10.1f}   {ratios}"
        )
    pairs = [pair for kind_pairs in by_kind.values() for pair in kind_pairs]
    waited = sum(max(r.seconds - s.seconds, 0.0) for r, s in pairs) / sum(r.seconds for r, _ in pairs)
    lines.append(f"share of the educators' waiting spent queued for a free worker: {waited:.0%}")
    return lines


def p95_ratio(requests: list[Request], kind: str) -> float | None:
    trivial = percentile([r.seconds for r in requests if r.ok and r.kind == TRIVIAL], 95)
    values = [r.seconds for r in requests if r.ok and r.kind == kind]
    return percentile(values, 95) / trivial if values and trivial else None


def worker_p95_ratio(requests: list[Request], served: dict[str, Served], kind: str) -> float | None:
    """The kind's p95 time in the worker as a multiple of the trivial page's: the page's own cost, no queue."""

    def p95(of_kind: str) -> float:
        values = [
            served[r.request_id].seconds for r in requests if r.ok and r.kind == of_kind and r.request_id in served
        ]
        return percentile(values, 95)

    trivial, page = p95(TRIVIAL), p95(kind)
    return page / trivial if page and trivial else None


def check_coverage(requests: list[Request], outage: Outage | None, findings: Findings) -> None:
    """Every kind was answered at least once, and the outage (if any) met requests: else the run proves nothing."""
    answered = Counter(r.kind for r in requests if r.ok)
    missing = [kind for kind in KINDS if not answered[kind]]
    if missing:
        findings.problems.append(f"no successful request of: {', '.join(missing)}")
    if outage is not None and not any(outage.met(r) for r in requests):
        findings.problems.append("no request was in flight while PostgreSQL was down: the outage went untested")


def check_errors(requests: list[Request], outage: Outage | None, findings: Findings) -> None:
    failed = [r for r in requests if not r.ok]
    statuses = Counter(r.status for r in failed)
    findings.lines.append(
        f"requests: {len(requests)}, failed: {len(failed)}"
        + (f" ({', '.join(f'{count}× {status}' for status, count in sorted(statuses.items()))})" if failed else "")
    )
    outside = [r for r in failed if outage is None or not outage.overlaps(r)]
    if outside:
        findings.problems.append(
            f"{len(outside)} requests failed outside the outage: {Counter(r.status for r in outside)}"
        )
    if outage is None:
        return
    during = [r for r in failed if outage.overlaps(r)]
    slow = [r for r in during if r.seconds > MAX_ERROR_SECONDS]
    unclear = [r for r in during if r.status != "503" or not r.error_page]
    if slow:
        findings.problems.append(f"{len(slow)} requests during the outage took over {MAX_ERROR_SECONDS:.0f} s to fail")
    if unclear:
        findings.problems.append(f"{len(unclear)} requests during the outage failed without the 503 page")
    pages = Counter(f"{r.status} {r.error_page!r}" for r in during)
    findings.lines.append(
        f"during the outage: {', '.join(f'{n}× {page}' for page, n in pages.items()) or 'no failures'}"
    )
    recovered = [r.finished for r in requests if r.ok and r.started >= outage.up_at]
    if recovered:
        findings.lines.append(f"first success {min(recovered) - outage.up_at:.2f} s after PostgreSQL was back")
    else:
        findings.problems.append("no request succeeded after PostgreSQL came back")


def check_audit(requests: list[Request], findings: Findings) -> None:
    rows = Counter(
        AccessEvent.objects.filter(request_id__in=[r.request_id for r in requests]).values_list("request_id", flat=True)
    )
    answered = [r for r in requests if r.ok and r.kind != TRIVIAL]
    recorded = sum(1 for r in answered if rows[r.request_id] == 1)
    findings.lines.append(f"audit rows for requests that touched student data: {recorded} of {len(answered)}")
    if recorded != len(answered):
        findings.problems.append(f"{len(answered) - recorded} student-data requests without exactly one audit row")
    trivial_rows = sum(rows[r.request_id] for r in requests if r.kind == TRIVIAL)
    if trivial_rows:
        findings.problems.append(f"{trivial_rows} audit rows for the trivial page, which shows no student data")


def check_note_writes(requests: list[Request], findings: Findings) -> None:
    writes = [r for r in requests if r.note_token]
    stored = Counter()
    for text in EventNote.objects.filter(text__startswith="Load check ").values_list("text", flat=True).iterator():
        stored[text.removeprefix("Load check ")] += 1
    answered = [r for r in writes if r.ok]
    lost = [r for r in answered if stored[r.note_token] == 0]
    doubled = [r for r in writes if stored[r.note_token] > 1]
    kept = sum(1 for r in writes if stored[r.note_token])
    findings.lines.append(f"note writes: {len(writes)}, answered success: {len(answered)}, stored: {kept}")
    if lost:
        findings.problems.append(f"{len(lost)} note writes answered success but are not stored")
    if doubled:
        findings.problems.append(f"{len(doubled)} notes stored more than once")
