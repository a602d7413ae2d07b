"""The roster's filters are built by a template tag (roster_display.filter_fields) for speed: its markup is
byte for byte what Django's field groups render, for valid, invalid and missing choices alike."""

import pytest
from django.http import QueryDict

from students.forms import RosterFilterForm
from students.models import Homeroom
from students.selectors import roster_choices
from students.templatetags.roster_display import filter_fields

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "grade=5&sped=yes&plan_504=no&english_learner=former&absences=1-4&incidents=5-plus&include_inactive=on&sort=tier",
    "grade=99&sort=shoe_size&sped=maybe&homeroom=abc&absences=",
    "homeroom=999999&english_learner=no&incidents=none&sort=name&grade=5&grade=3",
    "include_inactive=off&plan_504=yes&absences=10-plus&sort=",
]


def django_rendered(form) -> str:
    return "".join(f'<div class="field">{field.as_field_group()}</div>' for field in form.visible_fields())


@pytest.mark.parametrize("query", QUERIES)
def test_the_filters_markup_is_what_djangos_field_groups_render(demo, query):
    baker = demo.school("BAK")
    Homeroom.objects.filter(pk=demo.homeroom("5-201").pk).update(name="5-201 <b>&'\"")
    grades, homerooms = roster_choices(school=baker)
    homeroom = homerooms[0]
    form = RosterFilterForm(
        QueryDict(query.replace("homeroom=abc", f"homeroom=abc&homeroom={homeroom.pk}")),
        grades=grades,
        homerooms=homerooms,
    )
    form.is_valid()
    form.show_counts({"grade": {grade: 1000 + number for number, grade in enumerate(grades)}, "sped": {"yes": 3}})
    assert filter_fields(form) == django_rendered(form)
    assert "<b>" not in filter_fields(form)
