"""The deletion receipt as a printable, archivable PDF for the office's records.

The same rows as the terminal view (`render/receipt.py` `receipt_rows`), laid out on A4 by
fpdf2 (pure Python, maintained), imported only here so no other command pays for it. The
document holds what the receipt holds: counts, times and the office's own names, never a
citizen's. The creation date is passed in (no wall clock below cli/), so the same receipt and
moment give the same text.
"""

from __future__ import annotations

from datetime import datetime

from sprechstunde_cli.domain.receipt import Receipt
from sprechstunde_cli.i18n import _, language
from sprechstunde_cli.render.receipt import LABELS, receipt_rows
from sprechstunde_cli.render.sanitize import clean

# fpdf2's built-in Helvetica covers Latin-1 only; these are the characters our own rows use
# beyond it. Anything else not in Latin-1 becomes "?" rather than failing the archive copy.
_ASCII = str.maketrans({"–": "-", "—": "-", "…": "...", "•": "*", "×": "x", "’": "'"})


def receipt_pdf(receipt: Receipt, created: datetime) -> bytes:
    """The receipt as PDF bytes: a heading, then one label/value row per field."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(_latin(f"{_(LABELS['heading'])} {receipt.session}"))
    pdf.set_creator(_latin(receipt.tool))
    pdf.set_lang(language())  # the labels are in the operator's language
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, _latin(f"{_(LABELS['heading'])} - {receipt.session}"))
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10)
    with pdf.table(
        col_widths=(35, 65),
        text_align=("LEFT", "LEFT"),
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        line_height=5.5,
        padding=1.5,
    ) as table:
        for label, value in receipt_rows(receipt):
            row = table.row()
            row.cell(_latin(label), style=FontFace(emphasis="BOLD"))
            row.cell(_latin(value))
    return bytes(pdf.output())


def _latin(text: str) -> str:
    safe = clean(text, single_line=True).translate(_ASCII)
    return safe.encode("latin-1", errors="replace").decode("latin-1")
