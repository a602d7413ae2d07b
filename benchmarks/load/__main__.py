"""`make load`: serve a seeded district with gunicorn and the job worker, load it, check it, stop it all.

Options: --students (district size, default 50,000; the district an earlier run seeded is reused
when it is that size, see district.py), --users (concurrent educators, 20), --seconds (the steady
phase, 60), --workers (gunicorn workers, 2), --fault-seconds (the phase that restarts PostgreSQL,
30; 0 skips it; it needs the private PostgreSQL `make` starts, as it is the one this command can
restart).
Exits non-zero when a check fails, so CI notices a regression; the latency goals are printed, not
enforced (these machines are noisy).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import django

PROJECT_DIR = Path(__file__).resolve().parents[2]
WORK_DIR = PROJECT_DIR / ".local" / "load"
GOALS = {"profile": 3.0, "roster": 10.0, "home": 5.0}  # p95 as a multiple of the trivial page's
OUTAGE_SECONDS = 3.0
JOB_TIMEOUT_SECONDS = 90  # the worker may be waiting out its restart delay after the outage
START_TIMEOUT_SECONDS = 60
LOCUST_STOP_SECONDS = 10  # for the simulated educators' requests in flight when the run time is up


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=int(os.environ.get("LOAD_STUDENTS", "50000")))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fault-seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    return parser.parse_args(argv)


@contextmanager
def _process(command: list[str], log: Path, env: dict):
    """A child process in its own group, stopped (and its children with it) on the way out."""
    with open(log, "w") as output:
        child = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before serving (see its log)")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}/healthz within {START_TIMEOUT_SECONDS} s")


def _locust(url: str, plan: Path, log: Path, users: int, seconds: int, env: dict):
    """Locust headless for `seconds`, its own summary kept beside our request log; stopped on the way out."""
    command = [
        sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
        "--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
        "--host", url, "--only-summary", "--loglevel", "WARNING", "--stop-timeout", str(LOCUST_STOP_SECONDS),
    ]  # fmt: skip
    return _process(command, log.with_suffix(".locust.log"), {**env, "LOAD_PLAN": str(plan), "LOAD_LOG": str(log)})


def _restart_postgresql(database: str, after_seconds: float):
    """Stop the private PostgreSQL after a while, keep it down for OUTAGE_SECONDS, start it again."""
    from django.db import connections

    from benchmarks.load.checks import Outage
    from insights import localdb

    time.sleep(after_seconds)
    connections.close_all()
    down_at = time.time()
    try:
        localdb.stop_cluster()
        time.sleep(OUTAGE_SECONDS)
    finally:  # never leave the database down, even when interrupted
        localdb.ensure_cluster(database)
    return Outage(down_at=down_at, up_at=time.time())


def _phase(name, args, url, plan, workdir, env, *, fault: bool):
    from benchmarks.load import checks

    seconds = args.fault_seconds if fault else args.seconds
    log = workdir / f"{name}.csv"
    print(
        f"\n== {name}: {args.users} educators for {seconds} s" + (" (PostgreSQL restarted midway)" if fault else ""),
        flush=True,
    )
    started = time.time()
    with _locust(url, plan, log, args.users, seconds, env) as runner:
        outage = _restart_postgresql(_database_name(), seconds / 3) if fault else None
        try:
            runner.wait(timeout=seconds + LOCUST_STOP_SECONDS + START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"Locust did not finish {seconds} s of load in time (see its log)") from None
    duration = time.time() - started
    requests = checks.read_log(log)
    findings = checks.Findings()
    for line in checks.latency_table(requests, duration):
        print(line)
    served = checks.read_access_log(workdir / "gunicorn.log")
    for line in checks.worker_table(requests, served):
        print(line)
    print("machine load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    checks.check_coverage(requests, outage, findings)
    checks.check_errors(requests, outage, findings)
    checks.check_audit(requests, findings)
    checks.check_note_writes(requests, findings)
    if not fault:
        for kind, goal in GOALS.items():
            ratio = checks.p95_ratio(requests, kind)
            if ratio is not None:
                in_worker = checks.worker_p95_ratio(requests, served, kind)
                findings.lines.append(
                    f"p95 {kind} / trivial: {ratio:.2f}x (goal ≤ {goal:g}x)"
                    + (f"; in the worker {in_worker:.2f}x" if in_worker is not None else "")
                )
    for line in findings.lines:
        print(line)
    for problem in findings.problems:
        print(f"FAILED: {problem}")
    return findings.problems


def _jobs_still_run(worker: subprocess.Popen) -> list[str]:
    """After the load (and the outage), the worker is alive and runs a job deferred now."""
    from procrastinate.contrib.django import app
    from procrastinate.contrib.django.models import ProcrastinateJob

    job_id = app.configure_task("procrastinate.builtin_tasks.remove_old_jobs").defer(max_hours=24 * 365)
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while time.monotonic() < deadline and worker.poll() is None:
        if ProcrastinateJob.objects.filter(id=job_id, status="succeeded").exists():
            print("the job worker ran a job deferred after the load")
            return []
        time.sleep(0.5)
    return [f"the job worker did not run a job within {JOB_TIMEOUT_SECONDS} s after the load"]


def _database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def _exit_on_sigterm(signum, _frame) -> None:
    """A terminated run (a CI timeout, `kill`) unwinds like Ctrl-C, so the servers and Locust are stopped."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insights.settings")
    django.setup()
    from django.core.management import call_command

    from benchmarks.load.district import ensure_load_district
    from benchmarks.load.plan import write_plan

    call_command("collectstatic", interactive=False, verbosity=0)  # as Heroku's build does
    can_restart = os.environ.get("INSIGHTS_PRIVATE_DATABASE") == "1"
    started = time.monotonic()
    seeded = ensure_load_district(args.students, private_database=can_restart)
    how = "seeded" if seeded else "reused"
    print(f"district of {args.students:,} students {how} in {time.monotonic() - started:.0f} s", flush=True)
    if args.fault_seconds and not can_restart:
        print("fault phase skipped: DATABASE_URL is not the private PostgreSQL this command can restart")
    url = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "PORT": str(args.port), "WEB_CONCURRENCY": str(args.workers)}
    problems: list[str] = []
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    WORK_DIR.mkdir(parents=True)
    plan = WORK_DIR / "plan.json"
    with ExitStack() as stack:
        stack.callback(plan.unlink, missing_ok=True)  # it holds signed-in sessions
        write_plan(plan, args.users)
        workdir = WORK_DIR
        worker = stack.enter_context(_process([sys.executable, "manage.py", "run_worker"], workdir / "worker.log", env))
        gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "insights.wsgi", "--config", "gunicorn.conf.py"]
        server = stack.enter_context(
            _process([*gunicorn, "--bind", f"127.0.0.1:{args.port}"], workdir / "gunicorn.log", env)
        )
        _wait_until_serving(url, server)
        problems += _phase("steady", args, url, plan, workdir, env, fault=False)
        if args.fault_seconds and can_restart:
            problems += _phase("fault", args, url, plan, workdir, env, fault=True)
        if server.poll() is not None:
            problems.append("gunicorn exited during the load")
        problems += _jobs_still_run(worker)
    print(f"\nload: {'FAILED' if problems else 'every check passed'} (request logs and server logs in {WORK_DIR})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
