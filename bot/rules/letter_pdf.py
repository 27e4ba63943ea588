"""A finished letter, ready to print: the letter on A4, and on a second page the envelope's address
large and clear inside a dashed frame, to cut out and glue on the envelope.

fpdf2 draws it with DejaVu Sans (bot/fonts/, with its licence), which covers Cyrillic, Belarusian
letters (і, ў) and the № sign. The PDF is made in memory, sent, and not kept; its metadata names no one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a PDF is made: fpdf2 and Pillow cost some 40 MB a bot that makes none need not carry
    from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FAMILY = "DejaVu"
MARGIN = 20.0  # mm
LETTER_SIZE, LETTER_LEADING = 12, 6.5  # pt, mm
HINT_SIZE = 10
ADDRESS_SIZE, ADDRESS_LEADING = 18, 10.0
FRAME_PADDING = 8.0
FRAME_TOP = 45.0
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # the moment of printing says nothing anyone needs


def build(letter: str, envelope: list[str], *, cut_hint: str) -> bytes:
    """Two A4 pages: `letter`, then the `envelope` lines in a frame with `cut_hint` above it (no second
    page if there is no address)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("Letterbot")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)

    pdf.add_page()
    pdf.set_font(FAMILY, size=LETTER_SIZE)
    pdf.multi_cell(0, LETTER_LEADING, letter, align="L")
    lines = [line for line in envelope if line.strip()]
    if lines:
        _envelope_page(pdf, lines, cut_hint)
    return bytes(pdf.output())


def _envelope_page(pdf: FPDF, lines: list[str], cut_hint: str) -> None:
    pdf.add_page()
    pdf.set_auto_page_break(auto=False)
    width = pdf.w - 2 * MARGIN
    pdf.set_font(FAMILY, size=HINT_SIZE)
    pdf.set_xy(MARGIN, FRAME_TOP - 15)
    pdf.multi_cell(width, 5, cut_hint, align="L")
    pdf.set_font(FAMILY, "B", ADDRESS_SIZE)
    inner = width - 2 * FRAME_PADDING
    rows = sum(_rows(pdf, inner, line) for line in lines)
    height = rows * ADDRESS_LEADING + 2 * FRAME_PADDING
    pdf.set_dash_pattern(dash=3, gap=2)
    pdf.rect(MARGIN, FRAME_TOP, width, height)
    pdf.set_dash_pattern()
    pdf.set_xy(MARGIN + FRAME_PADDING, FRAME_TOP + FRAME_PADDING)
    for line in lines:
        pdf.set_x(MARGIN + FRAME_PADDING)
        pdf.multi_cell(inner, ADDRESS_LEADING, line, align="L")


def _rows(pdf: FPDF, width: float, line: str) -> int:
    """How many printed lines one address line takes at the current font (a long street wraps)."""
    wrapped = pdf.multi_cell(width, ADDRESS_LEADING, line, dry_run=True, output="LINES")
    return len(wrapped) if isinstance(wrapped, list) else 1
