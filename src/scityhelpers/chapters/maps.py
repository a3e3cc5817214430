"""Maps without a GIS stack: prefecture outlines drawn with matplotlib.

The outlines are the rings :func:`scityhelpers.sources.boundaries.load_prefecture_polygons`
decodes from the ``boundaries`` source. Longitude/latitude in degrees (JGD2011 ≈ WGS84), drawn
in plate carrée with the aspect corrected for latitude — enough for a choropleth, not for
measuring.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib_fontja  # noqa: F401  (Japanese labels without system fonts)
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from scityhelpers.sources.boundaries import load_prefecture_polygons

#: Japan's centre latitude: the x/y aspect that keeps shapes right at that latitude
ASPECT_LATITUDE_DEG = 36.0
MISSING_COLOUR = "#f2f2f2"
MISSING_HATCH = "////"
#: every prefecture is outlined, so a fill close to the background (Okinawa's small change,
#: a share of zero) still shows where the prefecture is
OUTLINE_COLOUR = "#4d4d4d"
OUTLINE_WIDTH_PT = 0.35


def rings_to_path(rings: list[np.ndarray]) -> MplPath:
    """One compound path per area, so holes stay holes (rings wind in opposite directions)."""
    vertices, codes = [], []
    for ring in rings:
        vertices.append(ring)
        ring_codes = np.full(len(ring), MplPath.LINETO, dtype=MplPath.code_type)
        ring_codes[0] = MplPath.MOVETO
        codes.append(ring_codes)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def plot_prefecture_choropleth(values: pd.Series, ax: plt.Axes, cmap: str | Colormap = "viridis",
                               label: str = "", *,
                               polygons: dict[str, list[np.ndarray]] | None = None,
                               norm: Normalize | None = None,
                               missing_label: str = "") -> PatchCollection:
    """Fill each prefecture by its value; prefectures without one are hatched as missing.

    Args:
        values: numbers indexed by 2-digit ``pref_code`` (``"01"`` … ``"47"``).
        ax: the axes to draw on (axis lines are switched off, aspect set for Japan).
        cmap: a matplotlib colormap or its name.
        label: colour-bar label, with the unit (e.g. ``"Population change 2015–20 (%)"``).
        polygons: decoded outlines (default: the pulled ``boundaries`` prefecture file).
        norm: colour normalisation (default: linear from the minimum to the maximum value).
        missing_label: legend entry for prefectures without a value (hatched); none if empty.

    Returns:
        The collection drawn, e.g. for ``fig.colorbar``; a colour bar is added when ``label``
        is given.
    """
    polygons = polygons if polygons is not None else load_prefecture_polygons()
    unknown = sorted(set(values.index) - set(polygons))
    if unknown:
        raise KeyError(f"values indexed by unknown prefecture codes {unknown}; expected "
                       "2-digit pref_code strings 01-47")
    codes = sorted(polygons)
    present = values.dropna()
    colormap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    collection = PatchCollection([PathPatch(rings_to_path(polygons[code])) for code in codes],
                                 cmap=colormap.with_extremes(bad=MISSING_COLOUR),
                                 norm=norm or Normalize(present.min(), present.max()),
                                 edgecolor=OUTLINE_COLOUR, linewidth=OUTLINE_WIDTH_PT)
    collection.set_array(np.ma.masked_invalid(
        values.reindex(codes).astype(float).to_numpy()))
    missing = [code for code in codes if code not in present.index]
    if missing:  # hatched on top of the pale fill: "no data", not "a small value"
        ax.add_collection(PatchCollection(
            [PathPatch(rings_to_path(polygons[code])) for code in missing],
            facecolor="none", edgecolor=OUTLINE_COLOUR, hatch=MISSING_HATCH,
            linewidth=OUTLINE_WIDTH_PT, zorder=3))
        if missing_label:
            ax.legend(handles=[Patch(facecolor=MISSING_COLOUR, edgecolor=OUTLINE_COLOUR,
                                     hatch=MISSING_HATCH, label=missing_label)],
                      loc="lower right", frameon=False, fontsize=8)
    ax.add_collection(collection)
    everything = np.concatenate([ring for rings in polygons.values() for ring in rings])
    ax.set_xlim(everything[:, 0].min(), everything[:, 0].max())
    ax.set_ylim(everything[:, 1].min(), everything[:, 1].max())
    ax.set_aspect(1 / np.cos(np.radians(ASPECT_LATITUDE_DEG)))
    ax.set_axis_off()
    if label:
        ax.figure.colorbar(collection, ax=ax, label=label, shrink=0.7)
    return collection
