"""The letters each EU language writes, from CLDR, and what they tell of a place name's spelling (issue 16)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eulod.converters.extract.alphabets import country_languages, letters, spelling
from eulod.core.countries import EU_LANGUAGES


@pytest.mark.parametrize("language", sorted(EU_LANGUAGES))
def test_every_eu_language_has_its_letters_from_cldr(language: str) -> None:
    own = letters(language)
    assert len(own) >= 20, sorted(own)
    assert language == "el" or "μ" not in own  # borrowed by unit symbols ("μs") only


@pytest.mark.parametrize("language, letter", [
    ("lv", "ņ"), ("lv", "ē"), ("pl", "ł"), ("it", "à"), ("ro", "ă"), ("hu", "ő"), ("et", "õ"), ("mt", "ħ"),
    ("el", "λ"), ("bg", "ж"), ("lt", "ų"), ("cs", "ř"), ("sk", "ľ"), ("hr", "đ"), ("da", "ø"), ("de", "ß"),
])
def test_a_languages_own_letter_is_among_its_letters(language: str, letter: str) -> None:
    assert letter in letters(language)


@pytest.mark.parametrize("language, letter", [("pl", "à"), ("et", "ē"), ("en", "ł"), ("it", "ő"), ("lv", "ß")])
def test_a_letter_the_language_does_not_write_is_not_among_them(language: str, letter: str) -> None:
    assert letter not in letters(language)


@pytest.mark.parametrize("name, country, language, expected", [
    ("Pērnava", "EE", "lv", "translated"), ("Gdiņa", "PL", "lv", "translated"), ("Múnich", "DE", "es", "translated"),
    ("San Donà di Piave", "IT", "pl", "own"), ("Łódź", "PL", "en", "own"), ("Liepāja", "LV", "lv", "own"),
    ("Korka", "IE", "lv", None), ("Livorno", "IT", "lv", None), ("Θεσσαλονίκη", "EL", "bg", "own"),
    ("Smolyan", "BG", "en", None), ("Kavala", "EL", "lv", None),
])
def test_spelling(name: str, country: str, language: str, expected: str | None) -> None:
    assert spelling(name, country, language) == expected


def test_country_languages_read_eu_codes() -> None:
    assert country_languages("EL") == country_languages("GR") == ("el",)
    assert "fr" in country_languages("BE") and "nl" in country_languages("BE")


_PAIRS = [(page, country) for page in ("lv", "pl", "es", "en", "cs", "de")
          for country in ("EE", "PL", "DE", "IT", "HU", "FR") if page not in country_languages(country)]


@given(st.sampled_from(_PAIRS), st.data())
def test_a_letter_only_the_country_writes_always_means_its_own_spelling(pair: tuple[str, str], data) -> None:
    """Whatever else a name holds, one letter of the country's that the page's language lacks makes it the city's own."""
    page, country = pair
    theirs = frozenset().union(*(letters(lang) for lang in country_languages(country)))
    only_theirs = sorted(theirs - letters(page))
    if not only_theirs:
        return
    rest = data.draw(st.text(alphabet=sorted(letters(page) | theirs), max_size=12))
    mark = data.draw(st.sampled_from(only_theirs))
    cut = data.draw(st.integers(0, len(rest)))
    assert spelling(rest[:cut] + mark + rest[cut:], country, page) == "own"


@given(st.sampled_from(_PAIRS), st.data())
def test_a_name_in_letters_both_write_cannot_tell(pair: tuple[str, str], data) -> None:
    page, country = pair
    theirs = frozenset().union(*(letters(lang) for lang in country_languages(country)))
    name = data.draw(st.text(alphabet=sorted(letters(page) & theirs), min_size=1, max_size=12))
    assert spelling(name, country, page) is None
