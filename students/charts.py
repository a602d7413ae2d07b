"""Charts drawn on the server as inline SVG, each with a data table as its text alternative.

No chart library and no script: the geometry is computed here and the ``chart_figure`` tag
(students/templatetags/students_display.py) draws it with SVG presentation attributes and CSS
classes, so charts work under a strict Content Security Policy, without JavaScript, in print, and
for screen readers (who get the table). The shapes and the table's rows are written here too: a
profile's charts hold hundreds of them, and drawing each through the template language cost more
than all of the page's queries (every text is escaped with the standard library's html.escape,
which Django's escape wraps).
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls, without its lazy-string check per call

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 36
MAX_X_LABELS = 12
MAX_BAR_WIDTH = 28
# Scaled scores run 440-560 on the current MCAS; older results (200-280) pull the axis down.
MCAS_CHART_FLOOR = 400
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    name: str
    css_class: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    description: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    description: str


@dataclass(frozen=True)
class Line:
    css_class: str
    points: tuple[Point, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


@dataclass(frozen=True)
class Chart:
    """Everything a chart's figure (the chart_figure tag) draws; bars for bar charts, lines for line charts."""

    chart_id: str
    title: str
    summary: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    legend: tuple[LegendEntry, ...]
    table_columns: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    bars: tuple[Bar, ...] = ()
    lines: tuple[Line, ...] = ()
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def is_empty(self) -> bool:
        return not self.table_rows

    @property
    def shapes(self) -> SafeString:
        """The SVG's grid, axes, bars and lines as markup, every text escaped."""
        left, right, bottom = self.plot_left, self.plot_right, self.plot_bottom
        parts = []
        for tick in self.y_ticks:
            parts.append(
                f'<line class="grid" x1="{left}" x2="{right}" y1="{tick.position}" y2="{tick.position}"></line>'
                f'<text x="{left - 6}" y="{tick.position}" text-anchor="end" dominant-baseline="middle">'
                f"{escape(tick.label)}</text>"
            )
        parts.append(f'<line class="axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"></line>')
        parts.extend(
            f'<text x="{tick.position}" y="{bottom + 18}" text-anchor="middle">{escape(tick.label)}</text>'
            for tick in self.x_ticks
        )
        parts.extend(
            f'<rect class="{escape(bar.css_class)}" x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}">'
            f"<title>{escape(bar.description)}</title></rect>"
            for bar in self.bars
        )
        for line in self.lines:
            css_class = escape(line.css_class)
            if len(line.points) > 1:
                parts.append(f'<polyline class="{css_class} series-line" points="{line.polyline}"></polyline>')
            parts.extend(
                f'<circle class="{css_class}" cx="{point.x}" cy="{point.y}" r="3.5">'
                f"<title>{escape(point.description)}</title></circle>"
                for point in line.points
            )
        return mark_safe("\n".join(parts))  # noqa: S308 (every text escaped above; the numbers are ours)

    @property
    def table_body(self) -> SafeString:
        """The data table's rows as markup (the first cell heads its row), every cell escaped."""
        rows = (
            f'<tr><th scope="row">{escape(first)}</th>'
            + "".join(f'<td class="number">{escape(cell)}</td>' for cell in rest)
            + "</tr>"
            for first, *rest in self.table_rows
        )
        return mark_safe("\n".join(rows))  # noqa: S308 (every cell escaped above)


def month_label(month: datetime.date) -> str:
    return f"{MONTH_ABBREVIATIONS[month.month - 1]} {month.year}"


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every first-of-month from first's month to last's month, inclusive."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def nice_ticks(maximum: float, *, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least maximum, at most about `count` of them."""
    if maximum <= 0:
        return [0, 1]
    raw_step = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    step = max(step, 1)
    top = math.ceil(maximum / step) * step
    return [step * index for index in range(int(top / step) + 1)]


