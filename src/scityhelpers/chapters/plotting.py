"""Figures: one look for the whole book, Japanese text rendered with IPAexGothic.

``matplotlib_fontja`` registers the IPAexGothic font shipped inside the wheel, so Japanese
labels render without system fonts (no tofu boxes). The theme is set once, here, at import —
notebooks never touch ``rcParams``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib_fontja
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

JAPANESE_FONT = "IPAexGothic"
FIGSIZE_IN = (7.5, 4.2)
HIGHLIGHT_PALETTE = {"JPN": "#bc002d", "KOR": "#0047a0", "USA": "#6b6b6b", "DEU": "#d9a400",
                     "OECD": "#2b8a3e"}
OTHER_COLOUR = "#c8c8c8"

#: PNG resolution: 200 dpi keeps axis labels and the source line sharp when a phone or a
#: high-density screen scales the image (the inline backend renders at figure.dpi)
FIGURE_DPI = 200
SOURCE_FONT_PT = 8.5

sns.set_theme(style="whitegrid", context="notebook", font=JAPANESE_FONT,
              rc={"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI,
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
    fig.text(0.01, 0.005, f"出典 Source: {text}", ha="left", va="bottom",
             fontsize=SOURCE_FONT_PT, color="#444444", wrap=True)
    fig.subplots_adjust(bottom=0.2)
    return fig


def colour_for(iso3: str) -> str:
    """Colour of a highlighted country (grey for the rest)."""
    return HIGHLIGHT_PALETTE.get(iso3, OTHER_COLOUR)


#: label offsets tried in turn (points from the point: right-above, right-below, left-above,
#: left-below, further above, further below), the first that overlaps nothing is used
LABEL_OFFSETS_PT = ((4, 3, "left"), (4, -10, "left"), (-4, 3, "right"), (-4, -10, "right"),
                    (0, 9, "center"), (0, -16, "center"),
                    (14, 12, "left"), (-14, 12, "right"), (14, -20, "left"), (-14, -20, "right"),
                    (24, 0, "left"), (-24, 0, "right"), (0, 22, "center"), (0, -28, "center"),
                    (30, 20, "left"), (-30, 20, "right"), (30, -26, "left"), (-30, -26, "right"))
#: labels moved further than this (points) get a thin leader line to their point
LEADER_MIN_PT = 12


def place_point_labels(ax: plt.Axes, xs: list[float], ys: list[float], labels: list[str],
                       colours: list[str], first: set[str] | None = None,
                       fontsize: float = 7.0) -> None:
    """Label scatter points so that no two labels overlap (greedy, in display space).

    Labels in ``first`` (e.g. the highlighted countries) are placed before the others so they
    get their preferred spot; each label takes the first offset in ``LABEL_OFFSETS_PT`` whose
    box does not overlap a label already placed (the last offset if none is free).
    """
    fig = ax.figure
    order = sorted(range(len(labels)), key=lambda i: labels[i] not in (first or set()))
    fig.canvas.draw()  # a renderer for text extents
    renderer = fig.canvas.get_renderer()
    # the points are obstacles too: a label must not hide a dot
    radius = fontsize * 0.4 * fig.dpi / 72
    centres = ax.transData.transform(np.column_stack([xs, ys]))
    placed: list[Bbox] = [Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                          for x, y in centres]
    for i in order:
        weight = "bold" if labels[i] in (first or set()) else "normal"
        for dx, dy, align in LABEL_OFFSETS_PT:
            leader = ({"arrowstyle": "-", "color": "#999999", "linewidth": 0.5,
                       "shrinkA": 0, "shrinkB": 3}
                      if max(abs(dx), abs(dy)) > LEADER_MIN_PT else None)
            text = ax.annotate(labels[i], (xs[i], ys[i]), xytext=(dx, dy),
                               textcoords="offset points", ha=align, va="center",
                               fontsize=fontsize, color=colours[i], fontweight=weight,
                               arrowprops=leader)
            # the text's own box: an Annotation's extent would include its leader line
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in placed) or (dx, dy, align) == \
                    LABEL_OFFSETS_PT[-1]:
                placed.append(box)
                break
            text.remove()
