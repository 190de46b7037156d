"""Cells and mapping features the Kohesio files need: points, numeric codes, pairs, both vintages."""

from __future__ import annotations

from pathlib import Path

import pytest

from eulod.converters import cells
from eulod.converters.tabular import _code, load_mapping, read_table

SAMPLES = Path(__file__).resolve().parent / "data" / "import"


@pytest.mark.parametrize(("text", "expected"), [
    ("49.2577886,4.031926", {"latitude": "49.2577886", "longitude": "4.031926"}),
    (" -33.5 , 151.25 ", {"latitude": "-33.5", "longitude": "151.25"}),
    ("Point(7.686 45.054)", {"latitude": "45.054", "longitude": "7.686"}),  # WKT: longitude first
])
def test_points(text, expected):
    assert cells.coordinates(text) == expected


@pytest.mark.parametrize("text", ["49.2", "91,10", "10,181", "a,b", "49.2;4.0", "Point(1)"])
def test_not_points(text):
    with pytest.raises(cells.CellError):
        cells.coordinates(text)


@pytest.mark.parametrize(("text", "expected"), [("10.0", "010"), ("021", "021"), ("4", "004"), ("144", "144"),
                                                ("RSO1.1", "RSO1.1"), ("1.5", "1.5")])
def test_numeric_codes_are_padded(text, expected):
    assert _code(text, digits=3) == expected


def test_the_2014_2020_sample_gives_its_point_categories_and_nuts():
    items = list(read_table(SAMPLES / "kohesio.csv", load_mapping("kohesio")))
    torino = next(i.record for i in items if i.record and i.record["id"] == "kohesio-q2861046")
    assert torino["coordinates"] == [{"latitude": "45.054", "longitude": "7.686"}]
    assert torino["intervention_fields"][0]["code"] == "085"  # written 085.0
    assert torino["nuts_regions"] == [{"code": "ITC11"}]  # Region is not taken for a NUTS name
    assert torino["participants"][0]["organisation"]["same_as"] == "https://linkedopendata.eu/entity/Q2563428"
