"""Figures: one look for the whole book, Japanese text rendered with IPAexGothic.

``matplotlib_fontja`` registers the IPAexGothic font shipped inside the wheel, so Japanese
labels render without system fonts (no tofu boxes). The theme is set once, here, at import —
notebooks never touch ``rcParams``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib_fontja
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

JAPANESE_FONT = "IPAexGothic"
FIGSIZE_IN = (7.5, 4.2)
HIGHLIGHT_PALETTE = {"JPN": "#bc002d", "KOR": "#0047a0", "USA": "#6b6b6b", "DEU": "#d9a400",
                     "OECD": "#2b8a3e"}
OTHER_COLOUR = "#c8c8c8"

sns.set_theme(style="whitegrid", context="notebook", font=JAPANESE_FONT,
              rc={"figure.dpi": 100, "savefig.dpi": 110,
                  "svg.hashsalt": "scity", "figure.autolayout": False})
matplotlib_fontja.japanize()


def new_figure(figsize: tuple[float, float] = FIGSIZE_IN) -> tuple[Figure, plt.Axes]:
    """Return a figure and axes in the book's size."""
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


#: attribute of a Figure holding the rows it draws (see :func:`attach_data`)
DATA_ATTRIBUTE = "scity_data"


def attach_data(fig: Figure, frame: pd.DataFrame) -> Figure:
    """Keep the rows a figure draws on the figure, for the reader's download under it.

    A copy with a fresh index: the frame as plotted, whatever the caller does to its own.
    """
    setattr(fig, DATA_ATTRIBUTE, frame.reset_index(drop=True).copy())
    return fig


def add_source_note(fig: Figure, text: str) -> Figure:
    """Write the source line under a figure (every figure in the book carries one)."""
    fig.text(0.01, 0.005, f"出典 Source: {text}", ha="left", va="bottom", fontsize=7.5,
             color="#555555", wrap=True)
    fig.subplots_adjust(bottom=0.2)
    return fig


def colour_for(iso3: str) -> str:
    """Colour of a highlighted country (grey for the rest)."""
    return HIGHLIGHT_PALETTE.get(iso3, OTHER_COLOUR)
