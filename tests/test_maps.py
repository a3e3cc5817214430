"""TopoJSON decoding with numpy and the prefecture choropleth, on the real Digital Agency file."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from scityhelpers.chapters import maps
from scityhelpers.sources import boundaries

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def polygons() -> dict[str, list[np.ndarray]]:
    from scityhelpers.pipeline.data_verbs import pull_all

    pull_all(sources=["soumu_codes", "boundaries"], offline=True)
    return boundaries.load_prefecture_polygons()


def _bbox(rings: list[np.ndarray]) -> tuple[float, float, float, float]:
    points = np.concatenate(rings)
    return (*points.min(axis=0), *points.max(axis=0))


def test_delta_decoding_follows_the_transform() -> None:
    topology = {"transform": {"scale": [0.5, 0.25], "translate": [100.0, 30.0]},
                "arcs": [[[2, 4], [1, 0], [0, -4]], [[3, 0], [-3, 0]]]}
    first, second = boundaries.decode_arcs(topology)
    assert first.tolist() == [[101.0, 31.0], [101.5, 31.0], [101.5, 30.0]]
    ring = boundaries.geometry_rings({"type": "Polygon", "arcs": [[0, ~1]]}, [first, second])[0]
    # the reversed second arc's first point repeats the first arc's end and is dropped
    assert len(ring) == len(first) + len(second) - 1


def test_real_file_has_47_prefectures_and_hokkaido_where_it_is(
        polygons: dict[str, list[np.ndarray]]) -> None:
    assert sorted(polygons) == [f"{n:02d}" for n in range(1, 48)]
    lon_min, lat_min, lon_max, lat_max = _bbox(polygons["01"])
    # Hokkaido: 139.3°E (奥尻島) … 145.8°E (納沙布岬), 148.9°E with 択捉島; 41.4°N … 45.6°N
    assert 139.0 < lon_min < 140.0
    assert 41.0 < lat_min < 42.0
    assert 148.0 < lon_max < 149.5
    assert 45.0 < lat_max < 46.0
    mainland = max(polygons["01"], key=len)  # the main island, without the Northern Territories
    assert 145.0 < mainland[:, 0].max() < 146.0
    lon_min, lat_min, lon_max, lat_max = _bbox(polygons["47"])
    assert 122.9 < lon_min < 123.1
    assert 24.0 < lat_min < 24.2


def test_rings_are_closed(polygons: dict[str, list[np.ndarray]]) -> None:
    rings = [ring for rings in polygons.values() for ring in rings]
    assert all(np.allclose(ring[0], ring[-1]) for ring in rings)


def test_excerpt_decodes_like_the_real_file(fixtures: Path,
                                            polygons: dict[str, list[np.ndarray]]) -> None:
    excerpt = boundaries.prefecture_polygons(boundaries.read_topology(
        fixtures / "boundaries/prefecture_area_excerpt.topojson"))
    assert sorted(excerpt) == ["01", "36", "37", "39"]
    for code in excerpt:
        assert _bbox(excerpt[code]) == pytest.approx(_bbox(polygons[code]))


def test_choropleth_colours_by_value_and_greys_missing(
        polygons: dict[str, list[np.ndarray]]) -> None:
    values = pd.Series({"13": 14.0, "01": 5.2, "47": 1.5})
    fig, ax = plt.subplots()
    collection = maps.plot_prefecture_choropleth(values, ax, "viridis", "人口 (百万人)",
                                                polygons=polygons)
    fig.canvas.draw()  # face colours are mapped at draw time
    colours = collection.get_facecolors()
    codes = sorted(polygons)
    tokyo, okinawa, nara = (colours[codes.index(c)] for c in ("13", "47", "29"))
    assert tuple(tokyo) == pytest.approx(matplotlib.colormaps["viridis"](1.0))
    assert tuple(okinawa) == pytest.approx(matplotlib.colormaps["viridis"](0.0))
    assert tuple(nara) == pytest.approx(matplotlib.colors.to_rgba(maps.MISSING_COLOUR))
    assert len(fig.axes) == 2  # the colour bar
    # every prefecture outlined (Okinawa's pale fill still shows its islands)
    assert tuple(collection.get_edgecolors()[0]) == pytest.approx(
        matplotlib.colors.to_rgba(maps.OUTLINE_COLOUR))
    plt.close(fig)


def test_missing_prefectures_are_hatched_with_a_legend_entry(
        polygons: dict[str, list[np.ndarray]]) -> None:
    values = pd.Series({code: 1.0 for code in polygons} | {"07": float("nan")})
    fig, ax = plt.subplots()
    maps.plot_prefecture_choropleth(values, ax, missing_label="not projected (福島県)",
                                   polygons=polygons)
    hatched = [c for c in ax.collections if c.get_hatch() == maps.MISSING_HATCH]
    assert len(hatched) == 1
    assert len(hatched[0].get_paths()) == 1  # Fukushima only
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["not projected (福島県)"]
    plt.close(fig)


def test_choropleth_refuses_unknown_codes(polygons: dict[str, list[np.ndarray]]) -> None:
    fig, ax = plt.subplots()
    with pytest.raises(KeyError, match="13000"):
        maps.plot_prefecture_choropleth(pd.Series({"13000": 1.0}), ax, polygons=polygons)
    plt.close(fig)
