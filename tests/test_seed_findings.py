"""The real inconsistencies in the seed fact sheets come out as warnings, in English and Italian."""

from __future__ import annotations

import pytest

SHAPES = "https://w3id.org/eulod/shapes#"


def results(sample_build, record_id: str, shape: str):
    outcome = next(o for o in sample_build.outcomes if o.record.id == record_id)
    return [r for r in outcome.report.results if r.source_shape == SHAPES + shape]


def test_seed_000_duration_disagrees_with_its_dates(sample_build):
    found = results(sample_build, "cities-at-heart", "Project-durationMismatch")
    assert [r.severity for r in found] == ["warning"]
    assert "30" in found[0].message("en") and "31" in found[0].message("en")
    assert "mesi" in found[0].message("it")


def test_seed_001_stated_rate_disagrees_with_the_amounts(sample_build):
    found = results(sample_build, "amif-820885-volunteering", "Budget-rateMismatch")
    assert [r.severity for r in found] == ["warning"]
    assert found[0].focus.endswith("/participation/cesena-municipality")
    english = found[0].message("en")
    assert "80" in english and "90" in english
    assert found[0].message("it").startswith("La percentuale")


@pytest.mark.parametrize(("record_id", "stated"), [("cities-at-heart", {"SL", "IR"}), ("amif-820885-volunteering", {"E", "N", "F"})])
def test_corrected_country_codes_are_warned_about(sample_build, record_id, stated):
    found = results(sample_build, record_id, "Participation-correctedCountry")
    assert {r.value for r in found} == stated
    assert all(r.severity == "warning" for r in found)


def test_the_seeds_hold_no_violation(sample_build):
    assert [o.record.id for o in sample_build.invalid("violation")] == []
