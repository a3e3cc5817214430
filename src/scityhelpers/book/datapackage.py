"""``data/datapackage.json``: the site's tidy-table CSVs described as a Frictionless Data Package.

Each CSV the build exports (:func:`scityhelpers.book.build.export_tidy_csv`) becomes a resource
whose
table schema is translated from the table's pandera schema (types, required, enums, ranges,
patterns, primary key), and whose licence and sources come from ``data/manifest.yml``. A
reader can then load and validate the whole set with any Frictionless tool
(``frictionless validate datapackage.json``).
"""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scityhelpers.pipeline.fetch import made_from, write_made_from
from scityhelpers.pipeline.manifest import Source, source_of_table

if TYPE_CHECKING:  # the schemas are read (and pandera imported) only when the package changed
    import pandera.pandas as pa

log = logging.getLogger(__name__)

PACKAGE_FILE = "datapackage.json"
PACKAGE_NAME = "scity-tidy-tables"
PACKAGE_TITLE = "scity: tidy tables behind the data book on Japan's smart cities"
PROFILE = "tabular-data-package"
#: pandas dtype (as ``str(dtype)``) prefix → Frictionless field type
TYPE_PREFIXES = (("bool", "boolean"), ("boolean", "boolean"), ("int", "integer"),
                 ("Int", "integer"), ("float", "number"), ("Float", "number"),
                 ("datetime64", "date"), ("string", "string"), ("str", "string"),
                 ("object", "string"))


def field_type(dtype: object) -> str:
    """Frictionless type of a pandera column dtype (dates are written by pandas as YYYY-MM-DD)."""
    name = str(dtype)
    for prefix, kind in TYPE_PREFIXES:
        if name.startswith(prefix):
            return kind
    raise ValueError(f"no Frictionless type for pandas dtype {name!r}; add it to TYPE_PREFIXES")


def _full_match(pattern: str) -> str:
    """A pattern for the whole value (pandera's ``str_matches`` anchors at the start only)."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    return body if body.endswith("$") and not body.endswith(r"\$") else f"(?:{body}).*"


def _check_constraints(check: pa.Check, kind: str) -> dict[str, Any]:
    """Constraints one pandera check translates to; checks without a translation give none."""
    stats = check.statistics or {}
    name = check.name
    if name == "isin":
        return {"enum": sorted(stats["allowed_values"], key=str)}
    if name == "str_matches":
        return {"pattern": _full_match(str(stats["pattern"]))}
    if name == "str_startswith":
        return {"pattern": f"{re.escape(str(stats['string']))}.*"}
    if name == "str_length":
        bounds = {"minLength": stats.get("min_value"), "maxLength": stats.get("max_value")}
        return {k: v for k, v in bounds.items() if v is not None}
    if name == "greater_than_or_equal_to" and kind in ("integer", "number"):
        return {"minimum": stats["min_value"]}
    if name == "in_range" and kind in ("integer", "number"):
        bounds = {}
        if stats.get("include_min", True):
            bounds["minimum"] = stats["min_value"]
        if stats.get("include_max", True):
            bounds["maximum"] = stats["max_value"]
        return bounds
    return {}


def _plain(value: Any) -> Any:
    """Plain Python numbers for numpy scalars (json cannot write those)."""
    return value.item() if hasattr(value, "item") else value


#: constraints that already refuse an empty string
_NON_EMPTY = ("pattern", "enum", "minLength")


def _field(name: str, column: pa.Column) -> dict[str, Any]:
    """One Table Schema field with the constraints the pandera column carries.

    A CSV writes an empty string and a missing value alike, so a non-nullable string column is
    ``required`` only when another constraint already refuses ``""``.
    """
    kind = field_type(column.dtype)
    constraints: dict[str, Any] = {}
    if column.unique:
        constraints["unique"] = True
    for check in column.checks:
        constraints.update(_check_constraints(check, kind))
    constraints["required"] = not column.nullable and (
        kind != "string" or any(k in constraints for k in _NON_EMPTY))
    constraints = {k: ([_plain(v) for v in value] if isinstance(value, list) else _plain(value))
                   for k, value in sorted(constraints.items())}
    return {"name": name, "type": kind, "constraints": constraints}


def table_schema(schema: pa.DataFrameSchema, header: list[str]) -> dict[str, Any]:
    """Frictionless Table Schema of a pandera schema, fields in the CSV's ``header`` order.

    Raises:
        ValueError: the CSV's columns are not the schema's (a stale export).
    """
    if sorted(header) != sorted(schema.columns):
        raise ValueError(f"CSV columns {header} differ from the schema's "
                         f"{list(schema.columns)}; rebuild with `scity build --clean`")
    fields = [_field(name, schema.columns[name]) for name in header]
    result: dict[str, Any] = {"fields": fields}
    unique = schema.unique
    if unique:
        result["primaryKey"] = [unique] if isinstance(unique, str) else list(unique)
    return result


def _licence(source: Source) -> dict[str, str]:
    return {"title": source.licence, "path": source.licence_url or source.homepage}


def _sources(source: Source) -> list[dict[str, str]]:
    listed = [{"title": f"{source.title} ({source.publisher})",
               "path": source.homepage or source.files[0].url}]
    listed += [{"title": f"{raw.name}, vintage {raw.vintage}, sha256 {raw.sha256}",
                "path": raw.url} for raw in source.files
               if raw.url.startswith(("http://", "https://"))]
    return listed


def csv_header(path: Path) -> list[str]:
    """Column names of a CSV file (its first row)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def table_resource(table: str, csv_path: Path) -> dict[str, Any]:
    """One resource: the CSV (path relative to the descriptor), its schema, licence, sources."""
    from scityhelpers.sources import table_spec

    _, spec = table_spec(table)
    source = source_of_table(table)
    return {"name": table.lower(), "path": csv_path.name, "profile": "tabular-data-resource",
            "title": table, "description": spec.description, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": table_schema(spec.schema, csv_header(csv_path)),
            "licenses": [_licence(source)], "sources": _sources(source)}


