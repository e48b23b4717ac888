"""The exports are streamed: the XLSX is written row by row (XlsxWriter's constant-memory mode) into a
temporary file that the download sends in blocks, and the CSV is sent as it is written, so that a whole
province's 台账 never sits in memory as cells.

The workbooks must look exactly as the ones built in memory did: `exports_cells.json` holds every cell
(value, type, number format, font, fill, border, alignment, quote prefix) and every sheet setting (merged
rows, widths, heights, frozen panes, filter, print setup) of a 台账 of five targets, the scoreboard and the overview of
tests/progress/test_exports.py's data, as the in-memory writer made them before the change. Since the move
from openpyxl to XlsxWriter, four details of it are written as XlsxWriter writes them, each meaning the same
to Excel: a bold or italic font names its size (11, the default openpyxl's left out), a fill colour's alpha
is FF (00 from openpyxl; Excel ignores a fill's alpha), an empty text is a blank cell (openpyxl wrote an
empty inline string, read back as None either way), and an indented cell is left-aligned (an indent only
shows with left alignment, which Excel itself sets when one indents).
"""

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from progress import exports
from progress.board_views import XLSX
from progress.boards import SCORE_RULE, department_scoreboard, status_summary, target_rows
from tests.progress.test_exports import (  # noqa: F401 (a fixture)
    AS_OF,
    column_widths,
    entries,
    fitted_pages,
    ledger_inputs,
)

pytestmark = pytest.mark.django_db

BEFORE = Path(__file__).parent / "data" / "exports_cells.json"


def described(workbook_file) -> dict:
    """Everything a person sees of a one-sheet workbook, as plain data."""
    sheet: Worksheet = openpyxl.load_workbook(workbook_file).active
    cells = []
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            cells.append(
                [
                    cell.coordinate,
                    value.isoformat() if isinstance(value, dt.date) else value,
                    cell.data_type,
                    cell.number_format,
                    [cell.font.b, cell.font.i, cell.font.sz],
                    [cell.fill.fill_type, cell.fill.fgColor.rgb if cell.fill.fill_type else None],
                    [
                        side.style
                        for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
                    ],
                    [
                        cell.alignment.horizontal,
                        cell.alignment.vertical,
                        cell.alignment.wrap_text,
                        cell.alignment.indent,
                    ],
                    cell.quotePrefix,
                ]
            )
    return {
        "title": sheet.title,
        "cells": cells,
        "merged": sorted(str(merged) for merged in sheet.merged_cells.ranges),
        "widths": dict(sorted(column_widths(sheet).items())),
        "heights": {
            str(row): dimension.height
            for row, dimension in sorted(sheet.row_dimensions.items())
            if dimension.height
        },
        "freeze_panes": sheet.freeze_panes,
        "auto_filter": sheet.auto_filter.ref,
        "print_title_rows": sheet.print_title_rows,
        "page": [
            sheet.page_setup.orientation,
            sheet.page_setup.paperSize,
            *fitted_pages(sheet),
            sheet.sheet_properties.pageSetUpPr.fitToPage,
        ],
    }


def workbooks(manager) -> dict:
    scores = department_scoreboard(as_of=AS_OF)
    # The targets with entries: a status of each colour, figures in their months, a late report.
    reported = [
        row
        for row in target_rows(user=manager, as_of=AS_OF)
        if row.target.code in ("1.1.03", "1.1.04", "1.1.05", "1.5.02", "1.5.03")
    ]
    return {
        "ledger": exports.ledger_xlsx(**ledger_inputs(manager, rows=reported), title="2020年台账"),
        "scoreboard": exports.scoreboard_xlsx(scores=scores, as_of=AS_OF, rule=SCORE_RULE),
        "overview": exports.summary_xlsx(summary=status_summary(user=manager, as_of=AS_OF)),
    }


@pytest.mark.usefixtures("entries")
def test_the_streamed_workbooks_have_the_cells_of_the_ones_built_in_memory(manager_wang):
    files = workbooks(manager_wang)

    assert {name: described(file) for name, file in files.items()} == json.loads(BEFORE.read_text())


@pytest.mark.usefixtures("entries")
def test_the_csv_download_is_sent_as_it_is_written(manager_client, monkeypatch):
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 50)

    response = manager_client.get(reverse("boards-lagging"), {"as_of": "2020-07-03", "format": "csv"})

    assert isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse)
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%BB%9E%E5%90%8E%E9%80%BE%E6%9C%9F%E7%9B%AE%E6%A0%87%E5%8F%B0%E8%B4%A6_20200703.csv"
    )
    chunks = list(response.streaming_content)
    text = b"".join(chunks).decode()
    lines = text.splitlines()
    assert text.startswith("\ufeff编号,章节,")
    # 123 targets need attention: three chunks of 50 rows (the first with the BOM and the header), then 23.
    assert [chunk.decode().count("\n") for chunk in chunks] == [51, 50, 23]
    assert len(lines) == 124


@pytest.mark.usefixtures("entries")
def test_the_xlsx_download_sends_the_written_file(manager_client):
    response = manager_client.get(reverse("boards-scoreboard"), {"as_of": "2020-07-03", "format": "xlsx"})

    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == XLSX
    assert int(response["Content-Length"]) == len(content := response.getvalue())
    assert openpyxl.load_workbook(io.BytesIO(content)).active["A2"].value == "排名"
