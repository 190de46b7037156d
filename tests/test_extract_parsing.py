"""Unit tests of the extractor's parsers, on the examples the issue names."""

from __future__ import annotations

import pytest

from eulod.converters.extract.dates import PartialDate, add_months, find_dates, find_duration, months_between
from eulod.converters.extract.numbers import find_amounts, find_percentages
from eulod.converters.extract.places import organisation, read_country
from eulod.converters.extract.programmes import funds, programme_codes, programmes


@pytest.mark.parametrize("text, value", [
    ("841.061,50 €", "841061.50"),
    ("EUR 841,061.50", "841061.50"),
    ("841 061,50 EUR", "841061.50"),
    ("841\u00a0061,50 EUR", "841061.50"),
    ("ammontano a 30.013.716.", "30013716"),
    ("€ 899.973,58", "899973.58"),
    ("24,6 Mio. Euro", "24600000"),
])
def test_amounts(text: str, value: str) -> None:
    assert [a.value for a in find_amounts(text)] == [value]


def test_bare_small_numbers_and_years_are_not_amounts() -> None:
    assert find_amounts("in 2020 the 4 groups of cities met 12 times") == []


def test_percentages() -> None:
    assert find_percentages("EU contribution to Cesena (80%)") == [80]
    assert find_percentages("tasso 12,5 %") == [12.5]


@pytest.mark.parametrize("text, language, dates", [
    ("1st June 2023 to 31st December 2025", "en", ["2023-06-01", "2025-12-31"]),
    ("01/06/2023", "en", ["2023-06-01"]),
    ("21/04/2008 - 20/05/2011", "it", ["2008-04-21", "2011-05-20"]),
    ("giugno 2023", "it", ["2023-06"]),
    ("începând cu luna martie 2021", "ro", ["2021-03"]),
    ("February 2019", "en", ["2019-02"]),
    ("1 de junio de 2017", "es", ["2017-06-01"]),
    ("décembre 2018", "fr", ["2018-12"]),
    ("01.02.2015 – 31.01.2020", "de", ["2015-02-01", "2020-01-31"]),
    ("październik 2018 – czerwiec 2021", "pl", ["2018-10", "2021-06"]),
    ("1 de junho de 2018", "pt", ["2018-06-01"]),
])
def test_dates_keep_the_stated_precision(text: str, language: str, dates: list[str]) -> None:
    assert [f.date.iso() for f in find_dates(text, language)] == dates


@pytest.mark.parametrize("text, months", [("30 months", 30), ("24 mesi", 24), ("18 luni", 18), ("60 Monate", 60), ("33 miesiące", 33), ("36 mois", 36)])
def test_durations(text: str, months: int) -> None:
    assert find_duration(text) == months


def test_month_arithmetic() -> None:
    assert months_between(PartialDate(2023, 6, 1), PartialDate(2025, 12, 31)) == 31
    assert months_between(PartialDate(2008, 4, 21), PartialDate(2011, 5, 20)) == 37
    assert months_between(PartialDate(2021, 3), PartialDate(2022, 9)) == 19
    assert add_months(PartialDate(2019, 2), 24).iso() == "2021-01"


@pytest.mark.parametrize("stated, city, code, corrected", [
    ("IT", None, "IT", False),
    ("EL", None, "GR", True),
    ("UK", None, "GB", True),
    ("E", "Madrid", "ES", True),
    ("F", None, "FR", True),
    ("N", "Oslo", "NO", True),
    ("D", None, "DE", True),
    ("SL", "Celje", "SI", True),
    ("IR", "Sligo", "IE", True),
    ("Italia", None, "IT", True),
    ("Regno Unito", None, "GB", True),
    ("Olanda", None, "NL", True),
    ("Ungaria", None, "HU", True),
    ("România", None, "RO", True),
])
def test_countries(stated: str, city: str | None, code: str, corrected: bool) -> None:
    reading = read_country(stated, city)
    assert reading is not None and (reading.code, reading.corrected) == (code, corrected)


def test_a_corrected_code_carries_a_warning() -> None:
    assert "SI" in read_country("SL", "Celje").warning
    assert read_country("IT").warning == ""


def test_unknown_country_is_not_guessed() -> None:
    assert read_country("XX") is None and read_country("Atlantis") is None


@pytest.mark.parametrize("name, org_id", [
    ("Municipality of Cesena", "cesena-municipality"),
    ("Comune di Cesena", "cesena-municipality"),
    ("City of Cesena", "cesena-municipality"),
    ("City of Torino", "torino-municipality"),
    ("Torino", "torino-municipality"),
    ("City of Turin", "torino-municipality"),
    ("Città di Berlino", "berlin-municipality"),
    ("UAT Municipiul Cluj-Napoca", "cluj-napoca-municipality"),
    ("Metropolitan City of Krakow", "krakow-metropolitan-city"),
    ("Métropole du Grand Paris", "metropole-du-grand-paris"),
])
def test_organisations_reconcile_to_one_id(name: str, org_id: str) -> None:
    assert organisation(name, "en").id == org_id


def test_programmes_and_funds() -> None:
    assert [p for p, _ in programmes("Funding Programme: URBACT IV", None)] == ["URBACT-IV"]
    assert [p for p, _ in programmes("Programul european URBACT", 2021)] == ["URBACT-III"]
    assert [p for p, _ in programmes("Asylum, Migration and Integration Fund (AMIF)", 2019)] == ["AMIF-2014-2020"]
    assert [p for p, _ in programmes("Horizonte 2020", None)] == ["HORIZON-2020"]
    assert funds("Por Fesr 2014-2020 ... Fondo di sviluppo e coesione Fsc") == ["ERDF", "FSC"]
    assert programme_codes()["2021TC16FFIR001"] == "URBACT-IV"
