"""Text twins: ``notebooks/<chapter>.py`` is what authors edit; the ``.ipynb`` is the record."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from scityhelpers.book.notebook_text import (
    TEXT_DIGEST_KEY,
    disagreements,
    read_twin,
    sync_from_text,
    twin_digest,
    twin_path,
    write_twin,
)
from scityhelpers.book.run_plan import source_hash
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.errors import NotebookTextError

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_twin_and_notebook_agree(name: str) -> None:
    notebook = CHAPTERS[name].notebook
    assert nbformat.read(notebook, as_version=4).metadata.get(TEXT_DIGEST_KEY) == twin_digest(
        notebook), f"run `scity run --only {name}`: the notebook was not synced from its twin"
    differences = disagreements(notebook)
    assert not differences, (
        f"notebooks/{name}.py and notebooks/{name}.ipynb disagree ({'; '.join(differences)}). "
        f"If you edited the twin, run `scity run --only {name}` (it copies the twin's cells "
        f"into the notebook and executes it); if you edited the .ipynb in Jupyter, write its "
        f"cells back to the twin with `scity notebook-text {name}`, then run.")


@pytest.fixture
def wages_copy(tmp_path: Path) -> Path:
    """The committed wages notebook and its twin, copied to a scratch folder."""
    for suffix in (".ipynb", ".py"):
        shutil.copy(REPO / "notebooks" / f"wages{suffix}", tmp_path / f"wages{suffix}")
    return tmp_path / "wages.ipynb"


def _cells(notebook: Path) -> list:
    return nbformat.read(notebook, as_version=4).cells


def test_sync_of_an_agreeing_pair_leaves_the_notebook_byte_identical(wages_copy: Path) -> None:
    before = wages_copy.read_bytes()
    assert sync_from_text(wages_copy) is False
    assert wages_copy.read_bytes() == before


def test_edited_twin_updates_sources_and_keeps_ids_outputs_tags(wages_copy: Path) -> None:
    before = _cells(wages_copy)
    twin = twin_path(wages_copy)
    text = twin.read_text(encoding="utf-8")
    old_line = "# Every OECD member with a value for the chosen year is ranked"
    assert old_line in text
    twin.write_text(text.replace(old_line, "# Each OECD member with a value is ranked"),
                    encoding="utf-8")
    old_hash = source_hash(wages_copy)
    assert sync_from_text(wages_copy) is True
    after = _cells(wages_copy)
    assert [c["id"] for c in after] == [c["id"] for c in before]  # translations keyed by id
    edited = [i for i, (a, b) in enumerate(zip(before, after, strict=True))
              if a["source"] != b["source"]]
    assert len(edited) == 1
    assert after[edited[0]]["source"].startswith("Each OECD member with a value is ranked")
    assert [c.get("outputs") for c in after] == [c.get("outputs") for c in before]
    assert [c["metadata"] for c in after] == [c["metadata"] for c in before]
    assert source_hash(wages_copy) != old_hash  # so `scity run` reruns the chapter
    assert nbformat.read(wages_copy, as_version=4).metadata[TEXT_DIGEST_KEY] == twin_digest(
        wages_copy)
    assert disagreements(wages_copy) == []


def test_added_and_removed_cells_follow_the_twin(wages_copy: Path) -> None:
    before = _cells(wages_copy)
    twin = twin_path(wages_copy)
    text = twin.read_text(encoding="utf-8")
    twin.write_text(text + '\n# %% tags=["hide-input"]\nprint("added")\n', encoding="utf-8")
    sync_from_text(wages_copy)
    after = _cells(wages_copy)
    assert len(after) == len(before) + 1
    assert after[-1]["source"] == 'print("added")'
    assert after[-1]["metadata"]["tags"] == ["hide-input"]
    assert after[-1]["outputs"] == []
    assert after[-1]["id"] not in {c["id"] for c in before}
    twin.write_text(text, encoding="utf-8")
    sync_from_text(wages_copy)
    assert [c["id"] for c in _cells(wages_copy)] == [c["id"] for c in before]


def test_papermill_injected_cell_is_kept_after_the_parameters_cell(tmp_path: Path) -> None:
    notebook = tmp_path / "claims.ipynb"
    shutil.copy(REPO / "notebooks" / "claims.ipynb", notebook)
    shutil.copy(REPO / "notebooks" / "claims.py", tmp_path / "claims.py")
    tags = [c["metadata"].get("tags", []) for c in _cells(notebook)]
    assert "injected-parameters" in tags[tags.index(["parameters", "hide-input"]) + 1]
    twin = twin_path(notebook)
    twin.write_text(twin.read_text(encoding="utf-8").replace(
        "# # ", "# # Edited: ", 1), encoding="utf-8")
    assert sync_from_text(notebook) is True
    tags = [c["metadata"].get("tags", []) for c in _cells(notebook)]
    assert "injected-parameters" in tags[tags.index(["parameters", "hide-input"]) + 1]
    assert all("injected-parameters" not in c["metadata"].get("tags", [])
               for c in read_twin(notebook))


def test_a_directly_edited_notebook_is_reported_and_not_overwritten(wages_copy: Path) -> None:
    notebook = nbformat.read(wages_copy, as_version=4)
    notebook.cells[0]["source"] += "\nTyped into Jupyter."
    nbformat.write(notebook, wages_copy)
    edited = wages_copy.read_bytes()
    assert disagreements(wages_copy) == ["cell 1: source differs"]
    with pytest.raises(NotebookTextError, match="edited directly.*scity notebook-text wages"):
        sync_from_text(wages_copy)
    assert wages_copy.read_bytes() == edited
    write_twin(wages_copy)  # keep the notebook's cells: the twin follows them
    assert "Typed into Jupyter." in twin_path(wages_copy).read_text(encoding="utf-8")
    assert sync_from_text(wages_copy) is False
    assert disagreements(wages_copy) == []


def test_missing_twin_names_the_command_that_writes_it(wages_copy: Path) -> None:
    twin_path(wages_copy).unlink()
    with pytest.raises(NotebookTextError, match="scity notebook-text wages"):
        sync_from_text(wages_copy)


def test_a_new_chapter_notebook_is_created_from_its_twin(wages_copy: Path) -> None:
    expected = [(c["cell_type"], c["source"], c["metadata"].get("tags", []))
                for c in _cells(wages_copy)
                if "injected-parameters" not in c["metadata"].get("tags", [])]
    wages_copy.unlink()
    assert sync_from_text(wages_copy) is True
    created = _cells(wages_copy)
    assert [(c["cell_type"], c["source"], c["metadata"]["tags"]) for c in created] == expected
    assert all(c.get("outputs", []) == [] for c in created)
    assert nbformat.read(wages_copy, as_version=4).metadata["kernelspec"]["name"] == "python3"


def test_run_skips_pairs_in_step_and_syncs_an_edited_twin(
        wages_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scityhelpers.book import notebook_text

    monkeypatch.setattr("scityhelpers.paths.build_dir", lambda: tmp_path / "_build")
    assert notebook_text.sync_notebooks([wages_copy]) == []
    assert (tmp_path / "_build" / notebook_text.SYNC_STAMPS).is_file()

    def must_not_parse(_: Path) -> bool:
        raise AssertionError("a pair in step was parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(notebook_text, "sync_from_text", must_not_parse)
        assert notebook_text.sync_notebooks([wages_copy]) == []
    twin = twin_path(wages_copy)
    twin.write_text(twin.read_text(encoding="utf-8").replace(
        "# # Wages and productivity", "# # Wages, productivity", 1), encoding="utf-8")
    assert notebook_text.sync_notebooks([wages_copy]) == [wages_copy]
    assert _cells(wages_copy)[0]["source"].startswith("# Wages, productivity")


def test_notebook_text_writes_the_twin_back_from_the_notebook(wages_copy: Path) -> None:
    committed = twin_path(wages_copy).read_text(encoding="utf-8")
    twin_path(wages_copy).unlink()
    assert write_twin(wages_copy).read_text(encoding="utf-8") == committed
