"""The demo district's named cast: schools, educators covering every role, and sample students.

Tests use this cast as the shared fixture for authorization matrices, so the names, emails and
grants here are part of the test contract: change them together with tests/permissions.
Every person here is fictional.
"""

from dataclasses import dataclass, field

EMAIL_DOMAIN = "demo.insights.example"


@dataclass(frozen=True)
class CastSchool:
    local_id: str
    name: str
    school_type: str
    grades: tuple[str, ...]


@dataclass(frozen=True)
class CastEducator:
    key: str
    full_name: str
    staff_type: str
    home_school: str | None  # school local id
    role: str  # what the README's demo-logins table says this person can see
    district_grant: bool = False
    school_grants: tuple[str, ...] = ()
    grade_grants: tuple[tuple[str, str], ...] = ()  # (school local id, grade)
    homeroom: tuple[str, str] | None = None  # (school local id, homeroom name) they teach
    sections: tuple[str, ...] = ()  # section codes they teach, e.g. "BIO-101-3"
    restricted_notes: bool = False
    sees_educators_with_access: bool = False
    sped_only: bool = False
    english_learners_only: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    manages_grants: bool = False
    reads_audit_reports: bool = False
    runs_privacy_operations: bool = False
    reviews_school_access: bool = False  # reviews the grants at their school's quarterly access review

    @property
    def email(self) -> str:
        return f"{self.key}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class CastStudent:
    key: str
    first_name: str
    last_name: str
    school: str
    grade: str
    homeroom: str | None = None
    sections: tuple[str, ...] = ()
    program: str = "Reg Ed"
    sped_level_of_need: str = ""
    plan_504: str = ""
    english_proficiency: str = "Fluent"
    home_language: str = "English"
    enrollment_status: str = "Active"
    missing_from_last_export: bool = False
    chronic_absence: bool = False
    failing: bool = False
    extra: dict = field(default_factory=dict)


ASHFORD, BAKER, RIVERSIDE = "ASH", "BAK", "RHS"

SCHOOLS = (
    CastSchool(ASHFORD, "Ashford Elementary", "ES", ("PK", "KF", "1", "2", "3", "4", "5")),
    CastSchool(BAKER, "Baker K-8", "K8", ("KF", "1", "2", "3", "4", "5", "6", "7", "8")),
    CastSchool(RIVERSIDE, "Riverside High", "HS", ("9", "10", "11", "12")),
)

# Named homerooms (school, name, grade); generated ones are added for every other school grade.
HOMEROOMS = (
    (ASHFORD, "K-101", "KF"),
    (BAKER, "5-201", "5"),
    (BAKER, "3-105", "3"),
)

# Named high-school sections: code -> (course number, description, section number, period, room).
SECTIONS = {
    "BIO-101-1": ("BIO-101", "Biology", "1", "1", "204"),
    "BIO-101-3": ("BIO-101", "Biology", "3", "3", "204"),
    "ALG-201-2": ("ALG-201", "Algebra II", "2", "2", "117"),
}

