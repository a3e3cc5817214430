"""Fixtures shared by the source tests: sources pulled for real, damaged and edited raw files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from scityhelpers.paths import project_root

#: the first bytes of a PNG and a UTF-16 byte-order mark: no CSV or JSON reader may accept it
BINARY_GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 20


@pytest.fixture(scope="module")
def pulled_sources(request: pytest.FixtureRequest) -> Path:
    """The real project with the sources a test module lists in ``PULLED_SOURCES`` pulled.

    Pulled offline from the mirror, their tidy tables built: cheaper than the session-wide
    ``pulled`` fixture, which pulls every source. List the sources a table depends on too
    (``soumu_codes`` for anything that loads ``municipalities``).
    """
    from scityhelpers.pipeline.data_verbs import pull_all

    pull_all(offline=True, sources=list(request.module.PULLED_SOURCES))
    return project_root()


@pytest.fixture
def garbage_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write :data:`BINARY_GARBAGE` to a file of the given name in a temporary folder."""

    def _write(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(BINARY_GARBAGE)
        return path

    return _write


@pytest.fixture
def edit_workbook() -> Callable[..., None]:
    """Change one cell of an xlsx file in place (openpyxl keeps the rest of the workbook).

    Call it as ``edit_workbook(path, cell, value)`` for the active sheet, or with
    ``sheet=<name>``.
    """

    def _edit(path: Path, cell: str, value: object, sheet: str | None = None) -> None:
        book = openpyxl.load_workbook(path)
        (book[sheet] if sheet else book.active)[cell] = value
        book.save(path)

    return _edit