def _date_label(day: datetime.date) -> str:
    return f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.day}, {day.year}"


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _y_scale(low: float, high: float, height: int):
    bottom, span = height - BOTTOM, height - BOTTOM - TOP

    def scale(value: float) -> float:
        return bottom - (value - low) / (high - low) * span

    return scale


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    unit: str,
    category_label: str = "Month",
) -> Chart:
    """Grouped bars: one group per category (e.g. month), one bar per series (e.g. absences, tardies)."""
    totals = [sum(values) for _name, values in series]
    table_rows = tuple(
        (category, *(str(values[index]) for _name, values in series))
        for index, category in enumerate(categories)
        if any(values[index] for _name, values in series)
    )
    parts = ", ".join(f"{total} {name.lower()}" for (name, _values), total in zip(series, totals, strict=True))
    summary = f"{parts} from {categories[0]} to {categories[-1]}." if categories else f"No {unit} recorded."
    ticks = nice_ticks(max((max(values, default=0) for _name, values in series), default=0))
    scale = _y_scale(0, ticks[-1], HEIGHT)
    plot_width = WIDTH - LEFT - RIGHT
    group_width = plot_width / max(len(categories), 1)
    bar_width = min(group_width * 0.8 / max(len(series), 1), MAX_BAR_WIDTH)
    group_offset = (group_width - bar_width * len(series)) / 2
    bars = []
    for series_index, (name, values) in enumerate(series):
        for index, value in enumerate(values):
            if not value:
                continue
            top = scale(value)
            bars.append(
                Bar(
                    x=round(LEFT + index * group_width + group_offset + series_index * bar_width, 1),
                    y=round(top, 1),
                    width=round(bar_width, 1),
                    height=round(scale(0) - top, 1),
                    css_class=f"series-{series_index + 1}",
                    description=f"{categories[index]}: {value} {name.lower()}",
                )
            )
    every = math.ceil(len(categories) / MAX_X_LABELS) if categories else 1
    x_ticks = tuple(
        Tick(round(LEFT + (index + 0.5) * group_width, 1), _short_category(category))
        for index, category in enumerate(categories)
        if index % every == 0
    )
    return Chart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        y_ticks=tuple(Tick(round(scale(value), 1), _format(value)) for value in ticks),
        x_ticks=x_ticks,
        legend=tuple(LegendEntry(name, f"series-{index + 1}") for index, (name, _values) in enumerate(series)),
        table_columns=(category_label, *(name for name, _values in series)),
        table_rows=table_rows,
        bars=tuple(bars),
    )


def _short_category(category: str) -> str:
    """'Sep 2026' -> 'Sep ’26' so a year of month labels fits under the bars."""
    month, _space, year = category.partition(" ")
    return f"{month} ’{year[-2:]}" if year.isdigit() and len(year) == 4 else category


def line_chart(
    *,
    chart_id: str,
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[datetime.date, int]]]],
    y_range: tuple[int, int],
    unit: str,
) -> Chart:
    """Values over time, one line per series, on a fixed vertical range (e.g. percentiles 0–100)."""
    dates = sorted({day for _name, points in series for day, _value in points})
    low, high = y_range
    scale = _y_scale(low, high, HEIGHT)
    if dates:
        first, last = dates[0].toordinal(), dates[-1].toordinal()
    else:
        first = last = 0
    span = max(last - first, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x_of(day: datetime.date) -> float:
        if first == last:
            return LEFT + plot_width / 2
        return LEFT + (day.toordinal() - first) / span * plot_width

    lines = tuple(
        Line(
            css_class=f"series-{index + 1}",
            points=tuple(
                Point(round(x_of(day), 1), round(scale(value), 1), f"{name}, {_date_label(day)}: {value}")
                for day, value in sorted(points)
            ),
        )
        for index, (name, points) in enumerate(series)
    )
    step = nice_ticks(high - low, count=4)[1]
    y_values = [low + step * index for index in range(int((high - low) / step) + 1)]
    by_date = [dict(points) for _name, points in series]
    table_rows = tuple(
        (_date_label(day), *(str(values[day]) if day in values else "–" for values in by_date)) for day in dates
    )
    latest = [f"{name} {points[-1][1]}" for name, points in ((n, sorted(p)) for n, p in series) if points]
    if dates:
        summary = f"{len(table_rows)} {unit} results from {dates[0]:%B %Y} to {dates[-1]:%B %Y}; latest: " + (
            ", ".join(latest) + "."
        )
    else:
        summary = f"No {unit} results recorded."
    return Chart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        y_ticks=tuple(Tick(round(scale(value), 1), _format(value)) for value in y_values),
        x_ticks=_year_ticks(dates, x_of),
        legend=tuple(LegendEntry(name, f"series-{index + 1}") for index, (name, _points) in enumerate(series)),
        table_columns=("Date", *(name for name, _points in series)),
        table_rows=table_rows,
        lines=lines,
    )


