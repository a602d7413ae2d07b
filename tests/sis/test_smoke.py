from students.models import Homeroom, Student
from students.sis.models import ImportRun
from students.sis.receive import receive_path
from students.sis.runs import run_import


def test_a_small_package_imports(packages, importer):
    run = receive_path(packages.basic(), triggered_by=importer)
    run = run_import(run, actor=importer)
    assert run.status == ImportRun.Status.APPLIED, run.error
    assert Student.objects.count() == 12
    print(run.counts, run.row_error_count, list(run.row_errors.values_list("file","column","code")))
    assert Homeroom.objects.get(name="3-A").educator.email == "ms.rivera@district.example"
    print(run.counts, run.stage_timings)
