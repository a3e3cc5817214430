"""Publishing files validated offline against the schemas vendored in check-jsonschema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-workflows", ".github/workflows/book.yml"),
        ("vendor.citation-file-format", "CITATION.cff"),
    ],
)
def test_file_matches_its_schema(schema: str, path: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
         str(REPO / path)], capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "book.yml"
    broken.write_text("name: book\non: push\njobs:\n  build:\n    steps: 3\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(broken)], capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
