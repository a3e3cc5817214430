"""The briefing's own figures, read from the reference table ``briefing_figures``.

「全国のスマートシティの現状と課題」 (Smart City Institute Japan, 2023-08-02) states the numbers
the book checks. Each lives once, as a row of ``data/reference/briefing_figures.csv`` with the
quote it stands in and a comparison rule; chapters and the claims ledger ask this object for
them, so no briefing figure is typed in code.
"""

from __future__ import annotations

import pandas as pd


class BriefingFigures:
    """The briefing's figures, looked up by claim id and figure name."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._rows = table.set_index(["claim_id", "figure"]).sort_index()

    def value(self, claim: str, figure: str) -> float:
        """The figure as the briefing states it, in its table unit.

        Raises:
            KeyError: naming the missing row and where to add it.
        """
        try:
            return float(self._rows.loc[(claim, figure), "value"])
        except KeyError as error:
            raise KeyError(f"briefing_figures has no row {claim}/{figure}; add it to "
                           "data/reference/briefing_figures.csv with its quote") from error

    def count(self, claim: str, figure: str) -> int:
        """A count, rank or year the briefing states."""
        return int(self.value(claim, figure))

    def national_2050(self) -> tuple[int, float]:
        """C1: the year and the national population there, million persons (2050, 1億人程度)."""
        return self.count("C1", "population_year"), self.value("C1", "population_2050_million")

    def ageing_area_share_pct(self) -> float:
        """C2: share of inhabited areas that become ageing areas, percent (約5割)."""
        return self.value("C2", "ageing_area_share_pct")

    def wage_window(self) -> tuple[int, int]:
        """C4: first and last year of the briefing's wage chart (1991–2022)."""
        return self.count("C4", "window_start_year"), self.count("C4", "window_end_year")

    def decarb_rounds(self) -> dict[int, tuple[int, int]]:
        """C6: round → (proposals selected, proposals received) as the briefing prints them."""
        rounds = {}
        for figure in self._rows.loc["C6"].index:
            if figure.endswith("_selected"):
                number = int(figure[1:].split("_")[0])
                rounds[number] = (self.count("C6", figure),
                                  self.count("C6", f"r{number}_proposals"))
        return dict(sorted(rounds.items()))

    def sdgs_cities_by_year(self) -> dict[int, int]:
        """C7: fiscal year → SDGs Future Cities selected that year (全29都市 …)."""
        return {int(figure.removeprefix("cities_")): self.count("C7", figure)
                for figure in self._rows.loc["C7"].index
                if figure.removeprefix("cities_").isdigit()}

    def sdgs_years(self) -> tuple[int, int]:
        """C7: the first and last fiscal year the briefing's SDGs list covers."""
        years = self.sdgs_cities_by_year()
        return min(years), max(years)


def load_briefing() -> BriefingFigures:
    """Load the reference table ``briefing_figures`` (run ``scity data pull`` first)."""
    from scityhelpers.pipeline.tidy import load

    return BriefingFigures(load("briefing_figures"))
