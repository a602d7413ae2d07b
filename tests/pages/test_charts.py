"""Server-side SVG charts: geometry within the plot, a data table as the text alternative, no inline styles."""

import datetime

from students import charts
from students.templatetags.students_display import chart_figure


def figure(chart: charts.Chart, **context) -> str:
    """The chart's figure as a page's template draws it (``{% chart_figure chart %}``)."""
    return chart_figure(context, chart)


def test_nice_ticks_are_round_and_cover_the_maximum():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(23) == [0, 5, 10, 15, 20, 25]


def test_months_between_includes_both_ends_across_a_new_year():
    months = charts.months_between(datetime.date(2026, 11, 20), datetime.date(2027, 2, 3))
    assert months == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


def test_a_bar_chart_scales_bars_to_the_plot_and_tabulates_nonzero_months():
    chart = charts.bar_chart(
        chart_id="c",
        title="Absences",
        categories=["Sep 2026", "Oct 2026", "Nov 2026"],
        series=[("Absences", [2, 0, 4]), ("Tardies", [1, 0, 0])],
        unit="absences",
    )
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.description == "Nov 2026: 4 absences"
    assert round(tallest.y + tallest.height, 1) == chart.plot_bottom
    assert all(bar.x >= charts.LEFT and bar.x + bar.width <= chart.plot_right for bar in chart.bars)
    assert chart.table_rows == (("Sep 2026", "2", "1"), ("Nov 2026", "4", "0"))
    assert chart.summary == "6 absences, 1 tardies from Sep 2026 to Nov 2026."


def test_an_empty_bar_chart_says_there_is_nothing():
    chart = charts.bar_chart(
        chart_id="c", title="Incidents", categories=["Sep 2026"], series=[("Incidents", [0])], unit="incidents"
    )
    assert chart.is_empty
    html = figure(chart)
    assert "<svg" not in html


def test_a_line_chart_places_points_in_time_order_and_summarises_the_latest():
    chart = charts.line_chart(
        chart_id="star",
        title="STAR",
        series=[("Reading", [(datetime.date(2026, 5, 15), 40), (datetime.date(2025, 9, 15), 20)]), ("Math", [])],
        y_range=(0, 100),
        unit="STAR",
    )
    reading = chart.lines[0].points
    assert reading[0].x < reading[1].x
    assert reading[0].y > reading[1].y  # a higher percentile is drawn higher up
    assert chart.summary == "2 STAR results from September 2025 to May 2026; latest: Reading 40."
    assert chart.table_rows == (("Sep 15, 2025", "20", "–"), ("May 15, 2026", "40", "–"))
    assert [tick.label for tick in chart.x_ticks] == ["2026"]


def test_a_rendered_chart_is_an_image_with_a_title_a_description_and_a_table_and_no_style():
    chart = charts.line_chart(
        chart_id="mcas",
        title="MCAS <scores>",
        series=[("ELA", [(datetime.date(2025, 5, 1), 480), (datetime.date(2026, 5, 1), 510)])],
        y_range=(400, 560),
        unit="MCAS",
    )
    html = figure(chart)
    assert 'role="img" aria-labelledby="mcas-title mcas-desc"' in html
    assert "MCAS &lt;scores&gt;" in html
    assert "<table>" in html
    assert "style=" not in html
    assert "<style" not in html


def test_a_rendered_chart_draws_every_bar_point_and_table_row_with_its_text_escaped():
    bars = charts.bar_chart(
        chart_id="c",
        title="Absences",
        categories=["Sep <2026>", "Oct 2026"],
        series=[("Absences", [2, 3])],
        unit="absences",
    )
    html = figure(bars)
    for bar in bars.bars:
        assert f'x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}"' in html
    assert "<title>Sep &lt;2026&gt;: 2 absences</title>" in html and "<2026>" not in html
    assert '<tr><th scope="row">Sep &lt;2026&gt;</th><td class="number">2</td></tr>' in html
    assert html.count("<rect ") == 2 and html.count('<line class="grid"') == len(bars.y_ticks)
    lines = charts.line_chart(
        chart_id="star",
        title="STAR",
        series=[("Reading", [(datetime.date(2025, 9, 15), 20), (datetime.date(2026, 5, 15), 40)])],
        y_range=(0, 100),
        unit="STAR",
    )
    html = figure(lines)
    assert f'points="{lines.lines[0].polyline}"' in html
    assert all(f'cx="{point.x}" cy="{point.y}"' in html for point in lines.lines[0].points)


def test_a_pdfs_chart_carries_its_own_styles_and_a_legend_names_each_series():
    chart = charts.bar_chart(
        chart_id="c",
        title="Absences",
        categories=["Sep 2026"],
        series=[("Absences", [2]), ("Tardies & <late>", [1])],
        unit="absences",
    )
    page, pdf = figure(chart), figure(chart, for_pdf=True)
    assert "<style" not in page and "<style>" in pdf and ".series-1 {" in pdf
    assert '<li><span class="swatch series-2"></span>Tardies &amp; &lt;late&gt;</li>' in page
    assert '<th scope="col">Month</th><th scope="col" class="number">Absences</th>' in page
    assert '<figure class="chart" aria-labelledby="c-caption"><figcaption id="c-caption">Absences</figcaption>' in page
