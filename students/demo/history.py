"""The demo district's history: attendance, discipline, notes, assessments, services and plans.

Several school years per student, with absences concentrated in some students. Part of
DemoDistrictBuilder (students/demo/generate.py); every random choice comes from its ``rng``.
Realistic enough to judge the pages by: note types fit the grade the student was in, incidents
are described as incidents of their code, STAR percentiles drift from a student's own level
instead of jumping at random, and restricted notes are written only by educators who may read
them (and see the student).
"""

import datetime
from decimal import Decimal

from educators.models import Educator
from insights.bulkload import CopyTable
from students.demo import cast
from students.demo.names import FIRST_NAMES, LAST_NAMES, NOTE_SENTENCES
from students.models import (
    Absence,
    AccessResult,
    DisciplineIncident,
    EventNote,
    Iep,
    McasResult,
    NoteType,
    Plan504,
    Service,
    ServiceType,
    StarResult,
    Tardy,
)
from students.models.grades import GRADE_ORDER, school_year_start

HISTORY_YEARS = 4  # the current school year and the three before it
# What each incident code's write-up says, as a dean or teacher would log it.
INCIDENT_DESCRIPTIONS = {
    "Disruption": (
        "Kept calling out during the lesson after two reminders.",
        "Threw paper balls across the room during group work.",
        "Played music from a phone aloud during independent work.",
    ),
    "Defiance": (
        "Refused to move seats when asked by the teacher.",
        "Left the classroom without permission after being asked to stay.",
        "Would not hand over a phone when asked by staff.",
    ),
    "Fighting": (
        "Pushed another student during an argument; staff separated them.",
        "Exchanged punches with a classmate; the nurse checked both students.",
    ),
    "Bullying": (
        "Repeatedly mocked a classmate's clothing, reported by the classmate.",
        "Sent hurtful messages about a peer over several days.",
        "Kept excluding a classmate from the lunch table and taunting them.",
    ),
    "Inappropriate language": (
        "Used profanity toward a classmate.",
        "Swore at a staff member when asked to put a phone away.",
    ),
    "Skipping class": (
        "Found in the hallway without a pass during class.",
        "Left school grounds at lunch and missed the afternoon classes.",
        "Missed a class period; seen in the library instead.",
    ),
}
INCIDENT_CODES = tuple(INCIDENT_DESCRIPTIONS)
# A STAR percentile moves this much at most from one test to the next; a student's level starts here.
STAR_STEP = 8
STAR_START = (10, 90)
NINTH_POSITION = GRADE_ORDER["9"]
NOTE_TYPES_IN_NINTH = list(NoteType.values)
NOTE_TYPES_OUTSIDE_NINTH = [kind for kind in NoteType.values if kind != NoteType.NINTH_GRADE]
INCIDENT_LOCATIONS = ("Classroom", "Hallway", "Cafeteria", "Playground", "Bus", "Gym")
ABSENCE_REASONS = ("Illness", "Family", "Appointment", "", "", "")
HISTORY_BATCH_STUDENTS = 2000  # students whose history is written by COPY at a time
# The columns of each history row, in the order the generator builds its tuples.
HISTORY_COLUMNS = {
    Absence: ("student_id", "occurred_on", "excused", "reason"),
    Tardy: ("student_id", "occurred_on"),
    DisciplineIncident: (
        "student_id",
        "incident_code",
        "incident_location",
        "incident_description",
        "occurred_at",
        "has_exact_time",
    ),
    EventNote: ("student_id", "author_id", "note_type", "text", "restricted_text", "is_restricted", "recorded_at"),
    Service: (
        "student_id",
        "service_type",
        "provided_by",
        "date_started",
        "estimated_end_date",
        "recorded_by_id",
        "discontinued_at",
        "discontinued_by_id",
    ),
    StarResult: ("student_id", "subject", "taken_at", "percentile_rank"),
    McasResult: ("student_id", "subject", "taken_on", "scaled_score", "performance_level", "growth_percentile"),
    AccessResult: ("student_id", "taken_on", "composite_scale_score", "composite_proficiency_level"),
    Plan504: ("student_id", "start_date", "case_manager", "accommodations"),
    Iep: ("student_id", "start_date", "end_date", "case_manager", "notes"),
}


