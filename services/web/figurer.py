"""The statistics page's charts (issue #17 §1), drawn on the server as SVG by pygal and put in the page as
`<img src="data:image/svg+xml;base64,…">`.

Why pygal: a maintained charting library on PyPI whose output is plain SVG, so the page needs no script at all
(the web application's Content-Security-Policy allows none inline and nothing from another origin), the chart is
sharp at any width (360 px phones too) and the same numbers drawn are the ones the table beside it lists. An
image document neither runs scripts nor is touched by the page's CSP for its own `<style>`, which is why the SVG
goes in as an image (img-src allows data:) rather than inline. pygal adds a config script for its tooltips: it
is stripped (it would never run in an image, and the default tooltip script is from a CDN — `js=[]`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

from pygal import HorizontalBar
from pygal.style import Style

# Designsystemet's accent and neutral colours, contrast ≥ 4.5:1 on white for the text and ≥ 3:1 for the bars
STIL = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1e2b3c",
    foreground_strong="#1e2b3c",
    foreground_subtle="#68707c",
    opacity="1",
    opacity_hover="1",
    colors=("#0062ba", "#8a4900", "#1e7c3a", "#6b3fa0"),
    font_family="Inter, system-ui, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
)
_SKRIPT = re.compile(r"<script[^>]*>.*?</script>|<script[^>]*/>", re.S)


class _MedLandslinje(HorizontalBar):
    """A horizontal bar chart with a vertical line at the national value (the 2007 report's «landsgjennomsnitt»)."""

    landslinje: float | None = None

    def _plot(self) -> None:
        super()._plot()
        if self.landslinje is None:
            return
        # in a horizontal chart the view's y function maps a value to the horizontal position
        x = self.view.y(self.landslinje)
        plot = self.nodes["plot"]
        self.svg.node(
            plot,
            "path",
            d=f"M{x:.2f} 0 v{self.view.height:.2f}",
            style="stroke:#c01b1b;stroke-width:3;stroke-dasharray:8 4",
        )


def _bilde(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(_SKRIPT.sub("", svg).encode()).decode()


def _prosent(x: float) -> str:
    return f"{x:.0f} %".replace(".", ",")


def andel_per_fylke(fylker: Sequence[tuple[str, float]], landet: float | None) -> str:
    """Andel i jobb eller utdanning (in per cent) per fylke as bars, highest first, with the national line."""
    chart = _MedLandslinje(
        js=[],
        style=STIL,
        width=800,
        height=max(220, 70 + 34 * len(fylker)),
        range=(0, 100),
        show_legend=False,
        print_values=True,
        value_formatter=_prosent,
        show_y_guides=False,
        margin=12,
    )
    chart.landslinje = None if landet is None else landet * 100
    if landet is not None:
        chart.title = f"Rød stiplet strek: hele landet, {_prosent(landet * 100)}"
    # pygal draws a horizontal chart's first label at the bottom: reversed, the highest is on top
    chart.x_labels = [navn for navn, _ in reversed(fylker)]
    chart.add("Andel i jobb eller utdanning", [a * 100 for _, a in reversed(fylker)])
    return _bilde(chart.render(is_unicode=True))


def sluttarsak(grupper: Sequence[str], serier: Sequence[tuple[str, Sequence[float]]]) -> str:
    """The distribution of avsluttede over the måloppnåelse groups, in per cent of each line's avsluttede: one
    bar series per line (the country, and a kommune's fylke and itself)."""
    chart = HorizontalBar(
        js=[],
        style=STIL,
        width=800,
        height=max(260, 90 + 26 * len(grupper) * len(serier)),
        range=(0, 100),
        legend_at_bottom=True,
        print_values=True,
        value_formatter=_prosent,
        show_y_guides=False,
        margin=12,
        truncate_label=-1,
    )
    chart.x_labels = list(reversed(grupper))  # the first group on top (see andel_per_fylke)
    for navn, andeler in serier:
        chart.add(navn, [a * 100 for a in reversed(andeler)])
    return _bilde(chart.render(is_unicode=True))
