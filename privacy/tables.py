"""Tables of a student's record, built from the models' own field names, help texts and code lists.

Every table of a family's record (and its data dictionary) is made the same way: the columns are
model fields, headed by their verbose names and explained by their help texts; a field with a code
list (``choices``) is shown by its meaning, and the dictionary lists every code with its meaning
(34 CFR 99.10(c): the district explains what the record says).
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst


@dataclass(frozen=True)
class Column:
    header: str
    description: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # code -> meaning


@dataclass
class Table:
    name: str  # the CSV file's name, without .csv
    title: str
    explanation: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


def cell(value) -> str | int | float | decimal.Decimal:
    """A value as a person reads it: dates and times in the district's zone, yes/no, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | decimal.Decimal):
        return value
    return str(value)


def field_column(model_field: models.Field) -> Column:
    choices = {str(code): str(meaning) for code, meaning in (model_field.choices or [])}
    return Column(capfirst(str(model_field.verbose_name)), str(model_field.help_text or ""), choices)


def field_value(instance: models.Model, model_field: models.Field):
    if model_field.choices:
        return getattr(instance, f"get_{model_field.name}_display")()
    if model_field.is_relation:
        related = getattr(instance, model_field.name)
        return getattr(related, "full_name", None) or ("" if related is None else str(related))
    return getattr(instance, model_field.attname)


def model_table(
    *, name: str, title: str, explanation: str, rows, fields: list[str], model: type[models.Model]
) -> Table:
    """A table of ``rows`` (instances of ``model``) with one column per named field."""
    model_fields = [model._meta.get_field(field_name) for field_name in fields]
    return Table(
        name=name,
        title=title,
        explanation=explanation,
        columns=[field_column(model_field) for model_field in model_fields],
        rows=[[cell(field_value(row, model_field)) for model_field in model_fields] for row in rows],
    )
