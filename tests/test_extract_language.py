"""A fact sheet's language (converters/extract/fields/language.py): languages whose short words
look alike once diacritics are folded (Slovak and Czech and Portuguese, Slovenian and Croatian
and Romanian) must still be told apart on a sheet of ordinary length."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_extract_every_sheet import floors, labelled_sheets

from eulod.converters.extract import extract_file

FILLER = {
    "sk": "Projekt podporuje obce v regióne pri obnove verejných priestranstiev. Mesto spolu s partnermi "
          "pripraví nové chodníky, vysadí stromy a zriadi oddychové zóny pre obyvateľov všetkých vekových "
          "skupín. Súčasťou projektu sú aj stretnutia s občanmi, ktorí sa môžu vyjadriť k návrhom, a "
          "vzdelávacie podujatia pre školy. Výsledky budú zverejnené na webovej stránke mesta a v miestnych "
          "novinách, aby sa o nich dozvedelo čo najviac ľudí.",
    "cs": "Projekt podporuje obce v regionu při obnově veřejných prostranství. Město společně s partnery "
          "připraví nové chodníky, vysadí stromy a zřídí odpočinkové zóny pro obyvatele všech věkových "
          "skupin. Součástí projektu jsou také setkání s občany, kteří se mohou vyjádřit k návrhům, a "
          "vzdělávací akce pro školy. Výsledky budou zveřejněny na webových stránkách města a v místních "
          "novinách, aby se o nich dozvědělo co nejvíce lidí.",
    "sl": "Projekt podpira občine v regiji pri prenovi javnih površin. Mesto bo skupaj s partnerji uredilo "
          "nove pločnike, posadilo drevesa in uredilo prostore za počitek za prebivalce vseh starosti. Del "
          "projekta so tudi srečanja z občani, ki lahko podajo svoje mnenje o predlogih, ter izobraževalni "
          "dogodki za šole. Rezultati bodo objavljeni na spletni strani mesta in v lokalnem časopisu, da bi "
          "zanje izvedelo čim več ljudi.",
    "hr": "Projekt podupire općine u regiji pri obnovi javnih površina. Grad će zajedno s partnerima urediti "
          "nove pločnike, posaditi drveće i urediti prostore za odmor za stanovnike svih dobi. Dio projekta "
          "su i susreti s građanima koji mogu dati svoje mišljenje o prijedlozima te obrazovna događanja za "
          "škole. Rezultati će biti objavljeni na mrežnim stranicama grada i u lokalnim novinama kako bi za "
          "njih saznalo što više ljudi.",
    "pt": "O projeto apoia os municípios da região na renovação dos espaços públicos. A cidade, em conjunto "
          "com os parceiros, vai construir novos passeios, plantar árvores e criar zonas de descanso para "
          "habitantes de todas as idades. O projeto inclui também reuniões com os cidadãos, que podem dar a "
          "sua opinião sobre as propostas, e ações de formação para as escolas. Os resultados serão "
          "publicados no sítio da câmara e nos jornais locais.",
    "ro": "Proiectul sprijină comunele din regiune în renovarea spațiilor publice. Orașul, împreună cu "
          "partenerii, va amenaja trotuare noi, va planta copaci și va crea zone de odihnă pentru locuitorii "
          "de toate vârstele. Proiectul cuprinde și întâlniri cu cetățenii, care își pot spune părerea despre "
          "propuneri, precum și activități de formare pentru școli. Rezultatele vor fi publicate pe site-ul "
          "primăriei și în presa locală.",
}


@pytest.mark.parametrize("language", sorted(FILLER))
def test_the_sheet_language_is_told_apart_from_its_look_alikes(tmp_path: Path, language: str):
    sheet = tmp_path / f"{language}.txt"
    sheet.write_text(f"Zelené námestie 2030\n\nInterreg Europe\n01.03.2024 – 28.02.2027\n\n{FILLER[language]}\n", "utf-8")
    draft = extract_file(sheet)
    assert draft.record is not None, draft.problems
    assert draft.record["language"] == language


def test_a_short_english_sheet_is_english(tmp_path: Path):
    sheet = tmp_path / "short.txt"
    sheet.write_text("Caring Cities\n\nPartner cities: Tartu (EE), Varna (BG)\nStart date: 05/05/2020\n", "utf-8")
    assert extract_file(sheet).record["language"] == "en"


@pytest.mark.parametrize("sheet", labelled_sheets(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_labelled_sheet_is_in_its_language(sheet: Path):
    """Counting small words named Slovak sheets Portuguese and a Slovenian one Romanian (98 of 101)."""
    expected = yaml.safe_load(sheet.with_name(sheet.stem + ".expected.yaml").read_text("utf-8"))
    if not expected.get("language"):
        pytest.skip("no language expected")
    record = extract_file(sheet).record
    if record is None:  # refused (not a fact sheet to the extractor): its floor must say it gets nothing
        floor = floors().get(f"{sheet.parent.name}/{sheet.name}")
        assert floor is not None and floor["right"] == 0 and floor["title"] == "missing"
        return
    assert record["language"] == expected["language"]


def _page(tmp_path: Path, declared: str, language: str) -> Path:
    page = tmp_path / "page.html"
    page.write_text(f'<!doctype html>\n<html class="no-js" LANG="{declared}">\n<body><main><h1>Zelené námestie 2030</h1>'
                    f"<p>Interreg Europe</p><p>01.03.2024 – 28.02.2027</p><p>{FILLER[language]}</p></main></body></html>",
                    "utf-8")
    return page


def test_a_page_declaring_the_language_its_text_reads_as_states_it(tmp_path: Path):
    draft = extract_file(_page(tmp_path, "sk-SK", "sk"))
    assert draft.record["language"] == "sk"
    assert "language" not in {item["field"] for item in draft.record.get("review", [])}


def test_a_template_declaring_another_language_leaves_it_inferred(tmp_path: Path):
    draft = extract_file(_page(tmp_path, "en", "sl"))
    assert draft.record["language"] == "sl"
    asked = [item for item in draft.record.get("review", []) if item["field"] == "language"]
    assert asked and "en" in asked[0]["candidates"] and "'en'" in asked[0]["reason"]
