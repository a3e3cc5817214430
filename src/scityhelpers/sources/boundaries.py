"""Municipal and prefectural outlines: デジタル庁's simplified TopoJSON of 国土数値情報 N03 (2025).

The municipal file has one geometry per municipality (1,741 + the six Northern-Territories
villages; designated cities dissolved to whole cities), the prefectural file one per
prefecture. Coordinates are quantised and delta-encoded (TopoJSON ``transform``); decoding is
in :mod:`scityhelpers.chapters.maps`. The tidy table is an index of the municipal geometries —
codes,
names and a centroid — checked against the 総務省 code list, so a map never silently drops or
mislabels a municipality. Credit: 「国土数値情報（行政区域データ）」（国土交通省）を加工して作成.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.reference.municipalities import normalize_name
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    code5_column,
    code6_column,
    pref_code_column,
    read_raw_json,
)

SOURCE_ID = "boundaries"
N03_PAGE = "https://nlftp.mlit.go.jp/ksj/gml/datalist/KsjTmplt-N03-2025.html"
DASHBOARD_ASSETS = "https://github.com/digital-go-jp/policy-dashboard-assets"
FILE_MUNICIPALITIES = "digital_agency_municipality_area_N03-2025.topojson"
FILE_PREFECTURES = "digital_agency_prefecture_area_N03-2025.topojson"
MUNICIPAL_PROPERTIES = ("lg_code", "lg_code_5", "city_name", "county_name", "prefecture_code",
                        "is_hoppo_city")
PREFECTURE_PROPERTIES = ("prefecture_code", "prefecture_name")


def read_topology(path: Path) -> dict:
    """Read a TopoJSON file; anything that is not a TopoJSON ``Topology`` is corrupt."""
    topology = read_raw_json(path, SOURCE_ID, read_as="UTF-8 JSON", advice="",
                             encoding="utf-8")
    if not isinstance(topology, dict) or topology.get("type") != "Topology":
        raise RawFileCorruptError(f"{path}: not a TopoJSON Topology; rerun "
                                  f"`scity data pull {SOURCE_ID}`.")
    for key in ("arcs", "objects", "transform"):
        if key not in topology:
            raise SourceSchemaError(f"{path}: TopoJSON without {key!r} (found {list(topology)})")
    return topology


def geometries(topology: dict, properties: tuple[str, ...], where: Path | str) -> list[dict]:
    """Return the geometries of the topology's single object, checking their properties."""
    objects = list(topology["objects"].values())
    if len(objects) != 1:
        raise SourceSchemaError(f"{where}: expected one object, found {list(topology['objects'])}")
    found = objects[0]["geometries"]
    for geometry in found:
        missing = [p for p in properties if p not in geometry.get("properties", {})]
        if missing:
            raise SourceSchemaError(
                f"{where}: geometry {geometry.get('id')!r} lacks properties {missing}; found "
                f"{sorted(geometry.get('properties', {}))}")
    return found


