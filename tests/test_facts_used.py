"""Every declared fact is used somewhere, so unused keys cannot pile up in facts.csv.

A fact is used when a page glues it (English or Japanese, ``../notebooks/<ch>.ipynb::key``),
its own notebook's prose glues it, the claims ledger reads it (observed by running the ledger
on the committed facts records, so keys the ledger builds with f-strings count), the change
report treats it specially (the ledger's ``verdict_*`` facts, reported as flips), or it is the
``…_million`` source of a ``…_man`` companion that a Japanese page glues.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scityhelpers.book.change_report import VERDICT_PREFIX
from scityhelpers.book.facts import fact_values, facts_path, load_specs, read_record
from scityhelpers.book.notebook_text import read_twin
from scityhelpers.book.units_ja import MAN_SUFFIX, MILLION_SUFFIX
from scityhelpers.chapters.registry import CHAPTERS, get_chapter

REPO = Path(__file__).resolve().parents[1]
#: ``{glue:text}`../notebooks/wages.ipynb::japan_rank:d``` and the directive's ``:doc:`` form
PAGE_GLUE = re.compile(r"notebooks/(\w+)\.ipynb::(\w+)")
DIRECTIVE_GLUE = re.compile(r"```\{glue(?::\w+)?\}\s+(\w+)\s*\n:doc:\s*\S*notebooks/(\w+)\.ipynb")
OWN_GLUE = re.compile(r"\{glue(?::\w+)?\}`(\w+)")

Used = set[tuple[str, str]]


def glued_by_pages() -> Used:
    """(chapter, fact) pairs glued by the English and Japanese pages."""
    used: Used = set()
    for page in [*(REPO / "book").glob("*.md"), *(REPO / "book" / "ja").glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        used |= set(PAGE_GLUE.findall(text))
        used |= {(chapter, key) for key, chapter in DIRECTIVE_GLUE.findall(text)}
    return used


def glued_by_own_prose() -> Used:
    """(chapter, fact) pairs a notebook's own markdown cells glue."""
    return {(name, key) for name, chapter in CHAPTERS.items()
            for cell in read_twin(chapter.notebook) if cell["cell_type"] == "markdown"
            for key in OWN_GLUE.findall(cell["source"])}


class _Recording(dict):
    """A chapter's facts that remember which keys were read."""

    def __init__(self, chapter: str, values: dict[str, Any], seen: Used) -> None:
        super().__init__(values)
        self.chapter, self.seen = chapter, seen

    def __getitem__(self, key: str) -> Any:
        self.seen.add((self.chapter, key))
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add((self.chapter, key))
        return super().get(key, default)


def read_by_ledger() -> Used:
    """(chapter, fact) pairs the claims ledger reads from the committed facts records."""
    from scityhelpers import load
    from scityhelpers.chapters.claims.ledger import ledger

    seen: Used = set()
    names = [*get_chapter("claims").reads_chapters, "claims"]
    facts = {name: _Recording(name, fact_values(read_record(facts_path(CHAPTERS[name].notebook))),
                              seen) for name in names}
    ledger(load("seed_claims"), load("briefing_figures"), facts)
    return seen


def unused_facts(used: Used) -> list[str]:
    """Declared facts in no pair of ``used`` and in no rule of the module docstring."""
    unused = []
    for chapter in CHAPTERS:
        for name in load_specs(chapter):
            companion = name.removesuffix(MILLION_SUFFIX) + MAN_SUFFIX
            if ((chapter, name) in used
                    or (chapter == "claims" and name.startswith(VERDICT_PREFIX))
                    or (name.endswith(MILLION_SUFFIX) and (chapter, companion) in used)):
                continue
            unused.append(f"{chapter}::{name}")
    return unused


def test_every_declared_fact_is_used(pulled: Path) -> None:
    used = glued_by_pages() | glued_by_own_prose() | read_by_ledger()
    unused = unused_facts(used)
    assert not unused, (
        f"{len(unused)} declared fact(s) are used by no page, no notebook prose and not by the "
        f"claims ledger: {unused}. Glue them where a reader sees them, or remove their rows "
        "from src/scityhelpers/chapters/<chapter>/facts.csv and stop adding them in the "
        "notebook.")


def test_the_usage_rules_see_real_uses(pulled: Path) -> None:
    # guards the rules themselves: each kind of use below is known to exist
    assert ("wages", "japan_rank") in glued_by_pages()
    assert ("kpi", "kpi_count") in glued_by_pages()
    assert ("programmes", "decarb_r1_selected") in read_by_ledger()  # an f-string key
    assert ("claims", "corridor_population_man") in glued_by_pages()  # Japanese page only
    assert "claims::verdict_c1" not in unused_facts(set())
    assert "wages::japan_rank" in unused_facts(set())
