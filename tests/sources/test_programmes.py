"""Programme reference tables: excerpts resolve, drift is caught, published counts pinned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from scityhelpers.errors import RawFileCorruptError, SourceSchemaError
from scityhelpers.sources import programmes as prog
from scityhelpers.sources._reference import read_reference_csv

BRIEFING = "programmes/sdgs_briefing_2020osaka_2021_excerpt.csv"
NEWS = "programmes/sdgs_news_2020osaka_2021_2024_excerpt.csv"
DECARB = "programmes/decarbonization_rounds1_6_excerpt.csv"
DECARB_MISSING = "programmes/decarbonization_missing.csv"
FIXTURES = Path(__file__).parents[1] / "fixtures"


def read(path: Path, columns: list[str]) -> pd.DataFrame:
    return read_reference_csv(path, columns, prog.SOURCE_ID)


def test_briefing_excerpt_keeps_the_unresolved_row(fixtures: Path, pulled: Path) -> None:
    path = fixtures / BRIEFING
    briefing = prog.parse_briefing(read(path, prog.BRIEFING_COLUMNS), path)
    fy2021 = briefing[briefing["fiscal_year"] == 2021]
    assert len(fy2021) == 31
    assert (~fy2021["is_resolved"]).sum() == 1  # the row whose name the briefing lost
    assert fy2021.loc[~fy2021["is_resolved"], "code5"].isna().all()
    osaka = briefing[briefing["joint_group"] == "2020-大阪"]
    assert sorted(osaka["code5"]) == ["27000", "27100"]  # 大阪府・大阪市, one joint proposal


def test_news_and_briefing_combine_with_model_flags(fixtures: Path, pulled: Path) -> None:
    briefing = prog.parse_briefing(read(fixtures / BRIEFING, prog.BRIEFING_COLUMNS), BRIEFING)
    news = prog.parse_news_list(read(fixtures / NEWS, prog.SDGS_COLUMNS), NEWS)
    combined = prog.combine_sdgs(briefing, news, "excerpt").set_index(["fiscal_year", "code5"])
    # 2021 model projects named by the news list: 上士幌町, 市原市, 墨田区, 妙高市, 岐阜市 …
    assert combined.loc[(2021, "01633"), "is_model_project"]  # 上士幌町
    assert combined.loc[(2024, "13109"), "source_table"] == prog.FILE_SDGS  # 品川区, FY2024


def test_news_row_absent_from_briefing_is_refused(fixtures: Path, pulled: Path) -> None:
    briefing = prog.parse_briefing(read(fixtures / BRIEFING, prog.BRIEFING_COLUMNS), BRIEFING)
    news = prog.parse_news_list(read(fixtures / NEWS, prog.SDGS_COLUMNS), NEWS)
    briefing = briefing[briefing["municipality"] != "上士幌町"]
    with pytest.raises(SourceSchemaError, match="上士幌町"):
        prog.combine_sdgs(briefing, news, "excerpt")


def test_printed_code_must_match_the_name(copy_fixture: Callable[[str], Path],
                                          pulled: Path) -> None:
    path = copy_fixture(BRIEFING)
    path.write_text(path.read_text(encoding="utf-8").replace(",016331,", ",016349,"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="printed codes disagree"):
        prog.parse_briefing(read(path, prog.BRIEFING_COLUMNS), path)


def test_unknown_model_flag_is_refused(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(NEWS)
    text = path.read_text(encoding="utf-8").replace(",yes,http", ",maybe,http", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="maybe"):
        prog.parse_news_list(read(path, prog.SDGS_COLUMNS), path)


def test_unresolvable_name_stops_the_build(copy_fixture: Callable[[str], Path],
                                          pulled: Path) -> None:
    path = copy_fixture(DECARB)
    path.write_text(path.read_text(encoding="utf-8").replace(",石狩市,", ",石狩村,"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="石狩村"):
        prog.build_decarbonization_areas({prog.FILE_DECARB: path,
                                          prog.FILE_DECARB_MISSING: FIXTURES / DECARB_MISSING})


def test_decarbonization_excerpt_resolves(fixtures: Path, pulled: Path) -> None:
    areas = prog.build_decarbonization_areas({prog.FILE_DECARB: fixtures / DECARB,
                                              prog.FILE_DECARB_MISSING: fixtures / DECARB_MISSING})
    assert areas["code5"].notna().all()
    # rounds 1 and 6 from the excerpt, two proposals each of rounds 3 and 7 from the additions
    assert areas.groupby("round")["proposal_id"].nunique().to_dict() == {1: 26, 3: 2, 6: 7, 7: 2}


def test_renamed_column_is_drift(copy_fixture: Callable[[str], Path]) -> None:
    path = copy_fixture(DECARB)
    path.write_text(path.read_text(encoding="utf-8").replace("proposal_id", "proposal", 1),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="proposal_id"):
        read(path, prog.DECARB_COLUMNS)


def test_undecodable_reference_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "eu_cities_mission.csv"
    path.write_bytes(b"programme,city\n" + "市,市\n".encode("cp932"))
    with pytest.raises(RawFileCorruptError, match="git checkout"):
        read(path, ["programme"])


def test_real_tables_resolve_and_pin_counts(pulled: Path) -> None:
    from scityhelpers import load

    cities = load("sdgs_future_cities")
    # every row resolves except the one FY2021 row without a name
    # (programmes/SOURCES-sdgs-briefing-table.md, "Uncertain")
    unresolved = cities[~cities["is_resolved"]]
    assert len(unresolved) == 1
    assert unresolved["fiscal_year"].tolist() == [2021]
    assert cities.loc[cities["is_resolved"], "code5"].notna().all()
    for table in ("decarbonization_areas", "special_zones"):
        assert load(table)["code5"].notna().all()

    # programmes/sdgs_future_cities_by_year.csv (Cabinet Office counts as reported)
    by_year = load("sdgs_by_year").set_index("fiscal_year")
    assert by_year.loc[2018:2023, "cities_selected"].tolist() == [29, 31, 33, 31, 30, 28]
    assert by_year.loc[2023, "cumulative_cities"] == 182
    assert cities[cities["fiscal_year"] <= 2023].shape[0] == 183  # 182 cities, 183 bodies

    # programmes/decarbonization_leading_areas_rounds.csv: selected of proposals received
    rounds = load("decarbonization_rounds").set_index("round")
    assert list(zip(rounds["proposals_selected"], rounds["proposals_received"],
                    strict=True)) == [(26, 79), (20, 50), (16, 58), (12, 54), (9, 46), (7, 15),
                                      (12, 18)]
    assert len(load("eu_mission_cities")) == 112


# -- additions of 2026-11-29 -----------------------------------------------------------------
RENKEI = "programmes/renkei_sapporo_toyama_excerpt.csv"
SDGS_2024_2025 = "programmes/sdgs_2024_2025.csv"


def test_renkei_excerpt_resolves(fixtures: Path, pulled: Path) -> None:
    path = fixtures / RENKEI
    table = prog.parse_renkei(read(path, prog.RENKEI_COLUMNS), path)
    prog.RENKEI_SCHEMA.validate(table)
    sapporo = table[table["area_name"] == "さっぽろ連携中枢都市圏"]
    assert len(sapporo) == 12  # "8市3町1村" on the 札幌市 page
    assert sapporo.loc[sapporo["is_centre"].fillna(False), "code5"].tolist() == ["01100"]
    assert table.loc[table["area_name"] == "とやま呉西圏域", "is_centre"].isna().all()
    assert set(table["member_status"]) == {"confirmed", "prefectural_support_scheme",
                                           "pre_formation_list"}


def test_renkei_wrong_code_is_refused(copy_fixture: Callable[[str], Path], pulled: Path) -> None:
    path = copy_fixture(RENKEI)
    path.write_text(path.read_text(encoding="utf-8").replace(",012033,", ",012041,"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="printed codes disagree"):
        prog.parse_renkei(read(path, prog.RENKEI_COLUMNS), path)


def test_renkei_unknown_status_is_refused(copy_fixture: Callable[[str], Path],
                                          pulled: Path) -> None:
    path = copy_fixture(RENKEI)
    path.write_text(path.read_text(encoding="utf-8").replace(",pre_formation_list,", ",member,"),
                    encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="member"):
        prog.parse_renkei(read(path, prog.RENKEI_COLUMNS), path)


def test_sdgs_2024_2025_flags(fixtures: Path, pulled: Path) -> None:
    path = fixtures / SDGS_2024_2025
    table = prog.parse_sdgs_2024_2025(read(path, prog.SDGS_2024_2025_COLUMNS), path)
    prog.SDGS_2024_2025_SCHEMA.validate(table)
    # programmes/SOURCES.md: 12 FY2024 rows, 5 FY2025 rows, five re-checked on 2026-11-29
    assert table["fiscal_year"].value_counts().to_dict() == {2024: 12, 2025: 5}
    assert int(table["is_verified_2026_11_29"].sum()) == 5
    fy2025 = table[table["fiscal_year"] == 2025]
    assert not fy2025["is_model_project"].any()  # none_announced → False, not NA


def test_sdgs_2024_2025_row_absent_from_first_list_is_refused(
        fixtures: Path, copy_fixture: Callable[[str], Path], pulled: Path) -> None:
    path = copy_fixture(SDGS_2024_2025)
    news = fixtures / NEWS  # FY2024 rows of sdgs_future_cities.csv, but no FY2025 rows
    with pytest.raises(SourceSchemaError, match="not in sdgs_future_cities.csv"):
        prog.build_sdgs_2024_2025({prog.FILE_SDGS_2024_2025: path, prog.FILE_SDGS: news})


def test_decarbonization_additions_are_appended(fixtures: Path, pulled: Path) -> None:
    areas = prog.build_decarbonization_areas({prog.FILE_DECARB: fixtures / DECARB,
                                              prog.FILE_DECARB_MISSING: fixtures / DECARB_MISSING})
    prog.DECARB_SCHEMA.validate(areas)
    added = areas[areas["proposal_id"].isin(["R3-p15", "R3-p16", "R7-p08", "R7-p09"])]
    assert added["municipality"].tolist() == ["佐井村", "あさぎり町", "福知山市", "豊岡市"]


def test_decarbonization_repeated_proposal_is_refused(fixtures: Path,
                                                      copy_fixture: Callable[[str], Path],
                                                      pulled: Path) -> None:
    path = copy_fixture(DECARB_MISSING)
    path.write_text(path.read_text(encoding="utf-8").replace("R3-p15", "R1-01"), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="R1-01"):
        prog.build_decarbonization_areas({prog.FILE_DECARB: fixtures / DECARB,
                                          prog.FILE_DECARB_MISSING: path})


def test_real_additions(pulled: Path) -> None:
    from scityhelpers import load

    renkei = load("renkei_areas")
    # programmes/SOURCES.md (additions of 2026-11-29): 347 rows in 34 areas, 320 confirmed
    assert len(renkei) == 347
    assert renkei["area_name"].nunique() == 34
    assert int((renkei["member_status"] == "confirmed").sum()) == 320
    rounds = load("decarbonization_areas").query("role != 'co'").groupby("round")["proposal_id"]
    # round 3 is now 16 of 16 proposals (SOURCES.md)
    assert rounds.nunique()[3] == 16


def test_renkei_official_counts(pulled: Path) -> None:
    from scityhelpers import load

    counts = load("renkei_official_counts").set_index("as_of")
    # programmes/SOURCES.md: 総務省 gives 40 cities / 38 areas / 376 municipalities on 2024-04-01
    assert counts.loc[pd.Timestamp("2024-04-01"),
                      ["centre_cities", "areas", "municipalities"]].tolist() == [40, 38, 376]


def test_renkei_counts_refuse_text(tmp_path: Path, pulled: Path) -> None:
    real = pulled / "data" / "reference" / prog.FILE_RENKEI_COUNTS
    path = tmp_path / prog.FILE_RENKEI_COUNTS  # a damaged copy of the committed table
    path.write_text(real.read_text(encoding="utf-8").replace(",40,", ",forty,"), encoding="utf-8")
    with pytest.raises(SourceSchemaError, match="forty"):
        prog.build_renkei_counts({prog.FILE_RENKEI_COUNTS: path})
