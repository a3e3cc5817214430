"""Facts: the numbers a chapter publishes, each with its unit and the precision that has meaning.

A float printed with 16 digits is noise waiting to fail on the next CPU: BLAS kernels and thread
counts change the last bits of a regression coefficient. So a chapter publishes *facts*, declared
once in ``chapters/<chapter>/facts.csv`` (name, unit, precision, what it is):

- ``exact``: counts, ranks, years and codes — integers, compared exactly;
- an integer ``d``: a measured or estimated number, stored rounded to ``d`` decimals and
  compared at that precision (two values differ only if they differ by at least half a unit in
  the last kept decimal);
- ``<n>sig``: ``n`` significant digits, for numbers spanning magnitudes (p-values);
- ``text``: a word or phrase computed from the data (a verdict, a list of names).

A fact marked ``optional`` exists only for some inputs (a KPI's actual when one was reported by
the chosen date); every other declared fact must be produced by every run.

The notebook adds each fact once (:meth:`FactRecord.add` rounds it and glues it for the prose)
and ends with :meth:`FactRecord.publish`, which checks that every declared fact was produced and
emits the whole record as one output (in the output's metadata; readers see a one-line
summary). ``scity run`` writes that record beside the executed notebook as
``<chapter>.facts.json``, with the checksum of the inputs that produced it; the claims ledger
and the change report read those files, never rendered text.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from scityhelpers.errors import FactError

EXACT = "exact"
TEXT = "text"
_SIG = re.compile(r"[1-9]sig")
FACTS_KEY = "scity_facts"
FACTS_SUFFIX = ".facts.json"


@dataclass(frozen=True)
class FactSpec:
    """How one fact is published.

    Attributes:
        name: glue key, with its unit in the name where it has one (``japan_wage_usd_ppp``).
        unit: unit in words (``USD PPP, constant prices``; ``%``; ``rank``; ``text``).
        precision: ``exact``, ``text`` or the number of decimals kept (as a string in the CSV).
        optional: produced only for some inputs (see the module docstring).
        about: one line saying what the number is.
    """

    name: str
    unit: str
    precision: str
    optional: bool = False
    about: str = ""

    @property
    def decimals(self) -> int | None:
        """Decimals kept, or None for exact numbers, significant digits and text."""
        return int(self.precision) if self.precision.isdigit() else None

    @property
    def significant(self) -> int | None:
        """Significant digits kept (``<n>sig``), or None."""
        return int(self.precision[:-3]) if _SIG.fullmatch(self.precision) else None

    def _step(self, value: float) -> float:
        """Half a unit in the last kept digit of ``value`` (the comparison tolerance)."""
        if self.significant is not None:
            exponent = math.floor(math.log10(abs(value))) if value else 0
            return 0.5 * 10.0 ** (exponent - self.significant + 1)
        return 0.5 * 10.0 ** -(self.decimals or 0)

    def normalise(self, value: Any) -> Any:
        """Return ``value`` as it is recorded: an int, a float rounded to ``decimals``, or str.

        Raises:
            FactError: a value of the wrong kind (text for a number, a fraction for a count,
                NaN), naming the fact.
        """
        if self.precision == TEXT:
            if not isinstance(value, str):
                raise FactError(f"fact {self.name!r} is declared as text; got {value!r}")
            return str(value)
        if isinstance(value, bool) or not isinstance(value, int | float) and not hasattr(
                value, "__float__"):
            raise FactError(f"fact {self.name!r} must be a number ({self.unit}); got {value!r}")
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise FactError(f"fact {self.name!r} is {number}; a published number must be finite. "
                            "Check the input table for missing values.")
        if self.precision == EXACT:
            if not number.is_integer():
                raise FactError(f"fact {self.name!r} is declared exact ({self.unit}) but is "
                                f"{number}; declare decimals in resources/facts/ if it is "
                                "a measured value")
            return int(number)
        if self.significant is not None:
            rounded = float(f"{number:.{self.significant - 1}e}")
        else:
            rounded = round(number, self.decimals)
        return 0.0 if rounded == 0 else rounded  # no "-0.0" in a published record

    def differs(self, before: Any, after: Any) -> bool:
        """True if two recorded values differ at this fact's precision."""
        if self.precision in (EXACT, TEXT) or before is None or after is None:
            return before != after
        try:
            gap = abs(float(before) - float(after))
        except (TypeError, ValueError):
            return before != after
        step = self._step(max(abs(float(before)), abs(float(after))))
        return gap >= step * (1 - 1e-9)