def _centroid(rings: list[np.ndarray]) -> tuple[float, float]:
    """Area-weighted centroid of the rings in lon/lat degrees (planar: for labels only)."""
    area_sum, x_sum, y_sum = 0.0, 0.0, 0.0
    for ring in rings:
        x, y = ring[:, 0], ring[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area_sum += cross.sum() / 2
        x_sum += ((x + np.roll(x, -1)) * cross).sum() / 6
        y_sum += ((y + np.roll(y, -1)) * cross).sum() / 6
    return x_sum / area_sum, y_sum / area_sum


def parse_municipal_index(topology: dict, where: Path | str) -> pd.DataFrame:
    """One row per municipal geometry: codes, names, Northern-Territories flag, centroid."""
    arcs = decode_arcs(topology)
    rows = []
    for geometry in geometries(topology, MUNICIPAL_PROPERTIES, where):
        props = geometry["properties"]
        lon, lat = _centroid(geometry_rings(geometry, arcs))
        rows.append({
            "code5": props["lg_code_5"], "code6": props["lg_code"],
            "city_name": props["city_name"], "county_name": props["county_name"] or None,
            "prefecture_code": props["prefecture_code"], "is_hoppo": bool(props["is_hoppo_city"]),
            "centroid_lon_deg": lon, "centroid_lat_deg": lat,
        })
    return pd.DataFrame(rows)


def check_against_code_list(index: pd.DataFrame, municipalities: pd.DataFrame,
                            where: Path | str) -> None:
    """Every geometry must be one of today's municipalities, once, with the same code and name.

    Names are compared after :func:`~scityhelpers.reference.municipalities.normalize_name` (the file
    writes 檮原町 where the 総務省 list writes 梼原町).
    """
    units = municipalities[municipalities["level"] == "municipality"].set_index("code5")
    unknown = sorted(set(index["code5"]) - set(units.index))
    if unknown:
        raise SourceSchemaError(f"{where}: codes not in the 総務省 list: {unknown[:10]}")
    missing = sorted(set(units.index) - set(index["code5"]))
    repeated = sorted(index.loc[index["code5"].duplicated(), "code5"])
    if missing or repeated:
        raise SourceSchemaError(f"{where}: municipalities without exactly one geometry: "
                                f"missing {missing[:10]}, repeated {repeated[:10]}")
    matched = units.loc[index["code5"]]
    bad = index[(index["code6"].values != matched["code6"].values)
                | (index["city_name"].map(normalize_name).values
                   != matched["name"].map(normalize_name).values)
                | (index["is_hoppo"].values != matched["is_hoppo"].values)]
    if not bad.empty:
        raise SourceSchemaError(f"{where}: code6, name or Northern-Territories flag disagree "
                                f"with the 総務省 list for {bad['code5'].tolist()[:10]}")


def build_municipal_boundary_index(files: RawFiles) -> pd.DataFrame:
    """The 1,747 municipal geometries, checked against ``municipalities``."""
    from scityhelpers.pipeline import tidy

    path = files[FILE_MUNICIPALITIES]
    index = parse_municipal_index(read_topology(path), path)
    check_against_code_list(index, tidy.load("municipalities"), path)
    return index.sort_values("code5").reset_index(drop=True)


BOUNDARY_INDEX_SCHEMA = pa.DataFrameSchema(
    {
        "code5": code5_column(),
        "code6": code6_column(),
        "city_name": pa.Column(str, pa.Check.str_length(min_value=2)),
        "county_name": pa.Column(str, pa.Check.str_matches(r"^.+郡$"), nullable=True),
        "prefecture_code": pref_code_column(),
        "is_hoppo": pa.Column(bool),
        # Japan incl. the Northern Territories and the outlying islands
        "centroid_lon_deg": pa.Column(float, pa.Check.in_range(122.0, 154.0)),
        "centroid_lat_deg": pa.Column(float, pa.Check.in_range(20.0, 46.0)),
    },
    checks=pa.Check(lambda f: (f["code5"].str[:2] == f["prefecture_code"]).all(),
                    error="prefecture_code = code5[:2]"),
    unique=["code5"], strict=True, coerce=True,
)

TABLES = (
    TableSpec(
        name="municipal_boundary_index",
        build=build_municipal_boundary_index,
        schema=BOUNDARY_INDEX_SCHEMA,
        description="Index of the municipal outlines (N03 2025, デジタル庁 TopoJSON): codes, "
                    "names, centroid",
        depends=("municipalities",),
    ),
)


# --------------------------------------------------------------- TopoJSON geometry
# TopoJSON stores shared borders once as *arcs* of integer, delta-encoded positions; a polygon
# ring is a list of arc indices (``~i`` = arc ``i`` reversed).
def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Return every arc as an (n, 2) array of lon/lat degrees.

    Quantised positions are delta-encoded: a running sum gives the integer grid position,
    which the ``transform`` scales and translates to degrees.
    """
    scale = np.asarray(topology["transform"]["scale"], dtype=float)
    translate = np.asarray(topology["transform"]["translate"], dtype=float)
    return [np.cumsum(np.asarray(arc, dtype=float), axis=0) * scale + translate
            for arc in topology["arcs"]]


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join the arcs of one ring; each arc after the first repeats its predecessor's end."""
    pieces = []
    for position, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        pieces.append(arc if position == 0 else arc[1:])
    return np.concatenate(pieces)


def geometry_rings(geometry: dict, arcs: list[np.ndarray]) -> list[np.ndarray]:
    """Return all rings (outer rings and holes) of a Polygon or MultiPolygon geometry."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"geometry type {geometry['type']!r} is not a polygon")
    return [_ring(ring, arcs) for polygon in polygons for ring in polygon]


def prefecture_polygons(topology: dict) -> dict[str, list[np.ndarray]]:
    """Return pref_code → rings (lon/lat degrees) from the prefecture TopoJSON."""
    arcs = decode_arcs(topology)
    (collection,) = topology["objects"].values()
    return {g["properties"]["prefecture_code"]: geometry_rings(g, arcs)
            for g in collection["geometries"]}


def load_prefecture_polygons(path: Path | None = None) -> dict[str, list[np.ndarray]]:
    """Decode the pulled prefecture TopoJSON (or ``path``) into rings per prefecture."""
    from scityhelpers.pipeline import tidy

    path = path or tidy.raw_files(SOURCE_ID)[FILE_PREFECTURES]
    return prefecture_polygons(read_topology(path))