def _year_ticks(dates: list[datetime.date], x_of) -> tuple[Tick, ...]:
    """A tick at each New Year inside the range, or the first and last dates when there is none."""
    if not dates:
        return ()
    years = range(dates[0].year + 1, dates[-1].year + 1)
    if years:
        every = math.ceil(len(years) / MAX_X_LABELS)
        return tuple(
            Tick(round(x_of(datetime.date(year, 1, 1)), 1), str(year))
            for index, year in enumerate(years)
            if index % every == 0
        )
    labels = {dates[0]: f"{dates[0]:%b %Y}", dates[-1]: f"{dates[-1]:%b %Y}"}
    return tuple(Tick(round(x_of(day), 1), label) for day, label in labels.items())


# --- the profile's charts --------------------------------------------------------------------------
def attendance_chart(attendance) -> Chart:
    """Absences and tardies by month (a students.selectors.profile.MonthlyAttendance)."""
    return bar_chart(
        chart_id="attendance-chart",
        title="Absences and tardies by month",
        categories=[month_label(month) for month in attendance.months],
        series=[("Absences", attendance.absences), ("Tardies", attendance.tardies)],
        unit="absences or tardies",
    )


def incidents_chart(incidents, *, since: datetime.date, until: datetime.date) -> Chart:
    """Discipline incidents by month, from `since` (or the earliest incident shown) to `until`."""
    local_months = [timezone.localdate(incident.occurred_at).replace(day=1) for incident in incidents]
    months = months_between(min([since, *local_months]), until)
    counts = {month: local_months.count(month) for month in set(local_months)}
    return bar_chart(
        chart_id="incidents-chart",
        title="Discipline incidents by month",
        categories=[month_label(month) for month in months],
        series=[("Incidents", [counts.get(month, 0) for month in months])],
        unit="incidents",
    )


def star_chart(scores) -> Chart:
    """STAR reading and math percentile ranks over time (students.selectors.profile.Score rows)."""
    series = [
        (subject, [(score.day, score.score) for score in scores if (score.test, score.subject) == ("STAR", subject)])
        for subject in ("Reading", "Math")
    ]
    return line_chart(chart_id="star-chart", title="STAR percentile rank", series=series, y_range=(0, 100), unit="STAR")


def mcas_chart(scores) -> Chart:
    """MCAS scaled scores (ELA and math) over time (students.selectors.profile.Score rows)."""
    series = [
        (subject, [(score.day, score.score) for score in scores if (score.test, score.subject) == ("MCAS", subject)])
        for subject in ("ELA", "Math")
    ]
    lowest = min((score for _subject, points in series for _day, score in points), default=MCAS_CHART_FLOOR)
    floor = min(MCAS_CHART_FLOOR, lowest // 20 * 20)
    return line_chart(
        chart_id="mcas-chart", title="MCAS scaled score", series=series, y_range=(floor, 560), unit="MCAS"
    )


def access_chart(results) -> Chart:
    """ACCESS for ELLs composite proficiency level (1 to 6) by year (students.models.AccessResult rows)."""
    points = [(result.taken_on, float(result.composite_proficiency_level)) for result in results]
    return line_chart(
        chart_id="access-chart",
        title="ACCESS composite proficiency level",
        series=[("Composite level", points)],
        y_range=(0, 6),
        unit="ACCESS",
    )


# --- the school dashboards' charts -----------------------------------------------------------------
def dashboard_charts(dashboard) -> list[Chart]:
    """A dashboard's charts (students.selectors.dashboards.Dashboard): by month, by week, then each breakdown."""
    name = dashboard.measure.title
    noun = dashboard.measure.noun
    months = months_between(dashboard.filters.since.replace(day=1), dashboard.filters.until)
    per_month = dict(dashboard.by_month)
    charts = [
        bar_chart(
            chart_id="by-month",
            title=f"{name} by month",
            categories=[month_label(month) for month in months],
            series=[(name, [per_month.get(month, 0) for month in months])],
            unit=noun,
        ),
        bar_chart(
            chart_id="by-week",
            title=f"{name} by week",
            categories=[f"Week of {week:%b} {week.day}" for week, _total in dashboard.by_week],
            series=[(name, [total for _week, total in dashboard.by_week])],
            unit=noun,
            category_label="Week",
        ),
    ]
    charts += [
        bar_chart(
            chart_id=f"by-{breakdown.key}",
            title=f"{name} {breakdown.title[0].lower()}{breakdown.title[1:]}",
            categories=[label for label, _total in breakdown.rows],
            series=[(name, [total for _label, total in breakdown.rows])],
            unit=noun,
            category_label=breakdown.category,
        )
        for breakdown in dashboard.breakdowns
    ]
    return charts
