"""Every page and command that can appear in a student's access record has words a family understands."""

import ast
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

from audit.actions import describe_action

ROOT = Path(__file__).resolve().parents[2]
APPS = ("students", "educators", "permissions", "audit", "privacy", "destruction")


def named_routes(resolver=None, prefix: str = "") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found += named_routes(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif pattern.name:
            found.append(prefix + pattern.name)
    return found


def recorded_actions_in_code() -> set[str]:
    """Commands whose runs are recorded (RecordedCommand subclasses) and every literal command_recording action."""
    actions = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and path.parent.name == "commands"
                    and any(
                        ast.unparse(base).endswith("Command") and ast.unparse(base) != "BaseCommand"
                        for base in node.bases
                    )
                ):
                    actions.add(path.stem)
                if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("command_recording"):
                    for keyword in node.keywords:
                        if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                            actions.add(keyword.value.value)
    return actions


STUDENT_DATA_ROUTES = [
    route
    for route in named_routes()
    if route.startswith(
        ("students:", "admin:audit_report_", "admin:sis_importrun_", "admin:privacy_", "admin:destruction_")
    )
    and not route.endswith(("_add", "_change", "_changelist", "_delete", "_history"))
]


def test_the_routes_checked_include_the_pages_families_ask_about():
    assert {"students:profile", "students:school_roster_csv", "admin:privacy_download"} <= set(STUDENT_DATA_ROUTES)


@pytest.mark.parametrize("route", STUDENT_DATA_ROUTES)
def test_every_student_data_page_is_described_in_words(route):
    assert describe_action(route) != route, f"add {route!r} to an AUDIT_ACTION_WORDS dict"


@pytest.mark.parametrize(
    "action", sorted(recorded_actions_in_code() - {"audit_purge", "audit_checkpoint", "audit_verify"})
)
def test_every_recorded_command_and_job_is_described_in_words(action):
    assert describe_action(action) != action, f"add {action!r} to an AUDIT_ACTION_WORDS dict"


def test_admin_pages_of_student_models_are_described_from_the_model():
    assert describe_action("admin:students_absence_changelist") == "listed absences in the admin"
