"""The night's run sheet on paper: A4 portrait, readable in black and white.

Built from plain data (``frontdesk.exports.NightSheet``: the night plan, its
summary, the guests' notes) as HTML with a small style sheet, laid out by a
``QTextDocument`` on the device it goes to (a ``QPdfWriter`` or the chosen
``QPrinter``), page by page, with a running header and "Page n of N" in the
footer painted around it.  No window is needed: the command line uses the
same code headless (``save_pdf_headless``).

What a manager reads, by floor then time: time, table(s), guest and booking
reference, party, status, phone, deposit (paid or due), minimum spend, and
the occasion, requests and the guest's notes; the night's totals on top.
Cancelled bookings and no-shows are listed after each floor's active ones,
set apart and marked by word, not struck through: at closing time a no-show
is a deposit to keep and a guest to call back, and the phone number must
stay readable.  They are not in the totals (as on the grid's summary).

The pieces: ``ui.runsheet_html`` (the content), ``ui.runsheet_render``
(pages, PDF, printing) and ``ui.runsheet_actions`` (``RunSheetActions``:
"Print run sheet…" (Ctrl+P), "Save run sheet as PDF…" and "Export night as
CSV…" in the window; its dialogs are attributes a test replaces).  This
module gathers their public names.
"""

from ui.runsheet_actions import (
    AskPrint,
    AskSavePath,
    RunSheetActions,
    ask_print,
    ask_save_path,
)
from ui.runsheet_html import (
    CELL_PADDING,
    COLUMNS,
    CSS,
    footer_text,
    hours_text,
    night_heading,
    printed_by,
    run_sheet_html,
    running_title,
)
from ui.runsheet_render import (
    BODY_PT,
    FONT_FAMILIES,
    MARGIN_MM,
    PAGE_SIZE,
    PDF_DPI,
    Page,
    paginate,
    paint_run_sheet,
    pdf_bytes,
    save_pdf,
    save_pdf_headless,
    set_a4,
)

__all__ = [
    "BODY_PT",
    "CELL_PADDING",
    "COLUMNS",
    "CSS",
    "FONT_FAMILIES",
    "MARGIN_MM",
    "PAGE_SIZE",
    "PDF_DPI",
    "AskPrint",
    "AskSavePath",
    "Page",
    "RunSheetActions",
    "ask_print",
    "ask_save_path",
    "footer_text",
    "hours_text",
    "night_heading",
    "paginate",
    "paint_run_sheet",
    "pdf_bytes",
    "printed_by",
    "run_sheet_html",
    "running_title",
    "save_pdf",
    "save_pdf_headless",
    "set_a4",
]