def _specs_path(chapter: str) -> str:
    return f"chapters/{chapter}/facts.csv"


def load_specs(chapter: str) -> dict[str, FactSpec]:
    """Read a chapter's fact declarations (package data ``chapters/<chapter>/facts.csv``).

    Raises:
        FactError: no declaration file, a duplicate name or an unknown precision.
    """
    target = resources.files("scityhelpers").joinpath(_specs_path(chapter))
    if not target.is_file():
        raise FactError(f"no fact declarations for chapter {chapter!r}: create "
                        f"src/scityhelpers/{_specs_path(chapter)}")
    specs: dict[str, FactSpec] = {}
    with target.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            spec = FactSpec(row["name"], row["unit"], row["precision"],
                            optional=row.get("optional", "") == "yes", about=row.get("about", ""))
            if spec.name in specs:
                raise FactError(f"fact {spec.name!r} is declared twice in {_specs_path(chapter)}")
            if (spec.precision not in (EXACT, TEXT) and not spec.precision.isdigit()
                    and not _SIG.fullmatch(spec.precision)):
                raise FactError(f"fact {spec.name!r}: precision must be 'exact', 'text', a "
                                f"number of decimals or '<n>sig', not {spec.precision!r}")
            specs[spec.name] = spec
    return specs


def recorded(chapter: str, name: str, value: Any) -> Any:
    """``value`` as the chapter's facts record holds it (rounded to the fact's precision).

    Tests compare a notebook's published fact with the function that computes it through this,
    so the comparison is made at the stated precision, not at float noise.
    """
    return load_specs(chapter)[name].normalise(value)


