"""OneRoster 1.1 and 1.2 bulk CSV as data: the files Insights reads, their columns in the spec's order.

Columns are listed in the order the specification fixes (1EdTech OneRoster 1.1 CSV tables and
OneRoster 1.2.1 CSV binding); the reader checks headers against these lists. Files the spec
defines but Insights has no use for (gradebook, resources, user profiles) are recognised so a
package declaring them is not mistaken for a broken one.
"""

from dataclasses import dataclass

VERSIONS = ("1.1", "1.2")
STATUSES = frozenset({"active", "tobedeleted", "inactive"})  # inactive: the 1.0 spelling of tobedeleted
GRADES_CEDS = ("IT", "PR", "PK", "TK", "KG", *(f"{n:02d}" for n in range(1, 14)), "PS", "UG", "Other")

COMMON = ("sourcedId", "status", "dateLastModified")


@dataclass(frozen=True)
class OneRosterFile:
    """One OneRoster file: its columns in order, which must hold a value, and older header spellings."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()  # (spelling in older packages, the spec's name)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


ORGS = OneRosterFile(
    "orgs", (*COMMON, "name", "type", "identifier", "parentSourcedId"), required=("sourcedId", "name", "type")
)
ACADEMIC_SESSIONS = OneRosterFile(
    "academicSessions",
    (*COMMON, "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
    required=("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
)
COURSES = OneRosterFile(
    "courses",
    (*COMMON, "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"),
    required=("sourcedId", "title", "orgSourcedId"),
)
CLASSES = OneRosterFile(
    "classes",
    (
        *COMMON,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    required=("sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
)
ENROLLMENTS = OneRosterFile(
    "enrollments",
    (*COMMON, "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"),
    required=("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
)
DEMOGRAPHICS = OneRosterFile(
    "demographics",
    (
        *COMMON,
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ),
    required=("sourcedId",),
    aliases=(("userSourcedId", "sourcedId"), ("birthdate", "birthDate")),
)
USER_NAMES = ("username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone")
USERS_11 = OneRosterFile(
    "users",
    (*COMMON, "enabledUser", "orgSourcedIds", "role", *USER_NAMES, "agentSourcedIds", "grades", "password"),
    required=("sourcedId", "enabledUser", "orgSourcedIds", "role", "givenName", "familyName"),
)
USERS_12 = OneRosterFile(
    "users",
    (
        *COMMON,
        "enabledUser",
        *USER_NAMES,
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    required=("sourcedId", "enabledUser", "givenName", "familyName"),
)
ROLES = OneRosterFile(
    "roles",
    (*COMMON, "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"),
    required=("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
)

# The rostering files Insights reads, per version, and which of them a package must have.
READ = {
    "1.1": (ORGS, ACADEMIC_SESSIONS, COURSES, CLASSES, USERS_11, ENROLLMENTS, DEMOGRAPHICS),
    "1.2": (ORGS, ACADEMIC_SESSIONS, COURSES, CLASSES, USERS_12, ROLES, ENROLLMENTS, DEMOGRAPHICS),
}
OPTIONAL = frozenset({"demographics"})
# Files of the spec that carry nothing Insights keeps; declared or present, they are ignored with a warning.
NOT_READ = {
    "1.1": ("categories", "classResources", "courseResources", "lineItems", "resources", "results"),
    "1.2": (
        "categories",
        "classResources",
        "courseResources",
        "lineItems",
        "resources",
        "results",
        "userProfiles",
        "userResources",
        "scoreScales",
        "lineItemScoreScales",
        "resultScoreScales",
        "lineItemLearningObjectiveIds",
        "resultLearningObjectiveIds",
    ),
}

ORG_TYPES = {
    "1.1": frozenset({"department", "school", "district", "local", "state", "national"}),
    "1.2": frozenset({"department", "school", "district", "local", "state", "national"}),
}
SESSION_TYPES = frozenset({"term", "gradingPeriod", "schoolYear", "semester"})
CLASS_TYPES = frozenset({"homeroom", "scheduled"})
ROLE_TYPES = frozenset({"primary", "secondary"})
USER_ROLES = {
    "1.1": frozenset({"teacher", "student", "parent", "guardian", "relative", "aide", "administrator"}),
    "1.2": frozenset(
        {
            "aide",
            "counselor",
            "districtAdministrator",
            "guardian",
            "parent",
            "principal",
            "proctor",
            "relative",
            "siteAdministrator",
            "student",
            "systemAdministrator",
            "teacher",
        }
    ),
}
ENROLLMENT_ROLES = {
    "1.1": frozenset({"student", "teacher", "parent", "guardian", "relative", "aide", "administrator"}),
    "1.2": frozenset({"administrator", "proctor", "student", "teacher"}),
}
# OneRoster roles that are staff, and the Insights staff type each becomes (guardians are not imported).
STAFF_TYPES = {
    "teacher": "teacher",
    "aide": "other",
    "administrator": "administrator",
    "counselor": "counselor",
    "principal": "principal",
    "siteAdministrator": "principal",
    "districtAdministrator": "administrator",
    "proctor": "other",
    "systemAdministrator": "other",
}
SEX_TO_GENDER = {"female": "F", "male": "M", "other": "N", "unspecified": ""}
RACE_COLUMNS = (
    ("americanIndianOrAlaskaNative", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("blackOrAfricanAmerican", "Black or African American"),
    ("nativeHawaiianOrOtherPacificIslander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
)
