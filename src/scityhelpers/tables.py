"""Tables for readers: numbers formatted once, deterministic text and HTML output.

pandas ``Styler`` objects print their memory address as plain text, which changes on every
run and would break nbval; a DataFrame of formatted strings renders the same every time.
"""

from __future__ import annotations

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
