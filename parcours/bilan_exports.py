"""The report as people read it: tables and bar charts on screen, and the files that leave the application
(PDF with WeasyPrint, CSV, XLSX with openpyxl).

Small counts: in anything that leaves the application, a count of 1 to 4 persons or dossiers is shown as
« < 5 », since a cell that small can identify someone; a delay computed on fewer than 5 dossiers is not
shown either (« — »). Zero is shown: it identifies nobody. The screen, an internal view of the
secretariat, shows exact figures; a file shows them only when its user asks for exact figures for
internal use, which the view records in the access log. Masking does not protect against subtracting a
masked cell from a total (« 30 examined, 28 authorised, < 5 refused »): the report is for publication
by people who know their département, and the totals are the published figures themselves.
"""

import csv
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from commission.pdf import html_to_pdf
from parcours.bilan import COUNT, DAYS, Bilan, Section

THRESHOLD = 5
MASK = "< 5"
NOT_SHOWN = "—"

# Geometry of the bar charts (SVG user units; the SVG scales to its container).
CHART_WIDTH = 720
BAR_MAX = 600
ROW_HEIGHT = 46
BAR_HEIGHT = 18


@dataclass(frozen=True)
class Cell:
    text: str
    # The number an XLSX cell holds; None when the figure is hidden or absent.
    number: int | float | None


@dataclass(frozen=True)
class ShownRow:
    key: str
    label: str
    cells: tuple[Cell, ...]
    detail: bool


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: float
    label_y: int
    bar_y: int
    text_x: float
    text_y: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    height: int
    width: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class ShownSection:
    key: str
    title: str
    definition: str
    columns: tuple[str, ...]
    rows: tuple[ShownRow, ...]
    chart: Chart | None


@dataclass(frozen=True)
class Shown:
    """A report ready for a template or a file, masked or exact."""

    bilan: Bilan
    masked: bool
    scope: str
    sections: tuple[ShownSection, ...]


def is_small(value) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def _format(value) -> str:
    if value is None:
        return NOT_SHOWN
    if isinstance(value, float) and not value.is_integer():
        return formats.number_format(value, decimal_pos=1)
    return formats.number_format(int(value), force_grouping=True)


