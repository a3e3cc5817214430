"""Tables for readers: numbers formatted once, deterministic text and HTML output.

pandas ``Styler`` objects print their memory address as plain text, which changes on every
run and would break nbval; a DataFrame of formatted strings renders the same every time.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML


def present(frame: pd.DataFrame, formats: dict[str, str] | None = None,
            index: str | None = None) -> pd.DataFrame:
    """Return a copy with the given columns formatted (e.g. ``{"wage_usd_ppp": "{:,.0f}"}``).

    Missing values show as an empty string; ``index`` names the column to show as the index.
    """
    shown = frame.copy()
    for column, pattern in (formats or {}).items():
        shown[column] = [pattern.format(v) if pd.notna(v) else "" for v in shown[column]]
    if index is not None:
        return shown.set_index(index)
    return shown.reset_index(drop=True)


class Phrase(str):
    """A string that glues as itself: ``repr`` without quotes.

    Cross-document glue in myst-nb renders the ``text/plain`` output, which for ``str`` is its
    ``repr`` with quotes; verdicts and other words computed by a notebook glue through this.
    """

    def __repr__(self) -> str:
        return str(self)


def full_html(frame: pd.DataFrame) -> HTML:
    """An HTML table with every cell in full (a DataFrame's repr cuts long text at 50 chars).

    For tables of sentences, such as the claims ledger, glued into a book page; the HTML is
    escaped and deterministic.
    """
    return HTML(frame.to_html(escape=True, border=0, classes=["dataframe", "scity-full"]))


def ranked_details(frame: pd.DataFrame, value: str, heading: str, pattern: str,
                   summary: str) -> HTML:
    """A ranked table of prefectures in a collapsed ``<details>`` box, to sit beside a map.

    Highest value first, missing values last as "no data": the map shows where, the table
    names each prefecture and its value.

    Args:
        frame: one row per area with ``pref_name`` and the ``value`` column.
        value: the column to rank by (e.g. ``change_pct``).
        heading: the column heading of the value, with its unit.
        pattern: format of the value (e.g. ``"{:+.1f}"``).
        summary: the text of the box's summary line.
    """
    ranked = ranked_rows(frame, value, heading)
    shown = ranked.assign(**{
        "順位 Rank": [str(int(r)) if pd.notna(r) else "" for r in ranked["順位 Rank"]],
        heading: [pattern.format(v) if pd.notna(v) else "no data" for v in ranked[heading]],
    })
    table = shown.to_html(escape=True, border=0, index=False,
                          classes=["dataframe", "scity-full", "scity-ranked"])
    return HTML(f"<details class=\"scity-ranked\"><summary>{html.escape(summary)}</summary>"
                f"{table}</details>")


def ranked_rows(frame: pd.DataFrame, value: str, heading: str) -> pd.DataFrame:
    """The rows :func:`ranked_details` shows, with the values unformatted (its download).

    Columns: ``順位 Rank`` (1 = highest; missing when the value is), ``都道府県 Prefecture``
    and ``heading`` (the ``value`` column in full precision, in its own unit).
    """
    ranked = frame.sort_values([value, "pref_code"], ascending=[False, True],
                               na_position="last").reset_index(drop=True)
    ranks = pd.Series(range(1, len(ranked) + 1), dtype="Int64").where(ranked[value].notna())
    return pd.DataFrame({"順位 Rank": ranks, "都道府県 Prefecture": ranked["pref_name"],
                         heading: ranked[value]})
