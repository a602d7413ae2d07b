"""`manage.py import_sis`: a progress bar redrawn in place on a terminal, plain lines anywhere else; no
system checks of its own."""

import io
import re

from django.core.checks.registry import registry
from django.core.management import call_command

from students.models import Student
from students.sis.management.commands.import_sis import Command as ImportCommand
from tests.sis.conftest import STUDENTS


class Terminal(io.StringIO):
    """Output that says it is a terminal, as sys.stdout does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def run_command(path, importer, out) -> str:
    call_command("import_sis", str(path), "--actor", importer.email, stdout=out)
    return out.getvalue()


def test_on_a_terminal_the_bar_advances_in_place_to_the_end(packages, importer):
    output = run_command(packages.basic(), importer, Terminal())
    frames = [frame for frame in output.split("\r") if frame.startswith("[")]
    shares = [int(re.search(r"\] +(\d+)%", frame).group(1)) for frame in frames]
    assert len(frames) >= 4
    assert shares == sorted(shares) and shares[0] < shares[-2] < 100 and shares[-1] == 100
    assert "reading students.csv" in output and frames[-1].split("\n")[0].rstrip().endswith("finished")
    assert "Import run #" in output.split("\r")[-1]
    assert Student.objects.count() == len(STUDENTS)


def test_into_a_file_or_pipe_each_stage_is_one_plain_line(packages, importer):
    output = run_command(packages.basic(), importer, io.StringIO())
    lines = output.splitlines()
    assert "\r" not in output and not any(line.startswith("[") for line in lines)
    stages = [
        line.split(" (")[0] for line in lines[: lines.index(next(x for x in lines if x.startswith("Import run")))]
    ]
    assert stages == [
        "reading schools.csv",
        "reading educators.csv",
        "reading students.csv",
        "checking references",
        "comparing with the district's data",
    ]
    assert re.fullmatch(r"reading schools\.csv \(0% read\)", lines[0])


def test_an_import_leaves_the_system_checks_to_the_release_phase(packages, importer, monkeypatch):
    ran = []
    monkeypatch.setattr(
        registry, "registered_checks", {*registry.registered_checks, lambda **kwargs: ran.append(1) or []}
    )
    command = ImportCommand(stdout=io.StringIO())
    options = vars(
        command.create_parser("manage.py", "import_sis").parse_args([str(packages.basic()), "--actor", importer.email])
    )

    command.execute(*options.pop("args", ()), **options)

    assert Student.objects.count() == len(STUDENTS)
    assert not ran
    call_command("check", stdout=io.StringIO())
    assert ran  # the release phase's migrate and `check --deploy` still run every check
