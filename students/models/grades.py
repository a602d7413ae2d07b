"""Grade codes as the SIS exports them, in school order, and the school year they fall in."""

import datetime

GRADE_CODES = ["PK", "KF", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
GRADE_CHOICES = [(code, "Pre-K" if code == "PK" else "K" if code == "KF" else code) for code in GRADE_CODES]
GRADE_ORDER = {code: position for position, code in enumerate(GRADE_CODES)}

# A school year starts on August 1st and is named by the calendar year it starts in.
SCHOOL_YEAR_START_MONTH = 8


def school_year_of(day: datetime.date) -> int:
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_start(year: int) -> datetime.date:
    return datetime.date(year, SCHOOL_YEAR_START_MONTH, 1)


def school_year_label(year: int) -> str:
    return f"{year}–{str(year + 1)[-2:]}"
