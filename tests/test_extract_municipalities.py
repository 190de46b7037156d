"""Municipalities as the EU's languages name them (converters/extract/places.yaml): the body's id is
its city's ('liberec-municipality') where the name holds the city's own name, and only asked
(not recognised) where it holds a declined form ('Vilniaus miesto savivaldybė')."""

from __future__ import annotations

import pytest

from eulod.converters.extract.places import organisation


@pytest.mark.parametrize(("name", "language", "identifier", "city"), [
    ("Statutární město Liberec", "cs", "liberec-municipality", "Liberec"),
    ("Město Tábor", "cs", "tabor-municipality", "Tábor"),
    ("Mesto Trenčín", "sk", "trencin-municipality", "Trenčín"),
    ("Občina Kamnik", "sl", "kamnik-municipality", "Kamnik"),
    ("Općina Kostrena", "hr", "kostrena-municipality", "Kostrena"),
    ("Debrecen Megyei Jogú Város Önkormányzata", "hu", "debrecen-municipality", "Debrecen"),
    ("Tartu linn", "et", "tartu-municipality", "Tartu"),
    ("Kunsill Lokali Birgu", "mt", "birgu-municipality", "Birgu"),
])
def test_a_municipality_named_with_its_city_is_the_citys(name, language, identifier, city):
    found = organisation(name, language)
    assert (found.id, found.type, found.city, found.recognised) == (identifier, "municipality", city, True)


@pytest.mark.parametrize(("name", "language"), [
    ("Vilniaus miesto savivaldybės administracija", "lt"),
    ("Tampereen kaupunki", "fi"),
    ("Daugavpils valstspilsētas pašvaldība", "lv"),
    ("Δήμος Χανίων", "el"),
])
def test_a_municipality_named_by_a_declined_form_is_typed_but_asked(name, language):
    found = organisation(name, language)
    assert found.type == "municipality" and not found.recognised and found.type_guessed
