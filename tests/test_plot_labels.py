"""Point labels in scatter plots never overlap each other or hide a point."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from scityhelpers.chapters.plotting import place_point_labels  # noqa: E402


def test_crowded_labels_do_not_overlap() -> None:
    # a cluster like the OECD one in the actual-vs-fitted plot: 8 points within a few pixels
    xs = [60 + 0.6 * i for i in range(8)]
    ys = [70 + 0.4 * (i % 3) for i in range(8)]
    labels = ["JPN", "NZL", "USA", "SWE", "DEU", "AUS", "NLD", "FIN"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(xs, ys)
    ax.set_xlim(40, 90)
    ax.set_ylim(50, 90)
    place_point_labels(ax, xs, ys, labels, ["#555555"] * 8, first={"JPN"})
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
    assert [t.get_text() for t in ax.texts][0] == "JPN"  # highlighted labels placed first
    assert len(boxes) == 8
    overlapping = [(a.get_text(), b.get_text()) for i, a in enumerate(ax.texts)
                   for b, box_b in zip(ax.texts[i + 1:], boxes[i + 1:], strict=True)
                   if boxes[i].overlaps(box_b)]
    assert overlapping == []
    plt.close(fig)