class FactRecord:
    """The facts one chapter run publishes, in the order the notebook adds them."""

    def __init__(self, chapter: str, *, glue: bool = True) -> None:
        self.chapter = chapter
        self.specs = load_specs(chapter)
        self.values: dict[str, Any] = {}
        self._glue = glue

    def add(self, name: str, value: Any) -> Any:
        """Record one fact (rounded to its precision), glue it, and return the recorded value.

        Raises:
            FactError: the name is not declared, or was added before.
        """
        if name not in self.specs:
            raise FactError(f"fact {name!r} is not declared for chapter {self.chapter!r}: add a "
                            f"row to src/scityhelpers/{_specs_path(self.chapter)} "
                            "(name, unit, precision, about)")
        if name in self.values:
            raise FactError(f"fact {name!r} of chapter {self.chapter!r} was added twice")
        recorded = self.specs[name].normalise(value)
        self.values[name] = recorded
        if self._glue:
            _glue(name, recorded)
        return recorded

    def add_all(self, values: Mapping[str, Any], *, only_declared: bool = False) -> dict[str, Any]:
        """Add every fact of ``values`` (each as :meth:`add` does); return the recorded ones.

        A compute function returns a chapter's facts as one mapping, so the notebook adds them
        in one line. With ``only_declared``, the mapping is a family of candidates built in a
        loop (every KPI series' status, actual, target…) and the chapter's ``facts.csv`` chooses
        which of them are published: undeclared keys are left out, never recorded.

        Raises:
            FactError: a key is not declared (without ``only_declared``) or was added before.
        """
        undeclared = sorted(name for name in values if name not in self.specs)
        if undeclared and not only_declared:
            raise FactError(f"facts {undeclared} are not declared for chapter {self.chapter!r} "
                            "(nothing was added): add rows to "
                            f"src/scityhelpers/{_specs_path(self.chapter)} (name, unit, "
                            "precision, about)")
        return {name: self.add(name, value) for name, value in values.items()
                if name in self.specs}

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The record as JSON-ready data: name → value, unit, precision."""
        return {name: {"value": value, "unit": self.specs[name].unit,
                       "precision": self.specs[name].precision}
                for name, value in self.values.items()}

    def publish(self) -> None:
        """Check every declared fact was produced and emit the record as the cell's output.

        Raises:
            FactError: declared facts the run did not produce (listed).
        """
        missing = sorted(name for name, spec in self.specs.items()
                         if name not in self.values and not spec.optional)
        if missing:
            raise FactError(f"chapter {self.chapter!r} declares facts it did not produce: "
                            f"{missing}; add them in the notebook or remove their rows from "
                            f"src/scityhelpers/{_specs_path(self.chapter)}")
        from IPython.display import display

        summary = (f"{len(self.values)} facts recorded for {self.chapter} "
                   f"(value, unit and precision of each in {self.chapter}{FACTS_SUFFIX})")
        # the record rides in the output's metadata: the book renders the summary only
        display({"text/plain": summary}, raw=True,
                metadata={FACTS_KEY: {"chapter": self.chapter, "facts": self.as_dict()}})


def _glue(name: str, value: Any) -> None:
    from myst_nb import glue

    from scityhelpers.book.reader_tables import Phrase

    glue(name, Phrase(value) if isinstance(value, str) else value, display=False)


# ------------------------------------------------------------------------ reading records
def facts_in_notebook(cells: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The facts record a notebook emitted (``{"chapter", "facts"}``), or None if none."""
    for cell in cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(FACTS_KEY)
            if record is not None:
                return record
    return None


def facts_path(notebook: Path) -> Path:
    """Where the facts record of an executed notebook lives (beside it)."""
    return notebook.with_name(notebook.stem + FACTS_SUFFIX)


def read_record(path: Path) -> dict[str, Any]:
    """Read a ``.facts.json`` file.

    Raises:
        FactError: the file is missing or not a facts record, with the command that remakes it.
    """
    chapter = path.name.removesuffix(FACTS_SUFFIX)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise FactError(f"no facts record at {path}; make it with "
                        f"`scity run --only {chapter}`") from error
    except json.JSONDecodeError as error:
        raise FactError(f"{path} is not valid JSON ({error}); remake it with "
                        f"`scity run --only {chapter} --force`") from error
    if not isinstance(record, dict) or "facts" not in record:
        raise FactError(f"{path} is not a facts record; remake it with "
                        f"`scity run --only {chapter} --force`")
    return record


def fact_values(record: dict[str, Any]) -> dict[str, Any]:
    """Name → recorded value of a facts record."""
    return {name: fact["value"] for name, fact in record["facts"].items()}


def facts_folders(out_dir: Path | str | None) -> list[Path]:
    """Where a chapter reads other chapters' facts: a what-if folder first, then the record.

    The committed records live beside the committed notebooks in ``<root>/notebooks``; an
    empty ``out_dir`` means the committed records only.
    """
    from scityhelpers.paths import project_root

    committed = project_root() / "notebooks"
    return [Path(out_dir).resolve(), committed] if out_dir else [committed]


def load_facts(chapters: list[str] | tuple[str, ...],
               folders: list[Path]) -> dict[str, dict[str, Any]]:
    """Chapter → name → value, each chapter's record taken from the first folder that has it.

    A what-if run passes its output folder first and ``notebooks/`` second, so chapters it
    re-ran are read from the what-if and the others from the committed record.
    """
    values = {}
    for chapter in chapters:
        paths = [folder / f"{chapter}{FACTS_SUFFIX}" for folder in folders]
        found = next((p for p in paths if p.is_file()), paths[-1])
        values[chapter] = fact_values(read_record(found))
    return values