def _plain(value) -> str:
    """A number for a French spreadsheet: no grouping, decimal comma."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value))


def _cells(section: Section, values, masked) -> tuple[Cell, ...]:
    hide_days = masked and any(
        is_small(value) for column, value in zip(section.columns, values, strict=True) if column.kind == COUNT
    )
    cells = []
    for column, value in zip(section.columns, values, strict=True):
        if masked and column.kind == COUNT and is_small(value):
            cells.append(Cell(MASK, None))
        elif column.kind == DAYS and (hide_days or value is None):
            cells.append(Cell(NOT_SHOWN, None))
        else:
            cells.append(Cell(_format(value), value))
    return tuple(cells)


def _chart(section: Section, rows: tuple[ShownRow, ...]) -> Chart | None:
    if not section.chart:
        return None
    index = section.chart_column
    drawn = [
        (source, shown)
        for source, shown in zip(section.rows, rows, strict=True)
        if not source.detail and source.key != "total"
    ]
    largest = max((shown.cells[index].number or 0 for _source, shown in drawn), default=0)
    bars = []
    for position, (_source, shown) in enumerate(drawn):
        cell = shown.cells[index]
        width = 0.0
        if cell.number and largest:
            width = max(round(BAR_MAX * cell.number / largest, 1), 2.0)
        top = position * ROW_HEIGHT
        bars.append(
            Bar(
                label=shown.label,
                text=cell.text,
                width=width,
                label_y=top + 14,
                bar_y=top + 20,
                text_x=width + 6,
                text_y=top + 20 + BAR_HEIGHT - 4,
            )
        )
    if not bars:
        return None
    return Chart(
        id=f"bilan-graphique-{section.key}",
        title=str(section.title),
        height=len(bars) * ROW_HEIGHT + 4,
        width=CHART_WIDTH,
        bars=tuple(bars),
    )


def scope_label(bilan: Bilan) -> str:
    if bilan.national:
        return _("Toutes les commissions (%(count)s départements)") % {"count": len(bilan.commissions)}
    return ", ".join(f"{c.departement_name} ({c.departement_code})" for c in bilan.commissions) or _(
        "Aucune commission"
    )


def present(bilan: Bilan, *, masked: bool) -> Shown:
    sections = []
    for section in bilan.sections:
        rows = tuple(
            ShownRow(row.key, str(row.label), _cells(section, row.values, masked), row.detail)
            for row in section.rows
        )
        sections.append(
            ShownSection(
                key=section.key,
                title=str(section.title),
                definition=str(section.definition),
                columns=tuple(str(column.label) for column in section.columns),
                rows=rows,
                chart=_chart(section, rows),
            )
        )
    return Shown(bilan=bilan, masked=masked, scope=scope_label(bilan), sections=tuple(sections))


def filename(bilan: Bilan, extension: str) -> str:
    scope = "national" if bilan.national else "-".join(c.departement_code for c in bilan.commissions)
    return f"bilan-psp-{scope}-{bilan.start:%Y%m%d}-{bilan.end:%Y%m%d}.{extension}"


def _header_lines(shown: Shown) -> list[list[str]]:
    bilan = shown.bilan
    return [
        [_("Bilan du parcours de sortie de la prostitution"), shown.scope],
        [
            _("Période"),
            _("du %(start)s au %(end)s")
            % {
                "start": formats.date_format(bilan.start, "d/m/Y"),
                "end": formats.date_format(bilan.end, "d/m/Y"),
            },
        ],
        [
            _("Chiffres"),
            _("moins de 5 personnes : « < 5 »")
            if shown.masked
            else _("exacts, pour un usage interne : ne pas diffuser"),
        ],
        [
            _("Calculé le"),
            formats.date_format(timezone.localtime(bilan.computed_at), "d/m/Y H:i"),
        ],
    ]


def to_csv(bilan: Bilan, *, exact=False) -> bytes:
    """One line per figure (section, indicator, measure, value), separated by semicolons, with a BOM so
    that a spreadsheet opens it as UTF-8."""
    shown = present(bilan, masked=not exact)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(_header_lines(shown))
    writer.writerow([])
    writer.writerow([_("Rubrique"), _("Indicateur"), _("Mesure"), _("Valeur")])
    for section in shown.sections:
        for row in section.rows:
            for column, cell in zip(section.columns, row.cells, strict=True):
                text = cell.text if cell.number is None else _plain(cell.number)
                writer.writerow([section.title, row.label, column, text])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(bilan: Bilan, *, exact=False) -> bytes:
    """One sheet: the header, then each section as a small table (numbers as numbers, « < 5 » as text)."""
    shown = present(bilan, masked=not exact)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Bilan")
    bold = Font(bold=True)
    for line in _header_lines(shown):
        sheet.append(line)
        sheet.cell(row=sheet.max_row, column=1).font = bold
    for section in shown.sections:
        sheet.append([])
        sheet.append([section.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        sheet.append([section.definition])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
        sheet.append([_("Indicateur"), *section.columns])
        for column in range(1, len(section.columns) + 2):
            sheet.cell(row=sheet.max_row, column=column).font = bold
        for row in section.rows:
            label = f"  {row.label}" if row.detail else row.label
            sheet.append([label, *(cell.text if cell.number is None else cell.number for cell in row.cells)])
            for column, cell in enumerate(row.cells, start=2):
                target = sheet.cell(row=sheet.max_row, column=column)
                target.alignment = Alignment(horizontal="right")
                if isinstance(cell.number, float):
                    target.number_format = "0.0"
    sheet.column_dimensions["A"].width = 60
    for letter in ("B", "C", "D"):
        sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(bilan: Bilan, *, exact=False) -> bytes:
    shown = present(bilan, masked=not exact)
    html = render_to_string("parcours/bilan/pdf.html", {"shown": shown, "bilan": bilan})
    return html_to_pdf(html)
