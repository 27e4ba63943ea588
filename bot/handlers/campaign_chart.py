"""Charts sent as photos: drawn with matplotlib (its Agg backend: no screen, no global figure state),
imported when a chart is asked for: it costs some 40 MB, which a bot that draws none should not carry."""

from __future__ import annotations

import io
from datetime import date


def letters_by_day(by_day: list[tuple[date, int]], title: str) -> bytes:
    """A bar chart of letters per day, as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [day.strftime("%d.%m") for day, _ in by_day]
    axes.bar(labels, [count for _, count in by_day], color="#3b6ea5")
    axes.set_title(title)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