class HistoryMixin:
    def _school_days(self, year: int) -> list[datetime.date]:
        first = datetime.date(year, 9, 5)
        last = min(datetime.date(year + 1, 6, 20), self.today)
        days, day = [], first
        while day <= last:
            if day.weekday() < 5:
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    def _authors_by_school(self) -> dict[int, list[Educator]]:
        authors: dict[int, list[Educator]] = {}
        for person in cast.EDUCATORS:
            educator = self.cast_educators[person.key]
            if person.home_school and person.is_active:
                authors.setdefault(educator.home_school_id, []).append(educator)
        for homeroom in self.homerooms:
            authors.setdefault(homeroom.school_id, []).append(homeroom.educator)
        return authors

    def _restricted_writers_by_school(self) -> dict[int, list[Educator]]:
        """Who may write a school's restricted notes: holders of the permission who see the school's
        students, by a grant on the school or districtwide; nobody writes what they could not read."""
        holders = [person for person in cast.EDUCATORS if person.restricted_notes and person.is_active]
        return {
            school.pk: [
                self.cast_educators[person.key]
                for person in holders
                if person.district_grant or school.local_id in person.school_grants
            ]
            for school in self.schools
        }

    def _note_types(self, grade_position: int) -> list[str]:
        """The kinds of note that fit a student in that grade: "9th grade experience" only in grade 9."""
        return NOTE_TYPES_IN_NINTH if grade_position == NINTH_POSITION else NOTE_TYPES_OUTSIDE_NINTH

    def _history(self):
        rng = self.rng
        years = [self.current_year - offset for offset in range(HISTORY_YEARS - 1, -1, -1)]
        days_by_year = {year: self._school_days(year) for year in years}
        authors = self._authors_by_school()
        restricted_writers_at = self._restricted_writers_by_school()
        tables = {model: CopyTable(model, columns, now=self.written_at) for model, columns in HISTORY_COLUMNS.items()}
        rows: dict[type, list[tuple]] = {model: [] for model in tables}
        for number, (student, person) in enumerate(zip(self.students, self.profiles, strict=True), start=1):
            chronic = person.chronic_absence if person else rng.random() < 0.12
            writers = authors.get(student.school_id) or list(self.cast_educators.values())[:1]
            restricted_writers = restricted_writers_at.get(student.school_id, [])
            self._star_levels = {}
            for year in years:
                days = days_by_year[year]
                if not days:
                    continue
                grade_then = max(0, GRADE_ORDER[student.grade] - (self.current_year - year))
                absent = rng.sample(days, k=min(len(days), rng.randint(12, 30) if chronic else rng.randint(0, 6)))
                for day in absent:
                    rows[Absence].append((student.pk, day, rng.random() < 0.4, rng.choice(ABSENCE_REASONS)))
                for day in rng.sample(days, k=min(len(days), rng.randint(0, 8))):
                    rows[Tardy].append((student.pk, day))
                if rng.random() < 0.3 or chronic:
                    for _ in range(rng.randint(1, 4)):
                        day = rng.choice(days)
                        exact = rng.random() < 0.7
                        occurred_at = (
                            self._moment(day, datetime.time(rng.randint(8, 14), rng.choice([0, 15, 30, 45])))
                            if exact
                            else datetime.datetime.combine(day, datetime.time(12), tzinfo=self.time_zone)
                        )  # an incident known by its day alone is stored at noon, as the import stores it
                        code = rng.choice(INCIDENT_CODES)
                        rows[DisciplineIncident].append(
                            (
                                student.pk,
                                code,
                                rng.choice(INCIDENT_LOCATIONS),
                                rng.choice(INCIDENT_DESCRIPTIONS[code]),
                                occurred_at,
                                exact,
                            )
                        )
                note_types = self._note_types(grade_then)
                for _ in range(rng.randint(0, 3) + (1 if person else 0)):
                    restricted = bool(restricted_writers) and rng.random() < (0.3 if person else 0.08)
                    text = " ".join(rng.sample(NOTE_SENTENCES, k=2))
                    rows[EventNote].append(
                        (
                            student.pk,
                            rng.choice(restricted_writers if restricted else writers).pk,
                            rng.choice(note_types),
                            "" if restricted else text,
                            text if restricted else "",
                            restricted,
                            self._moment(rng.choice(days), datetime.time(rng.randint(8, 16), rng.randint(0, 59))),
                        )
                    )
                self._assessments(rows, student, year, grade_then, days)
            self._services_and_plans(rows, student, writers, days_by_year)
            if number % HISTORY_BATCH_STUDENTS == 0:
                for model, table in tables.items():
                    table.write(rows[model])
                    rows[model].clear()
        for model, table in tables.items():
            table.write(rows[model])
            self.summary.rows[model._meta.verbose_name_plural] = table.written

    def _moment(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        """That day's time in the district's time zone (as ``make_aware`` gives, with the zone looked up once),
        or the end of the history if that is earlier: a district seeded at 9:10 holds nothing recorded at 15:00
        (an incident known by its day alone is not timed, and stays at noon)."""
        moment = datetime.datetime.combine(day, time, tzinfo=self.time_zone)
        if self.history_ends is not None and moment > self.history_ends:
            return self.history_ends
        return moment

    def _assessments(self, rows, student, year, grade_then, days):
        rng = self.rng
        if 2 <= grade_then <= 9:  # grades 1-8 take STAR in fall, winter and spring
            for month in (9, 1, 5):
                on = datetime.date(year if month >= 8 else year + 1, month, 15)
                if on > self.today:
                    continue
                for subject in ("Reading", "Math"):
                    rows[StarResult].append(
                        (
                            student.pk,
                            subject,
                            self._moment(on, datetime.time(10)),
                            self._next_star_percentile(subject),
                        )
                    )
        spring = datetime.date(year + 1, 5, 1)
        if (4 <= grade_then <= 9 or grade_then == 11) and spring <= self.today:  # grades 3-8 and 10
            for subject in ("ELA", "Math"):
                score = rng.randint(440, 560)
                level = "E" if score >= 530 else "M" if score >= 500 else "PM" if score >= 470 else "NM"
                rows[McasResult].append((student.pk, subject, spring, score, level, rng.randint(1, 99)))
        if student.limited_english_proficiency != "Fluent" and datetime.date(year + 1, 2, 1) <= self.today:
            rows[AccessResult].append(
                (
                    student.pk,
                    datetime.date(year + 1, 2, 1),
                    rng.randint(200, 400),
                    Decimal(f"{rng.uniform(1, 5.9):.1f}"),
                )
            )

    def _next_star_percentile(self, subject: str) -> int:
        """The student's next STAR percentile: a step of at most STAR_STEP from the last, within 1-99.

        ``_star_levels`` holds the current student's last percentile per subject (reset per student)."""
        last = self._star_levels.get(subject)
        level = self.rng.randint(*STAR_START) if last is None else last + self.rng.randint(-STAR_STEP, STAR_STEP)
        self._star_levels[subject] = min(99, max(1, level))
        return self._star_levels[subject]

    def _services_and_plans(self, rows, student, writers, days_by_year):
        rng = self.rng
        if rng.random() < 0.2 or student.program_assigned == "Sp Ed":
            for _ in range(rng.randint(1, 2)):
                year = rng.choice(list(days_by_year))
                if not days_by_year[year]:
                    continue
                start = rng.choice(days_by_year[year])
                stopped = rng.random() < 0.5 and start < self.today - datetime.timedelta(days=30)
                writer = rng.choice(writers)
                rows[Service].append(
                    (
                        student.pk,
                        rng.choice(ServiceType.values),
                        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        start,
                        start + datetime.timedelta(days=rng.choice([60, 90, 180])),
                        writer.pk,
                        self._moment(start + datetime.timedelta(days=30), datetime.time(12)) if stopped else None,
                        writer.pk if stopped else None,
                    )
                )
        if student.plan_504 == "504":
            rows[Plan504].append(
                (
                    student.pk,
                    school_year_start(self.current_year - 1),
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "\n".join(
                        rng.sample(
                            [
                                "Extended time on tests",
                                "Preferential seating",
                                "Breaks as needed",
                                "Copy of class notes",
                                "Tests read aloud",
                            ],
                            k=3,
                        )
                    ),
                )
            )
        if student.program_assigned == "Sp Ed":
            rows[Iep].append(
                (
                    student.pk,
                    school_year_start(self.current_year),
                    school_year_start(self.current_year + 1),
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "Annual review in the spring; progress reports each term.",
                )
            )

    # --- grants ---------------------------------------------------------------------------
