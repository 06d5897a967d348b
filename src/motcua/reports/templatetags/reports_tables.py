"""The dashboard's tables as HTML, written in Python rather than with template loops.

A province page holds a few thousand cells (148 communes, some forty fields); Django's template
loops spend about 0,1 ms a cell on them, a fifth of the page's time budget. Every value is
escaped here; the markup is the one the stylesheet and the tests expect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from motcua.reports.exports import MET, MISSED, NO_DATA, VERDICT, Cell, Table

register = template.Library()

# The first column names the row (a month, a field, an officer) except in these tables.
NO_ROW_HEADER = frozenset({"chi-so", "xep-hang"})


def verdict_badge(verdict: str | None) -> str:
    """✓ Đạt / ✗ Chưa đạt / — Chưa có số liệu: a mark in words, the icon only repeats it."""
    marks = {
        MET: ("✓", _("Đạt")),
        MISSED: ("✗", _("Chưa đạt")),
        NO_DATA: ("—", _("Chưa có số liệu")),
    }
    if verdict not in marks:
        return ""
    icon, words = marks[verdict]
    return (
        f'<span class="rp-verdict rp-verdict-{verdict}"><span aria-hidden="true">{icon}</span> '
        f"{escape(words)}</span>"
    )


@register.simple_tag
def verdict_mark(verdict: str | None) -> SafeString:
    return mark_safe(verdict_badge(verdict))  # noqa: S308 (fixed markup, escaped words)


def _cell(cell: Cell) -> str:
    if cell.kind == VERDICT:
        return f'<td class="rp-verdict-cell">{verdict_badge(cell.value)}</td>'
    return f'<td class="rp-col-{cell.kind}">{escape(cell.text)}</td>'


@register.simple_tag(takes_context=True)
def data_table(context, table: Table, link_communes: bool = False) -> SafeString:
    """The table with its Excel link; in the ranking, each commune links to its dashboard."""
    xlsx = f"{context['xlsx_url']}?bang={table.key}&{context['query']}"
    center_url = reverse("reports:center")
    period = context.get("period_query", "")
    columns = table.page_columns()
    link_text = _("Tải bảng “%(title)s” (Excel)") % {"title": table.title}
    parts = [
        f'<div class="rp-table-wrap rp-table-{table.key}" data-table="{table.key}">',
        f'<p class="rp-table-tools"><a class="rp-xlsx" href="{escape(xlsx)}">'
        f"{escape(link_text)}</a></p>",
        '<table class="bo-table rp-table">',
        f'<caption class="bo-visually-hidden">{escape(table.title)}</caption>',
        "<thead><tr>",
        *(f'<th scope="col" class="rp-col-{c.kind}">{escape(c.heading)}</th>' for c in columns),
        "</tr></thead><tbody>",
    ]
    for row in table.page_rows():
        parts.append(f'<tr data-key="{escape(row.key)}">')
        for index, cell in enumerate(row.cells):
            if index == 0 and table.key not in NO_ROW_HEADER:
                parts.append(f'<th scope="row">{escape(cell.text)}</th>')
            elif link_communes and index == 1:
                href = f"{center_url}?{urlencode({'trung-tam': row.key})}&{period}"
                parts.append(f'<td><a href="{escape(href)}">{escape(cell.text)}</a></td>')
            else:
                parts.append(_cell(cell))
        parts.append("</tr>")
    if not table.rows:
        parts.append(
            f'<tr><td colspan="{len(columns)}" class="rp-empty">{escape(_(table.empty))}</td></tr>'
        )
    parts.append("</tbody>")
    total = table.page_total()
    if total:
        parts.append("<tfoot><tr>")
        parts += [_cell(cell) for cell in total]
        parts.append("</tr></tfoot>")
    parts.append("</table>")
    if table.note:
        parts.append(f'<p class="rp-note">{escape(table.note)}</p>')
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