EDUCATORS = (
    CastEducator(
        "admin",
        "Avery Admin",
        "administrator",
        None,
        "District admin: manages accounts and grants in the admin; sees no students by being admin",
        is_staff=True,
        is_superuser=True,
        manages_grants=True,
    ),
    CastEducator(
        "privacy",
        "Parker Privacy",
        "administrator",
        None,
        "Privacy officer: reads audit reports, runs privacy operations; sees no students",
        is_staff=True,
        reads_audit_reports=True,
        runs_privacy_operations=True,
    ),
    CastEducator(
        "district",
        "Dana Whitfield",
        "administrator",
        None,
        "Districtwide: every student, with restricted notes",
        district_grant=True,
        restricted_notes=True,
        sees_educators_with_access=True,
    ),
    CastEducator(
        "principal.baker",
        "Priya Natarajan",
        "principal",
        BAKER,
        "Baker K-8 principal: every Baker student, restricted notes, who has access; reviews Baker's grants",
        school_grants=(BAKER,),
        restricted_notes=True,
        sees_educators_with_access=True,
        reviews_school_access=True,
    ),
    CastEducator(
        "teacher.k",
        "Kelly Moreau",
        "teacher",
        ASHFORD,
        "Kindergarten homeroom teacher at Ashford (K-101)",
        homeroom=(ASHFORD, "K-101"),
    ),
    CastEducator(
        "teacher.5",
        "Marcus Bell",
        "teacher",
        BAKER,
        "5th-grade homeroom teacher at Baker (5-201)",
        homeroom=(BAKER, "5-201"),
    ),
    CastEducator(
        "el.baker",
        "Lucia Ferreira",
        "el",
        BAKER,
        "English-learner teacher: Baker students who are not fluent in English",
        school_grants=(BAKER,),
        english_learners_only=True,
    ),
    CastEducator(
        "sped.ashford",
        "Sam Okonkwo",
        "sped",
        ASHFORD,
        "Special-education teacher: Ashford students in a special-education program",
        school_grants=(ASHFORD,),
        sped_only=True,
    ),
    CastEducator(
        "counselor.baker",
        "Cora Lindqvist",
        "counselor",
        BAKER,
        "Baker K-8 counselor: every Baker student, restricted notes",
        school_grants=(BAKER,),
        restricted_notes=True,
    ),
    CastEducator(
        "gradelead.baker",
        "Grant Oyelaran",
        "teacher",
        BAKER,
        "Grade 3 team lead at Baker: active Baker 3rd graders",
        grade_grants=((BAKER, "3"),),
    ),
    CastEducator(
        "counselor.riverside",
        "Helen Vasquez",
        "counselor",
        RIVERSIDE,
        "Riverside High counselor: every Riverside student, restricted notes; temporary access to one Baker 8th grader",
        school_grants=(RIVERSIDE,),
        restricted_notes=True,
    ),
    CastEducator(
        "housemaster.riverside",
        "Henry Adeyemi",
        "housemaster",
        RIVERSIDE,
        "Riverside housemaster (grades 9 and 10)",
        grade_grants=((RIVERSIDE, "9"), (RIVERSIDE, "10")),
    ),
    CastEducator(
        "teacher.biology",
        "Beatriz Souza",
        "teacher",
        RIVERSIDE,
        "Biology teacher at Riverside: sections BIO-101 periods 1 and 3",
        sections=("BIO-101-1", "BIO-101-3"),
    ),
    CastEducator(
        "teacher.algebra",
        "Arjun Mehta",
        "teacher",
        RIVERSIDE,
        "Algebra teacher at Riverside: section ALG-201 period 2",
        sections=("ALG-201-2",),
    ),
    CastEducator(
        "data.riverside",
        "Dmitri Volkov",
        "data_coordinator",
        RIVERSIDE,
        "Riverside data coordinator: every Riverside student",
        school_grants=(RIVERSIDE,),
    ),
    CastEducator("newhire", "Nora Quinn", "teacher", ASHFORD, "New hire: no access yet"),
    CastEducator(
        "inactive",
        "Ivan Petrov",
        "teacher",
        BAKER,
        "Inactive account (left the district): cannot sign in, sees nothing",
        school_grants=(BAKER,),
        is_active=False,
    ),
)

STUDENTS = (
    CastStudent("aisha", "Aisha", "Rahman", ASHFORD, "KF", homeroom="K-101", home_language="Bengali"),
    CastStudent(
        "eli",
        "Eli",
        "Johnson",
        ASHFORD,
        "2",
        program="Sp Ed",
        sped_level_of_need="Moderate",
        extra={"disability": "Specific learning disability", "sped_placement": "Partial inclusion"},
    ),
    CastStudent(
        "mateo",
        "Mateo",
        "Alvarez",
        BAKER,
        "5",
        homeroom="5-201",
        english_proficiency="Limited",
        home_language="Spanish",
        chronic_absence=True,
    ),
    CastStudent("jordan", "Jordan", "Okafor", BAKER, "5", homeroom="5-201", plan_504="504"),
    CastStudent(
        "lily",
        "Lily",
        "Chen",
        BAKER,
        "3",
        homeroom="3-105",
        program="Sp Ed",
        sped_level_of_need="High",
        english_proficiency="FLEP",
        home_language="Mandarin",
        extra={"disability": "Autism", "sped_placement": "Substantially separate"},
    ),
    CastStudent(
        "samira",
        "Samira",
        "Haddad",
        BAKER,
        "3",
        homeroom="3-105",
        enrollment_status="Withdrawn",
        missing_from_last_export=True,
        home_language="Arabic",
    ),
    CastStudent("ruby", "Ruby", "Santos", BAKER, "8", home_language="Portuguese"),
    CastStudent(
        "noah", "Noah", "Fitzgerald", RIVERSIDE, "10", sections=("BIO-101-3",), failing=True, chronic_absence=True
    ),
    CastStudent(
        "grace",
        "Grace",
        "Kim",
        RIVERSIDE,
        "9",
        sections=("BIO-101-1", "ALG-201-2"),
        english_proficiency="Limited",
        home_language="Korean",
    ),
    CastStudent("omar", "Omar", "Haddad", RIVERSIDE, "12", sections=("ALG-201-2",), enrollment_status="Transferred"),
    # Sheltered English immersion: an English-learner program, not special education.
    CastStudent(
        "yusuf", "Yusuf", "Demir", ASHFORD, "4", program="SEIP", english_proficiency="Limited", home_language="Turkish"
    ),
)

# Single-student grants: (educator key, student key, reason, days until expiry or None; negative = expired).
STUDENT_GRANTS = (
    ("counselor.riverside", "ruby", "Transition planning for 9th grade", 30),
    ("teacher.5", "lily", "Summer reading program (ended)", -10),
)
