"""Views and template tags read student data only through students.selectors (and write through services):
a view that queries a model itself would skip the access policy and the audit recorder."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = [
    *sorted((ROOT / "students" / "views").glob("*.py")),
    *sorted((ROOT / "students" / "templatetags").glob("*.py")),
]


def model_queries(path: Path) -> list[str]:
    """Every `Something.objects` (and `._default_manager`, `.raw`) in the file, as written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "_base_manager"):
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


def test_the_checked_folders_hold_the_views():
    assert {path.stem for path in CHECKED} >= {"home", "profile", "notes", "services", "rosters", "search"}


@pytest.mark.parametrize("path", CHECKED, ids=lambda path: str(path.relative_to(ROOT)))
def test_views_and_template_tags_never_query_models_directly(path):
    assert model_queries(path) == []
    assert "connection.cursor" not in path.read_text()
