"""Authoring helper: write a notebook from a plain-text cell list (not used at run time).

Cells start with a marker line: ``#%%md`` (markdown) or ``#%%code tag1,tag2`` (code with tags).
Usage: ``.venv/bin/python docs/mknb.py /tmp/wages.txt notebooks/wages.ipynb`` — then
execute it with ``scity run --only wages --force`` so the committed copy carries outputs.
"""

from __future__ import annotations

import sys

import nbformat


def cells_from_text(text: str) -> list[nbformat.NotebookNode]:
    """Split the marker-delimited text into notebook cells."""
    cells = []
    for block in ("\n" + text).split("\n#%%")[1:]:
        header, _, body = block.partition("\n")
        kind, _, tag_text = header.strip().partition(" ")
        body = body.strip("\n")
        cell = nbformat.v4.new_markdown_cell(body) if kind == "md" else nbformat.v4.new_code_cell(body)
        tags = [t for t in tag_text.split(",") if t]
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)
    return cells


def main(source: str, target: str) -> None:
    """Write ``target`` from the cell list in ``source``."""
    with open(source, encoding="utf-8") as handle:
        notebook = nbformat.v4.new_notebook(cells=cells_from_text(handle.read()))
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                       "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
