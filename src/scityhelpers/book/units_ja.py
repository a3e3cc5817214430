"""Japanese units for the Japanese edition, from the same recorded facts.

Japanese writes large head counts in 万 (10,000): 1億470万人, not 104.7 million. A fact in
``million persons`` may declare a companion named ``<name without _million>_man`` in the
chapter's ``chapters/<chapter>/facts.csv`` (unit ``万人 (10,000 persons)``); the notebook calls
:func:`add_man_companions` once after adding the facts, and the Japanese page glues the
companion. The companion is computed from the *recorded* (rounded) value, so both editions
state the same number: 104.7 million → 10,470万人.
"""

from __future__ import annotations

from decimal import Decimal

from scityhelpers.book.facts import FactRecord

MILLION_PERSONS = "million persons"
#: 1 million persons = 100 万人
MAN_PER_MILLION = 100
MILLION_SUFFIX = "_million"
MAN_SUFFIX = "_man"


def man_name(name: str) -> str:
    """The companion of a ``…_million`` fact: ``national_2045_million`` → ``national_2045_man``."""
    return name.removesuffix(MILLION_SUFFIX) + MAN_SUFFIX


def add_man_companions(facts: FactRecord) -> None:
    """Add, for every recorded fact in million persons, its declared companion in 万人.

    Only companions declared in the chapter's facts CSV are added (a fact is never invented);
    each is the recorded value × 100 (万人 per million persons). Returns nothing, so that a
    notebook cell ending with the call shows no output.
    """
    for name, spec in facts.specs.items():
        companion = man_name(name)
        if (spec.unit == MILLION_PERSONS and name in facts.values
                and companion in facts.specs and companion not in facts.values):
            facts.add(companion, facts.values[name] * MAN_PER_MILLION)


#: 1 億 = 10,000 万
MAN_PER_OKU = 10_000


def man_text(millions: str) -> str:
    """A number of millions as Japanese writes it in 万 and 億: ``104.7`` → ``1億470万``.

    ``millions`` is the number as shown in English (``1,833.2``, ``-0.6``), so the digits the
    English shows are the digits the Japanese shows: no rounding, exact decimal arithmetic.
    """
    man = Decimal(millions.replace(",", "").replace("−", "-")) * MAN_PER_MILLION
    sign, man = ("-" if man < 0 else ""), abs(man)
    oku, rest = divmod(man, MAN_PER_OKU)
    rest_text = f"{rest.normalize():,f}万" if rest else ""
    if oku:
        return f"{sign}{int(oku)}億{rest_text}"
    return f"{sign}{rest_text or '0万'}"
