"""The /stats chart, sent as a photo: letters per week as bars, drawn as campaign_chart draws (matplotlib's
Agg backend, imported only when a chart is asked for, so a bot that draws none does not carry it)."""

from __future__ import annotations

import io
from datetime import date


def letters_by_week(weeks: list[tuple[date, int]], title: str, week_label: str) -> bytes:
    """A bar chart of letters per week, each bar under the day its week began (dd.mm), as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    counts = [count for _, count in weeks]
    bars = axes.bar([start.strftime("%d.%m") for start, _ in weeks], counts, color="#3b6ea5")
    axes.bar_label(bars, fontsize=8)
    axes.set_title(title)
    axes.set_xlabel(week_label)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*counts, 1]) * 1.12)  # room for the figures over the bars
    # Margins fixed rather than computed (tight_layout): that would draw the whole figure once more.
    figure.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.91)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
