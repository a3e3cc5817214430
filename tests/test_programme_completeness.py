"""Programme completeness: rows known vs officially announced, per selection."""

from __future__ import annotations

from pathlib import Path

from scityhelpers.reference.programme_completeness import completeness


def test_completeness_reports_partial_selections_honestly(pulled: Path) -> None:
    table = completeness().set_index(["programme", "selection"])
    sdgs = table.loc["SDGs未来都市"]
    # programmes/SOURCES.md summary: FY2018-2023 complete in the briefing table except the
    # unnamed FY2021 body; FY2024 12 of 24 and FY2025 5 of 9 known
    assert sdgs.loc["FY2021", ["announced", "known", "unnamed"]].tolist() == [31, 30, 1]
    assert not sdgs.loc["FY2021", "is_complete"]
    assert sdgs.loc[["FY2018", "FY2019", "FY2020", "FY2022", "FY2023"], "is_complete"].all()
    assert sdgs.loc["FY2020", "known"] == 33  # 34 bodies, 大阪府・大阪市 one joint proposal
    assert sdgs.loc["FY2024", ["announced", "known"]].tolist() == [24, 12]
    assert sdgs.loc["FY2025", ["announced", "known"]].tolist() == [9, 5]
    assert sdgs.loc["FY2018", "model_projects_known"] == 10
    decarb = table.loc["脱炭素先行地域"]
    assert decarb["announced"].tolist() == [26, 20, 16, 12, 9, 7, 12]
    # with decarbonization_leading_areas_missing_2026-11-29.csv: round 3 is 16 of 16 and
    # round 7 is 9 of 12 (programmes/SOURCES.md, additions of 2026-11-29)
    assert decarb["known"].tolist() == [26, 20, 16, 9, 9, 7, 9]
    assert decarb.loc["round 3", "is_complete"]
    assert decarb.loc[["round 4", "round 7"], "is_complete"].sum() == 0
    assert table.loc["EU Cities Mission", "known"].sum() == 112
