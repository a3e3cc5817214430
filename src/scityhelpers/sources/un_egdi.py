"""UN E-Government Development Index (EGDI) and its sub-indices, survey years 2010-2024.

Two layouts. The 2010-2018 files are UNU-EGOV re-exports with ISO3 codes and lower-case
columns (values carry float noise such as 0.6955600000000001). The 2022 and 2024 files are
the UN data-centre exports: country names only (with a trailing space), and 2024 renames every
column. Names are resolved through the one country resolver, given the 2010-2018 files' own
name → ISO3 pairs as extra names (real data, so no hand-made list). Indices run from 0 to 1
and are rounded to the 5 decimals the UN publishes; survey years 2003-2008 and 2020 are not in
the mirror.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from scityhelpers.errors import SourceSchemaError
from scityhelpers.pipeline.validate import require_columns
from scityhelpers.reference.countries import to_iso3
from scityhelpers.sources import RawFiles, TableSpec
from scityhelpers.sources._shared import (
    iso3_column,
    read_raw_csv,
    refusing_fetch,
    require_country_codes,
)

SOURCE_ID = "un_egdi"
DATA_CENTER_URL = "https://publicadministration.un.org/egovkb/en-us/Data-Center"
#: raw file → survey year (the UNU files carry no year column)
SURVEY_FILES = {
    "unu_egov_egdi_2010.csv": 2010,
    "unu_egov_egdi_2012.csv": 2012,
    "unu_egov_egdi_2014.csv": 2014,
    "unu_egov_egdi_2016.csv": 2016,
    "unu_egov_egdi_2018.csv": 2018,
    "EGOV_DATA_2022.csv": 2022,
    "EGOV_DATA_2024.csv": 2024,
}
UN_MEMBER_STATES = 193
INDEX_DECIMALS = 5
INDICES = ["egdi", "osi", "hci", "tii", "epart"]

UNU_CODE, UNU_NAME = "country-code", "country-name"
UNU_COLUMNS = {UNU_CODE: "iso3", "e-gov-rank": "egdi_rank", "e-gov-index": "egdi",
               "osi": "osi", "hci": "hci", "tii": "tii", "e-pat-index": "epart"}
#: data-centre layouts, told apart by their country-name column
DATACENTRE_YEAR = "Survey Year"
DATACENTRE_COLUMNS = {
    "Country Name": {  # 2022
        "Country Name": "name", "E-Government Rank": "egdi_rank",
        "E-Government Index": "egdi", "Online Service Index": "osi",
        "Human Capital Index": "hci", "Telecommunication Infrastructure Index": "tii",
        "E-Participation Index": "epart",
    },
    "Country": {  # 2024
        "Country": "name", "Rank": "egdi_rank", "E_Index": "egdi", "Online_Service": "osi",
        "Human_Capital": "hci", "Tele_Infra": "tii", "E_Participation": "epart",
    },
}

#: why there is nothing to download: the data centre offers its CSVs through a web page
HOW_PUBLISHED = (
    f"the UN E-Government data centre ({DATA_CENTER_URL}) offers per-survey CSV downloads "
    "(EGOV_DATA_<year>.csv) through its web page; the 2010-2018 files are UNU-EGOV "
    "re-exports (GitHub UNU-EGOV/datasets, egdi/)."
)

fetch = refusing_fetch(SOURCE_ID, HOW_PUBLISHED)


def read_csv(path: Path) -> pd.DataFrame:
    """Read one survey file, turning unreadable bytes into a ``RawFileCorruptError``."""
    return read_raw_csv(path, SOURCE_ID)


def name_pairs(unu_frames: list[pd.DataFrame]) -> dict[str, str]:
    """Collect the country name → ISO3 pairs the UNU files publish side by side.

    Raises:
        SourceSchemaError: one name carries two codes (the pairs would be unreliable).
    """
    pairs = pd.concat([f[[UNU_NAME, UNU_CODE]] for f in unu_frames]).drop_duplicates()
    clashes = sorted(pairs.loc[pairs[UNU_NAME].duplicated(), UNU_NAME])
    if clashes:
        raise SourceSchemaError(f"UNU EGDI files give several ISO3 codes for {clashes}")
    return dict(zip(pairs[UNU_NAME].str.strip(), pairs[UNU_CODE], strict=True))


def _tidy(frame: pd.DataFrame, survey_year: int) -> pd.DataFrame:
    """Round away float noise and give the columns their tidy types and order."""
    indices = frame[INDICES].astype(float).round(INDEX_DECIMALS)
    return pd.DataFrame({
        "iso3": frame["iso3"].astype(str),
        "survey_year": survey_year,
        **{name: indices[name] for name in INDICES},
        "egdi_rank": frame["egdi_rank"].round().astype("Int64"),
    })


def parse_unu(raw: pd.DataFrame, survey_year: int, where: Path | str) -> pd.DataFrame:
    """Read a UNU-EGOV re-export (ISO3 codes, lower-case columns) of one survey year."""
    require_columns(raw, [*UNU_COLUMNS, UNU_NAME], where)
    require_country_codes(raw[UNU_CODE], [], where)
    return _tidy(raw.rename(columns=UNU_COLUMNS), survey_year)


def parse_datacentre(raw: pd.DataFrame, survey_year: int, where: Path | str,
                     extra_names: dict[str, str]) -> pd.DataFrame:
    """Read a UN data-centre export (names only), resolving names to ISO3.

    Raises:
        UnknownCountryError: a name neither the country table nor ``extra_names`` knows.
    """
    layout = next((cols for key, cols in DATACENTRE_COLUMNS.items() if key in raw.columns),
                  DATACENTRE_COLUMNS["Country Name"])
    require_columns(raw, [DATACENTRE_YEAR, *layout], where)
    years = sorted(raw[DATACENTRE_YEAR].dropna().astype(int).unique())
    if years != [survey_year]:
        raise SourceSchemaError(f"{where}: expected survey year {survey_year}, found {years}")
    frame = raw.rename(columns=layout)
    frame["iso3"] = [to_iso3(str(name).strip(), extra_names) for name in frame["name"]]
    return _tidy(frame, survey_year)


def build_egdi(files: RawFiles) -> pd.DataFrame:
    """Stack every survey year into one long table, sorted by year and rank."""
    raws = {name: read_csv(files[name]) for name in SURVEY_FILES}
    unu = [raw for raw in raws.values() if UNU_CODE in raw.columns]
    extra_names = name_pairs(unu)
    frames = [
        parse_unu(raw, SURVEY_FILES[name], files[name]) if UNU_CODE in raw.columns
        else parse_datacentre(raw, SURVEY_FILES[name], files[name], extra_names)
        for name, raw in raws.items()
    ]
    egdi = pd.concat(frames, ignore_index=True)
    return egdi.sort_values(["survey_year", "egdi_rank", "iso3"]).reset_index(drop=True)


def _all_member_states_each_year(frame: pd.DataFrame) -> bool:
    return bool((frame.groupby("survey_year")["iso3"].nunique() == UN_MEMBER_STATES).all())


_INDEX_COLUMN = pa.Column(float, pa.Check.in_range(0, 1), nullable=True)
EGDI_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": iso3_column(),
        "survey_year": pa.Column(int, pa.Check.in_range(2003, 2100)),
        **{name: _INDEX_COLUMN for name in INDICES},
        "egdi_rank": pa.Column("Int64", pa.Check.in_range(1, UN_MEMBER_STATES), nullable=True),
    },
    checks=[pa.Check(_all_member_states_each_year,
                     error=f"a survey year does not hold {UN_MEMBER_STATES} member states")],
    unique=["survey_year", "iso3"],
    strict=True,
    coerce=True,
)

TABLES = (
    TableSpec(
        name="egdi",
        build=build_egdi,
        schema=EGDI_SCHEMA,
        description="UN E-Government Development Index and sub-indices, 2010-2024 surveys",
    ),
)
