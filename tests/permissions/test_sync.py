"""Homeroom and section teachers' grants follow the SIS assignments; hand-made grants are never touched."""

from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import GrantChangeEvent
from audit.verify import verify
from permissions.models import GrantSource, HomeroomGrant, SectionGrant
from permissions.policy import visible_students
from permissions.reasons import access_reasons
from permissions.sync import SIS_REASON, sync_homeroom_grants, sync_section_grants, sync_sis_grants
from students.models import EducatorSectionAssignment, Homeroom


def manual_grant(model, educator, obj, codename, admin):
    permission = Permission.objects.get(content_type__app_label="students", codename=codename)
    return model.objects.create(
        user=educator, permission=permission, content_object=obj, reason="Co-teacher", granted_by=admin
    )


def test_the_seeded_district_is_already_in_sync(demo):
    result = sync_sis_grants()
    assert (result.added, result.removed) == (0, 0)
    assert not GrantChangeEvent.objects.exists()


def test_a_new_homeroom_teacher_takes_over_the_homeroom_grant(demo):
    homeroom, old, new = demo.homeroom("5-201"), demo.educator("teacher.5"), demo.educator("newhire")
    homeroom.educator = new
    homeroom.save()
    result = sync_homeroom_grants(homeroom, actor=demo.educator("admin"))
    assert (result.added, result.removed) == (1, 1)
    assert demo.student("mateo") not in visible_students(old)
    assert access_reasons(new, demo.student("mateo")) == ["homeroom 5-201 at Baker K-8"]
    grant = HomeroomGrant.objects.get(user=new, content_object=homeroom)
    assert (grant.source, grant.reason) == (GrantSource.SIS, SIS_REASON)
    events = {(e.educator_email, e.before is None, e.after is None) for e in GrantChangeEvent.objects.all()}
    assert events == {(old.email, False, True), (new.email, True, False)}
    assert set(GrantChangeEvent.objects.values_list("actor_email", flat=True)) == {demo.educator("admin").email}


def test_hand_made_grants_on_the_homeroom_are_never_touched(demo):
    homeroom, admin = demo.homeroom("5-201"), demo.educator("admin")
    co_teacher = manual_grant(HomeroomGrant, demo.educator("teacher.k"), homeroom, "view_homeroom_students", admin)
    newcomer = manual_grant(HomeroomGrant, demo.educator("newhire"), homeroom, "view_homeroom_students", admin)
    homeroom.educator = demo.educator("newhire")  # who already holds a hand-made grant on it
    homeroom.save()
    result = sync_homeroom_grants(homeroom)
    assert (result.added, result.removed) == (0, 1)
    assert set(HomeroomGrant.objects.filter(content_object=homeroom)) == {co_teacher, newcomer}
    assert HomeroomGrant.objects.get(pk=newcomer.pk).source == GrantSource.MANUAL
    homeroom.educator = None
    homeroom.save()
    assert (sync_homeroom_grants(homeroom).removed, HomeroomGrant.objects.filter(content_object=homeroom).count()) == (
        0,
        2,
    )


def test_section_grants_follow_the_teaching_assignments(demo):
    section = demo.section("BIO-101-1")
    algebra, biology = demo.educator("teacher.algebra"), demo.educator("teacher.biology")
    EducatorSectionAssignment.objects.create(educator=algebra, section=section)
    EducatorSectionAssignment.objects.filter(educator=biology, section=section).delete()
    result = sync_section_grants(section)
    assert (result.added, result.removed) == (1, 1)
    assert access_reasons(algebra, demo.student("grace")) == [
        "section ALG-201-2 period 2",
        "section BIO-101-1 period 1",
    ]
    assert access_reasons(biology, demo.student("grace")) == []
    assert GrantChangeEvent.objects.filter(actor_id__isnull=True, grant_kind="section").count() == 2


def test_the_full_sync_repairs_changes_made_in_bulk_and_spares_manual_grants(demo):
    admin = demo.educator("admin")
    kept = manual_grant(
        SectionGrant, demo.educator("newhire"), demo.section("ALG-201-2"), "view_section_students", admin
    )
    Homeroom.objects.filter(school__local_id="BAK").update(educator=demo.educator("newhire"))
    EducatorSectionAssignment.objects.filter(section=demo.section("ALG-201-2")).delete()
    baker_homerooms = Homeroom.objects.filter(school__local_id="BAK").count()
    result = sync_sis_grants()
    assert (result.added, result.removed) == (baker_homerooms, baker_homerooms + 1)
    assert SectionGrant.objects.get(content_object=demo.section("ALG-201-2")) == kept
    assert (sync_sis_grants().added, sync_sis_grants().removed) == (0, 0)


def test_the_nightly_command_reports_what_it_changed(demo, capsys):
    homeroom = demo.homeroom("K-101")
    homeroom.educator = demo.educator("newhire")
    homeroom.save()
    call_command("sync_sis_grants")
    assert capsys.readouterr().out.strip() == "SIS grants: 1 added, 1 removed."


def test_a_sync_records_its_grant_changes_in_one_batch_that_verifies(demo):
    Homeroom.objects.filter(school__local_id="BAK").update(educator=demo.educator("newhire"))
    changed = 2 * Homeroom.objects.filter(school__local_id="BAK").count()
    with CaptureQueriesContext(connection) as captured:
        result = sync_sis_grants()
    assert result.added + result.removed == changed == GrantChangeEvent.objects.count()
    inserts = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "audit_grantchangeevent"')
    ]
    assert len(inserts) == 1
    assert all(check.problem is None for check in verify())
    removed = GrantChangeEvent.objects.filter(after__isnull=True).values_list("educator_email", flat=True)
    assert set(removed) and demo.educator("newhire").email not in set(removed)
