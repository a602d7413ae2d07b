"""Seed the fictional demo district: `python manage.py seed_demo [--students N] [--seed S] [--reset]`.

It replaces every student and educator, so the run is recorded in the audit log (no actor: nobody
signs in to seed), with its parameters.
"""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.recorder import command_recording, record_details
from insights.database import job_timeouts
from students.demo.generate import DemoDistrictBuilder, create_demo_admin, has_demo_data, reset_demo_data
from students.demo.two_factor import enrol_privileged_cast


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError
    return number


class Command(BaseCommand):
    help = "Create the fictional demo district (demo mode only). Deterministic for a given --seed."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=positive_int, default=600, help="Number of students (default 600).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true", help="Delete existing students and educators first.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the district already has data.")
        parser.add_argument(
            "--empty",
            action="store_true",
            help="Create only the district admin, no schools or students: a district to import a package into.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Pretend today is this date (YYYY-MM-DD; by default, today in the district's time zone).",
        )

    @job_timeouts()
    def handle(self, *args, students, seed, reset, if_empty, empty, today, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo only runs in demo mode (DEMO_MODE=true): it creates fictional people.")
        if reset and if_empty:
            raise CommandError("--reset and --if-empty contradict each other; choose one.")
        replacing = has_demo_data()
        if replacing:
            if if_empty:
                self.stdout.write("The district already has data; not seeding (use --reset to start over).")
                return
            if not reset:
                raise CommandError("The district already has students or educators. Use --reset to replace them.")
        if empty:
            with command_recording(actor=None, action="seed_demo"):
                record_details(empty=True, replaced_existing_data=replacing)
                if replacing:
                    reset_demo_data()
                admin = create_demo_admin(password=settings.DEMO_PASSWORD)
                if settings.DEMO_PASSWORD:  # the admin's second factor is the published demo secret
                    enrol_privileged_cast()
            self.stdout.write(self.style.SUCCESS(f"Left an empty district with its admin, {admin.email}."))
            return
        started = time.monotonic()
        with command_recording(actor=None, action="seed_demo"):
            record_details(students=students, seed=seed, replaced_existing_data=replacing)
            if replacing:
                reset_demo_data()
            summary = DemoDistrictBuilder(
                student_count=students,
                seed=seed,
                today=today or timezone.localdate(),
                password=settings.DEMO_PASSWORD,
            ).build()
            # Usable demo passwords: the privileged accounts' second factor is the published demo secret.
            enrolled = enrol_privileged_cast() if settings.DEMO_PASSWORD else 0
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.schools} schools, {summary.educators} educators and "
                f"{summary.students} students in {elapsed:.1f}s."
            )
        )
        for label, count in summary.rows.items():
            self.stdout.write(f"  {count:>9,} {label}")
        if enrolled:
            self.stdout.write(
                f"{enrolled} privileged accounts use the demo authenticator: make manage ARGS='demo_totp <login>'."
            )
        if not settings.DEMO_PASSWORD:
            self.stdout.write("DEMO_PASSWORD is empty: demo accounts have no usable password.")
