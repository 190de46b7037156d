"""Messages with a count take the plural form CLDR's rules give the count in the page's language."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eulod.endpoint import i18n

PLURAL = {lang: {key: forms for key, forms in i18n.catalogue(lang).items() if isinstance(forms, dict)}
          for lang in i18n.LANGUAGES}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_plural_message_has_its_other_form_and_the_same_placeholders(lang: str) -> None:
    assert PLURAL[lang], "no message with a count"
    for key, forms in PLURAL[lang].items():
        assert "other" in forms and set(forms) <= {"zero", "one", "two", "few", "many", "other"}, key
        assert {tuple(re.findall(r"\{\w+\}", text)) for text in forms.values()} == {("{n}",)}, key
        assert key in PLURAL[i18n.DEFAULT], f"{key}: plural in {lang}, not in English"


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(sorted(PLURAL[i18n.DEFAULT])), st.sampled_from(i18n.LANGUAGES))
def test_one_is_singular_and_other_counts_plural(n: int, key: str, lang: str) -> None:
    text = i18n.translate(key, lang, n=n)
    forms = PLURAL[lang][key]
    assert text == (forms["one"] if n == 1 else forms["other"]).format(n=n)  # English and Italian: 'one' is exactly 1


def test_an_organisation_with_one_project_says_one_project(client) -> None:
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    counted = []
    for project in sorted(set(re.findall(r'href="(/project/[^"?#]+)"', home))):
        page = client.get(project, headers={"Accept": "text/html"}).get_data(as_text=True)
        for organisation in sorted(set(re.findall(r'href="(/organisation/[^"?#.]+)"', page))):
            text = client.get(organisation, headers={"Accept": "text/html"}).get_data(as_text=True)
            counted += re.findall(r'<span class="count">\((\d+) (projects?)\)</span>', text)
    assert ("1", "project") in counted and all((n == "1") == (word == "project") for n, word in counted), counted
