"""Sphinx extension for the 日本語版's search: Sphinx's own word splitter, remembering its answers.

Sphinx splits Japanese text into words for the search index with a pure-Python segmenter
(:class:`sphinx.search.ja.DefaultSplitter`). After a one-chapter rerun that took about 0.35 s
of the Japanese build, the longer of the two Sphinx builds ``scity build`` runs side by side.
The same paragraphs come back build after build, so the words of each text are kept with the
edition's Sphinx cache (``<doctrees>/search-words-ja.json``, discarded with it after a failed
build) and only new text is split again: the same words, so the same search index.

The Japanese ``_config.yml`` loads this extension and names :class:`RememberingSplitter` as
the search splitter (``html_search_options``, see :func:`scityhelpers.book.edition_ja.ja_config`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.search.ja import DefaultSplitter

log = logging.getLogger(__name__)

#: the remembered words, in the Sphinx cache folder (doctrees) of the build
WORDS_FILE = "search-words-ja.json"
#: beyond this many remembered texts, the ones this build did not split are forgotten
MAX_TEXTS = 50_000
#: the dotted name ``html_search_options`` gives Sphinx
SPLITTER = f"{__name__}.RememberingSplitter"


class RememberingSplitter(DefaultSplitter):
    """Sphinx's default Japanese splitter, answering a text it has split before from memory.

    ``known``: text → its words, loaded from :data:`WORDS_FILE` by :func:`_load_words` (only
    when that file was written by the same Sphinx version, whose splitter gave those words).
    """

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self.known: dict[str, list[str]] = dict(_STATE.get("known", {}))
        self.used: set[str] = set()
        _STATE["splitter"] = self

    def split(self, input: str) -> list[str]:  # noqa: A002 - Sphinx's parameter name
        """The words of ``input``, as :class:`DefaultSplitter` splits them."""
        words = self.known.get(input)
        if words is None:
            words = self.known[input] = super().split(input)
        self.used.add(input)
        return list(words)

    def to_keep(self) -> dict[str, list[str]]:
        """What to remember: everything, or only this build's texts once there are too many."""
        if len(self.known) <= MAX_TEXTS:
            return self.known
        return {text: words for text, words in self.known.items() if text in self.used}


#: the build's splitter and the words loaded for it (one Sphinx build per process)
_STATE: dict[str, Any] = {}


def words_path(app: Sphinx) -> Path:
    """Where this build keeps the remembered words (its Sphinx cache folder)."""
    return Path(app.doctreedir) / WORDS_FILE


def read_words(path: Path) -> dict[str, list[str]]:
    """The words remembered in ``path``.

    None if the file is missing, unreadable or written by another Sphinx version: it is a
    cache, and the texts are split again.
    """
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.info("search words of the Japanese edition not reused (%s): %s", path, error)
        return {}
    if not isinstance(saved, dict) or saved.get("sphinx") != sphinx.__version__:
        return {}
    words = saved.get("words")
    return words if isinstance(words, dict) else {}


def write_words(path: Path, words: dict[str, list[str]]) -> None:
    """Remember ``words`` in ``path`` (written whole, then renamed into place)."""
    from scityhelpers.pipeline.fetch import atomic_write

    text = json.dumps({"sphinx": sphinx.__version__, "words": words}, ensure_ascii=False,
                      sort_keys=True)
    atomic_write(path, [text.encode("utf-8")])


def _load_words(app: Sphinx) -> None:
    _STATE.clear()
    _STATE["known"] = read_words(words_path(app))


def _save_words(app: Sphinx, exception: Exception | None) -> None:
    splitter = _STATE.get("splitter")
    if exception is None and isinstance(splitter, RememberingSplitter) and splitter.used:
        write_words(words_path(app), splitter.to_keep())


def setup(app: Sphinx) -> dict[str, Any]:
    """Load the remembered words when the builder starts; save them after a good build."""
    app.connect("builder-inited", _load_words)
    app.connect("build-finished", _save_words)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
