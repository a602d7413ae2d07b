"""Hand-made Insights CSV packages for the import tests, and an educator allowed to import them."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import EducatorFactory

TODAY = timezone.localdate()  # the district's today, as the import reads dates
WINDOW_START = TODAY - datetime.timedelta(days=60)

SCHOOLS = [{"school_local_id": "ES1", "name": "Maple Elementary", "school_type": "ES"}]
EDUCATORS = [
    {
        "email": "ms.rivera@district.example",
        "full_name": "Ana Rivera",
        "local_id": "T1",
        "staff_type": "teacher",
        "school_local_id": "ES1",
        "homeroom": "3-A",
    },
]
STUDENTS = [
    {
        "local_id": f"S{n}",
        "state_id": f"ST{n}",
        "school_local_id": "ES1",
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "date_of_birth": "2017-03-01",
        "registration_date": "2022-09-01",
        "grade": "3",
        "enrollment_status": "Active",
        "homeroom": "3-A",
    }
    for n in range(1, 13)
]


def csv_text(rows: list[dict], header: list[str] | None = None) -> str:
    header = header or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def manifest_text(files, **overrides) -> str:
    values = {
        "insights.version": "1",
        "district.key": "demo",
        "generated_at": TODAY.isoformat(),
        "source.systemName": "Test SIS",
        "scope.schools": "*",
    }
    for name in files:
        values[f"file.{name}"] = "bulk"
    for name in ("attendance", "discipline_incidents"):
        if name in files:
            values[f"window.{name}.start"] = WINDOW_START.isoformat()
            values[f"window.{name}.end"] = TODAY.isoformat()
    values.update(overrides)
    return "propertyName,value\r\n" + "".join(
        f"{key},{value}\r\n" for key, value in values.items() if value is not None
    )


class PackageBuilder:
    """Writes a package folder: ``build(students=[...], schools=...)``; raw bytes or text may replace a file."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def build(self, manifest: dict | None = None, raw: dict[str, bytes] | None = None, **files) -> Path:
        self.count += 1
        folder = self.root / f"package{self.count}"
        folder.mkdir()
        names = [*files, *[name.removesuffix(".csv") for name in (raw or {}) if name != "manifest.csv"]]
        (folder / "manifest.csv").write_text(manifest_text(names, **(manifest or {})), encoding="utf-8")
        for name, rows in files.items():
            (folder / f"{name}.csv").write_text(rows if isinstance(rows, str) else csv_text(rows), encoding="utf-8")
        for name, content in (raw or {}).items():
            (folder / name).write_bytes(content)
        return folder

    def basic(self, **changes) -> Path:
        files = {"schools": SCHOOLS, "educators": EDUCATORS, "students": STUDENTS} | changes
        return self.build(**files)


@pytest.fixture
def packages(tmp_path) -> PackageBuilder:
    return PackageBuilder(tmp_path)


def make_importer(email="data.lead@district.example"):
    educator = EducatorFactory(email=email, full_name="Data Lead")
    educator.user_permissions.add(Permission.objects.get(content_type__app_label="sis", codename="run_imports"))
    return educator


@pytest.fixture
def importer(db):
    return make_importer()
