"""Facts records: numbers published at a stated precision, the same on any CPU."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from scityhelpers.book.facts import (
    FactRecord,
    FactSpec,
    facts_in_notebook,
    facts_path,
    load_specs,
    read_record,
)
from scityhelpers.book.notebook_files import notebook_cells
from scityhelpers.chapters.registry import CHAPTERS
from scityhelpers.errors import FactError

REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- the rules
def test_measured_values_are_recorded_rounded_to_their_precision() -> None:
    spec = FactSpec("fe_composite_coef", "log points", "3")
    assert spec.normalise(0.1062849779138759) == 0.106
    assert spec.normalise(0.10628497791387465) == 0.106  # the other CPU's value
    assert spec.normalise(-0.0001) == 0.0
    assert str(spec.normalise(-0.0001)) == "0.0"  # never "-0.0" in a record


def test_significant_digits_keep_small_p_values() -> None:
    spec = FactSpec("projected_change_p", "p-value", "3sig")
    assert spec.normalise(2.5416508851892055e-08) == 2.54e-08
    assert not spec.differs(2.54e-08, 2.54e-08 * (1 + 1e-12))
    assert spec.differs(2.54e-08, 2.55e-08)


def test_counts_must_be_whole_and_text_must_be_text() -> None:
    assert FactSpec("japan_rank", "rank", "exact").normalise(24.0) == 24
    with pytest.raises(FactError, match="declared exact"):
        FactSpec("japan_rank", "rank", "exact").normalise(24.5)
    with pytest.raises(FactError, match="declared as text"):
        FactSpec("verdict_c1", "verdict", "text").normalise(1)
    with pytest.raises(FactError, match="must be finite"):
        FactSpec("x", "%", "1").normalise(float("nan"))


@pytest.mark.parametrize("relative", [1e-12, -1e-12, 1e-10])
def test_float_noise_is_not_a_difference(relative: float) -> None:
    for precision, value in [("3", 0.106), ("1", 52.0), ("0", 51129.0), ("2", -0.01)]:
        spec = FactSpec("x", "u", precision)
        assert not spec.differs(value, value * (1 + relative)), (precision, value)


def test_a_difference_of_one_unit_in_the_last_kept_digit_is_a_difference() -> None:
    assert FactSpec("x", "u", "3").differs(0.106, 0.107)
    assert FactSpec("x", "u", "0").differs(51129.0, 51130.0)
    assert FactSpec("x", "u", "exact").differs(24, 25)
    assert FactSpec("x", "u", "text").differs("holds", "does not hold")


def test_undeclared_and_duplicate_facts_are_refused() -> None:
    record = FactRecord("wages", glue=False)
    with pytest.raises(FactError, match="not declared.*chapters/wages/facts.csv"):
        record.add("japan_rnak", 24)
    record.add("japan_rank", 24)
    with pytest.raises(FactError, match="added twice"):
        record.add("japan_rank", 24)


def test_add_all_records_each_fact_as_add_does() -> None:
    record = FactRecord("wages", glue=False)
    added = record.add_all({"japan_rank": 24.0, "japan_trend_pct": 0.123456})
    assert added == {"japan_rank": 24, "japan_trend_pct": 0.12}
    assert record.values == added
    with pytest.raises(FactError, match=r"\['oecd_trend_low'\] are not declared"):
        record.add_all({"japan_wage": 1.0, "oecd_trend_low": 0.5})
    assert "japan_wage" not in record.values  # nothing added from a refused mapping
    with pytest.raises(FactError, match="declared exact"):
        record.add_all({"korea_rank": 24.5})


def test_add_all_only_declared_publishes_what_facts_csv_chooses() -> None:
    record = FactRecord("wages", glue=False)
    added = record.add_all({"oecd_trend_pct": 0.504, "oecd_trend_low": 0.1,
                            "oecd_trend_high": 0.9}, only_declared=True)
    assert added == {"oecd_trend_pct": 0.5}  # oecd_trend_low/high are not declared
    assert list(record.values) == ["oecd_trend_pct"]
    with pytest.raises(FactError, match="added twice"):
        record.add_all({"oecd_trend_pct": 0.5}, only_declared=True)


def test_publish_lists_declared_facts_that_were_not_produced() -> None:
    record = FactRecord("wages", glue=False)
    record.add("japan_rank", 24)
    with pytest.raises(FactError, match="did not produce.*japan_wage"):
        record.publish()


def test_every_chapter_declares_its_facts() -> None:
    for name in CHAPTERS:
        specs = load_specs(name)
        assert specs, name
        for spec in specs.values():
            assert spec.unit not in ("", "?"), (name, spec.name)


# ----------------------------------------------------------------------------- the records
@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_committed_facts_record_matches_its_notebook(chapter: str) -> None:
    notebook = CHAPTERS[chapter].notebook
    record = read_record(facts_path(notebook))
    assert record["chapter"] == chapter
    assert record["facts"] == facts_in_notebook(notebook_cells(notebook))["facts"]
    assert set(record["facts"]) >= {n for n, s in load_specs(chapter).items() if not s.optional}


_LONG_FLOAT = re.compile(r"\d+\.\d{12,}")


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_no_published_output_carries_float_noise(chapter: str) -> None:
    # a 16-digit float in an output is what failed nbval on another CPU
    noisy = set()
    for cell in notebook_cells(CHAPTERS[chapter].notebook):
        for output in cell.get("outputs", []):
            for mime, text in output.get("data", {}).items():
                if mime.startswith("image/"):
                    continue
                noisy |= set(_LONG_FLOAT.findall("".join(text) if isinstance(text, list)
                                                 else str(text)))
    assert not noisy, f"{chapter}: {sorted(noisy)[:5]}"


def test_recorded_values_carry_no_more_digits_than_their_precision() -> None:
    for chapter in CHAPTERS:
        record = read_record(facts_path(CHAPTERS[chapter].notebook))
        for name, fact in record["facts"].items():
            if fact["precision"].isdigit():
                spec = FactSpec(name, fact["unit"], fact["precision"])
                assert fact["value"] == spec.normalise(fact["value"]), (chapter, name)


# ----------------------------------------------------------------------------- the briefing
def _distinctive(value: float) -> bool:
    """A briefing figure that would not occur in code by chance: a decimal, or ≥ 70 and not a
    year or a round hundred (0–69, 100 and years are everyday numbers in plotting code)."""
    if not float(value).is_integer():
        return True
    return 70 <= value < 1900 and value % 100 != 0


def test_no_briefing_figure_is_typed_in_the_package() -> None:
    import pandas as pd

    figures = pd.read_csv(REPO / "data" / "reference" / "briefing_figures.csv")
    wanted = {float(v) for v in figures["value"] if _distinctive(v)}
    assert {41.5, 48.9, 79.0, 182.0, 183.0, 372.0} <= wanted
    found = []
    for path in sorted((REPO / "src" / "scityhelpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                    and not isinstance(node.value, bool) and float(node.value) in wanted):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value}")
    assert not found, "briefing figures typed in code (read them from briefing_figures):\n" \
        + "\n".join(found)


def test_facts_json_is_sorted_and_stable(tmp_path: Path) -> None:
    path = facts_path(CHAPTERS["wages"].notebook)
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False,
                              sort_keys=True) + "\n"