def data_package(csv_files: list[Path], version: str | None = None) -> dict[str, Any]:
    """The package descriptor of tidy-table CSVs (named ``<table>.csv``, next to it)."""
    package: dict[str, Any] = {
        "profile": PROFILE, "name": PACKAGE_NAME, "title": PACKAGE_TITLE,
        "description": "Tidy tables made from hashed raw files listed in data/manifest.yml; "
                       "each resource names its own licence and sources.",
        "resources": [table_resource(p.stem, p) for p in sorted(csv_files)],
    }
    if version:
        package["version"] = version
    return package


def write_data_package(html_dir: Path, version: str | None = None) -> Path:
    """Describe every tidy-table CSV in ``<site>/data`` in ``<site>/data/datapackage.json``.

    A descriptor made from the same inputs (:func:`package_inputs_digest`, recorded beside the
    site) is kept and only its ``version`` set: reading the tables' schemas imports every
    source module and pandera, a second of a rebuild that changed no table.
    """
    data_dir = html_dir / "data"
    target = data_dir / PACKAGE_FILE
    stamp = html_dir.parent / INPUTS_STAMP
    inputs = package_inputs_digest(data_dir)
    if made_from(target, stamp, inputs):
        package = json.loads(target.read_text(encoding="utf-8"))
        package.pop("version", None)
        if version:
            package["version"] = version
        log.info("data package: inputs unchanged, version set to %s", version)
    else:
        from scityhelpers.sources import table_specs

        known = table_specs()
        csv_files = sorted(p for p in data_dir.glob("*.csv") if p.stem in known)
        package = data_package(csv_files, version)
        log.info("data package: %d tables described in %s", len(csv_files), target)
    write_made_from(target, [json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")],
                    stamp, inputs)
    return target


#: beside the site (not in it): the digest of the inputs the descriptor was made from
INPUTS_STAMP = ".datapackage-inputs"


def package_inputs_digest(data_dir: Path) -> str:
    """Hash of what the descriptor is made from, without importing any schema.

    The CSVs in ``data_dir`` (names, sizes, modification times: the build rewrites a CSV only
    when its table changed), the manifest and its vintages (licences, sources), this module's
    code closure and every source module (the schemas live there).
    """
    from scityhelpers.pipeline.manifest import manifest_path, vintages_path
    from scityhelpers.pipeline.snapshot import sha256_of
    from scityhelpers.pipeline.staleness import (
        PACKAGE_DIR,
        code_files,
        file_stamp,
        files_checksum,
        step_checksum,
    )

    code = files_checksum(code_files(modules=[__name__])
                          | set((PACKAGE_DIR / "sources").glob("*.py")))
    inputs = {p.name: "{}:{}".format(*file_stamp(p)) for p in sorted(data_dir.glob("*.csv"))}
    inputs.update({path.name: sha256_of(path)
                   for path in (manifest_path(), vintages_path()) if path.is_file()})
    return step_checksum(code, inputs)
