"""Notebooks: papermill reruns give the data's numbers; nbval catches a changed output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill

from scityhelpers import load
from scityhelpers.book.facts import recorded
from scityhelpers.book.page_checks import glue_values
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.chapters.wages import compute as wages

REPO = Path(__file__).resolve().parents[1]

def _at(name: str, value: float) -> float:
    """``value`` as the wages facts record holds it (compared at its precision)."""
    return recorded("wages", name, value)



def test_every_chapter_notebook_is_committed_with_outputs_and_parameters() -> None:
    for chapter in CHAPTERS.values():
        notebook = nbformat.read(chapter.notebook, as_version=4)
        tags = [t for c in notebook.cells for t in c.metadata.get("tags", [])]
        assert "parameters" in tags, chapter.name
        assert any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")
        assert glue_values(chapter.notebook), f"{chapter.name} glues nothing"


def test_papermill_year_2019_glues_the_2019_rank(pulled: Path, tmp_path: Path) -> None:
    out = tmp_path / "wages_2019.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / "wages.ipynb"), str(out),
                               parameters={"year": 2019}, cwd=str(REPO / "notebooks"),
                               kernel_name="python3", progress_bar=False)
    glued = glue_values(out)
    ranking = wages.rank_table(load("wages"), 2019, 2025)
    assert int(glued["japan_rank"]) == wages.rank_of(ranking, "JPN")
    assert float(glued["japan_wage"]) == _at("japan_wage", wages.wage_of(ranking, "JPN"))
    assert glued["year"] == "2019"


def _mutated_copy(tmp_path: Path, key: str, new_text: str) -> Path:
    """wages.ipynb up to the cell that glues ``key``, that glued output replaced by ``new_text``.

    The cells after it are left out: nbval would execute them too, and they cannot change
    whether the mutated output is caught.
    """
    notebook = json.loads((REPO / "notebooks" / "wages.ipynb").read_text(encoding="utf-8"))
    mutated = None
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                output["data"]["application/papermill.record/text/plain"] = new_text
                mutated = index
    assert mutated is not None, f"wages.ipynb glues no {key}"
    notebook["cells"] = notebook["cells"][:mutated + 1]
    target = tmp_path / "notebooks" / "wages.ipynb"
    target.parent.mkdir()
    target.write_text(json.dumps(notebook), encoding="utf-8")
    return target


def _nbval(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCITY_ROOT": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-sanitize-with", str(REPO / "tests" / "nbval-sanitize.cfg"),
         "--rootdir", str(path.parent), str(path)],
        capture_output=True, text=True, env=env, cwd=path.parent, check=False,
    )


def test_nbval_fails_when_a_published_number_changes(pulled: Path, tmp_path: Path) -> None:
    true_rank = glue_values(REPO / "notebooks" / "wages.ipynb")["japan_rank"]
    mutated = _mutated_copy(tmp_path, "japan_rank", str(int(true_rank) + 1))
    result = _nbval(mutated)
    assert result.returncode != 0
    assert "failed" in result.stdout
    assert true_rank in result.stdout


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The (pattern, replacement) pairs nbval reads from tests/nbval-sanitize.cfg."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / "tests" / "nbval-sanitize.cfg", encoding="utf-8")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _sanitized(text: str) -> str:
    for pattern, replacement in _sanitizers():
        text = pattern.sub(replacement, text)
    return text


def test_sanitizers_replace_only_what_varies_between_machines() -> None:
    traceback_line = ('  File "/home/a/scity/.venv/lib/python3.11/site-packages/pandas/core/'
                      'frame.py", line 3, in <module>')
    assert _sanitized(traceback_line) == '  File "<PATH>", line 3, in <module>'
    warning = "/opt/x/site-packages/statsmodels/base/model.py:607: ConvergenceWarning"
    assert _sanitized(warning) == "<PATH> ConvergenceWarning"
    assert _sanitized("module=/srv/.venv/lib/x.py") == "module=<PATH>"
    assert _sanitized("[/srv/site-packages/y.py:3]") == "[<PATH>"
    assert _sanitized("<object at 0x7f3a2b1c9d80>") == "<object at 0xADDRESS>"
    # a glued number, a table cell and a figure's base64 are compared verbatim: a base64 token
    # may contain "/.venv/" by chance, and is not a path (nor scanned as one from every "/")
    for kept in ("51,129", "<td>24</td>", "iVBORw0KGgoAAAA/q+/x/.venv/y/site-packages/z=="):
        assert _sanitized(kept) == kept
