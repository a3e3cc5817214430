"""The published ``data/datapackage.json``: schemas from pandera, validated with frictionless."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandera.pandas as pa
import pytest
from frictionless import Package

from scityhelpers.book.datapackage import PACKAGE_FILE, table_schema
from scityhelpers.pipeline.manifest import source_of_table
from scityhelpers.sources import table_specs

SCHEMA = pa.DataFrameSchema({
    "code5": pa.Column(str, pa.Check.str_matches(r"^\d{5}$")),
    "kind": pa.Column(str, pa.Check.isin(["市", "町"])),
    "note": pa.Column(str),
    "share_pct": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
    "year": pa.Column(int, pa.Check.greater_than_or_equal_to(1920)),
}, unique=["code5", "year"])


def test_table_schema_translates_pandera_constraints() -> None:
    schema = table_schema(SCHEMA, ["year", "code5", "kind", "note", "share_pct"])
    fields = {f["name"]: f for f in schema["fields"]}
    assert [f["name"] for f in schema["fields"]] == ["year", "code5", "kind", "note",
                                                     "share_pct"]
    assert fields["code5"]["constraints"] == {"pattern": r"\d{5}$", "required": True}
    assert fields["kind"]["constraints"]["enum"] == ["市", "町"]
    assert fields["share_pct"] == {"name": "share_pct", "type": "number",
                                   "constraints": {"maximum": 100, "minimum": 0,
                                                   "required": False}}
    assert fields["year"]["constraints"] == {"minimum": 1920, "required": True}
    # an empty string and a missing value look alike in CSV: a bare string is not required
    assert fields["note"]["constraints"] == {"required": False}
    assert schema["primaryKey"] == ["code5", "year"]


def test_table_schema_refuses_a_csv_with_other_columns() -> None:
    with pytest.raises(ValueError, match="differ from the schema"):
        table_schema(SCHEMA, ["year", "code5"])


@pytest.fixture(scope="module")
def package_file(built_book: Path) -> Path:
    return built_book / "data" / PACKAGE_FILE


def test_published_package_describes_every_exported_table(package_file: Path) -> None:
    descriptor = json.loads(package_file.read_text(encoding="utf-8"))
    exported = sorted(p.name for p in package_file.parent.glob("*.csv")
                      if p.stem in table_specs())
    assert sorted(r["path"] for r in descriptor["resources"]) == exported
    wages = next(r for r in descriptor["resources"] if r["name"] == "wages")
    source = source_of_table("wages")
    assert wages["licenses"] == [{"title": source.licence, "path": source.licence_url}]
    assert any(source.files[0].sha256 in s["title"] for s in wages["sources"])


def test_published_package_is_valid(package_file: Path) -> None:
    report = Package(str(package_file)).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])[:20]


def test_validation_catches_a_code_that_breaks_the_schema(package_file: Path,
                                                          tmp_path: Path) -> None:
    copy = tmp_path / "data"
    copy.mkdir()
    descriptor = json.loads(package_file.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"]
                               if r["name"] == "municipalities"]
    (copy / PACKAGE_FILE).write_text(json.dumps(descriptor, ensure_ascii=False),
                                     encoding="utf-8")
    text = (package_file.parent / "municipalities.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",01000,", ",1000,", 1)  # Hokkaido's code5 loses its zero
    assert lines[1] != text.splitlines()[1]
    (copy / "municipalities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = Package(str(copy / PACKAGE_FILE)).validate()
    assert not report.valid
    assert {e[1] for e in report.flatten(["rowNumber", "fieldName"])} == {"code5"}
    shutil.rmtree(copy)


def test_a_rebuild_that_changed_no_table_keeps_the_descriptor_and_sets_its_version(
        package_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.book import datapackage

    site = tmp_path / "html"
    shutil.copytree(package_file.parent, site / "data")
    (tmp_path / datapackage.INPUTS_STAMP).unlink(missing_ok=True)
    datapackage.write_data_package(site, version="edition-a")
    first = json.loads((site / "data" / PACKAGE_FILE).read_text(encoding="utf-8"))

    def no_schemas(*args: object, **kwargs: object) -> dict:
        raise AssertionError("the schemas were read again for unchanged inputs")

    monkeypatch.setattr(datapackage, "data_package", no_schemas)
    datapackage.write_data_package(site, version="edition-b")
    second = json.loads((site / "data" / PACKAGE_FILE).read_text(encoding="utf-8"))
    assert second == {**first, "version": "edition-b"}
    csv = sorted((site / "data").glob("*.csv"))[0]  # a table exported again: described again
    csv.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="read again"):
        datapackage.write_data_package(site, version="edition-c")
