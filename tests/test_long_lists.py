"""Organisation and programme pages whose project lists run over several pages.

The lists come from the generation's listing (eulod.core.listing), a page at a time; what
they must show is read here from the 120 generated records and, for the programme's
narrower programmes, from the store by SPARQL: every project once, in title order, with the
organisation's role and the amounts it states, and the programme's sums over all its
projects, not only the page shown. The pages are made short (a few projects) so that the
generated data runs over several of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pyoxigraph as ox
import pytest
from test_home_paging import big, big_app, generated, get, in_title_order, link  # noqa: F401 -- shared fixtures

from eulod.core.generation import current_generation
from eulod.endpoint import i18n
from eulod.endpoint.pages import organisation as organisation_module
from eulod.endpoint.pages import programme as programme_module

SHORT = 7  # projects per page in these tests
ROW = re.compile(r'<tr><th scope="row"><a href="/project/([^"]+)">[^<]*</a></th>(.*?)</tr>', re.S)


@pytest.fixture()
def short_pages(monkeypatch):
    monkeypatch.setattr(organisation_module, "PAGE_SIZE", SHORT)
    monkeypatch.setattr(programme_module, "PAGE_SIZE", SHORT)


def walk(client, url: str, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Every row of ``table`` over the pages, following rel=next from ``url``; and each page's HTML."""
    rows, pages = [], []
    while url:
        html = get(client, url).data.decode()
        pages.append(html)
        body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        found = ROW.findall(body)
        assert 0 < len(found), url
        rows += found
        url = link(html, "next")
    return rows, pages


def busiest(records: list[dict]) -> tuple[str, list[dict]]:
    """The organisation most records name, and those records."""
    named: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        for organisation in {p["organisation"]["id"] for p in record["participants"]}:
            named[organisation].append(record)
    organisation = max(named, key=lambda o: (len(named[o]), o))
    return organisation, named[organisation]


@pytest.mark.slow
def test_an_organisation_s_projects_over_several_pages(big, generated, short_pages):  # noqa: F811
    organisation, records = busiest(generated["records"])
    assert len(records) > 2 * SHORT, "the generated data must run over more than two pages"
    rows, pages = walk(big, f"/organisation/{organisation}", "organisation-projects")
    assert [project for project, _ in rows] == in_title_order(records)
    for (project, cells), record in zip(rows, sorted(records, key=lambda r: (r["title"].lower(), r["id"]))):
        part = next(p for p in record["participants"] if p["organisation"]["id"] == organisation)
        role = part["role"].replace("-", " ")
        assert role.lower() in re.sub(r"<[^>]+>", "", cells).lower(), (project, cells)
        stated = part.get("budget", {}).get("eu_contribution")
        if stated:
            assert i18n.money(stated, "EUR", "en") in cells, (project, cells)
    count = f"({len(records)} projects)"
    assert all(count in html for html in pages), "every page counts all the projects"
    assert f'Page 2 of {-(-len(records) // SHORT)}' in pages[1]


@pytest.mark.slow
def test_a_programme_s_projects_and_sums_over_several_pages(big, generated, short_pages):  # noqa: F811
    records = generated["records"]
    store = ox.Store.read_only(str(current_generation(generated["build_dir"]).store_path))
    programme = "https://w3id.org/eulod/code/programme/URBACT"  # broader than URBACT-II, -III and -IV
    under = {row["code"].value.rsplit("/", 1)[-1] for row in store.query(
        f"SELECT ?code WHERE {{ ?code <http://www.w3.org/2004/02/skos/core#broader>* <{programme}> }}",
        use_default_graph_as_union=True)}
    expected = [r for r in records if r["programme"] in under]
    assert len(expected) > 2 * SHORT and len({r["programme"] for r in expected}) > 1
    rows, pages = walk(big, "/code/programme/URBACT", "programme-projects")
    assert [project for project, _ in rows] == in_title_order(expected)
    for key, label in (("total_cost", "Total cost"), ("eu_contribution", "EU contribution")):
        total = sum((Decimal(r["budget"][key]) for r in expected if r.get("budget", {}).get(key)), Decimal())
        money = re.search(rf"<dt>{label}</dt><dd class=\"money\">([^<]*)</dd>", pages[-1])
        assert money and money.group(1) == i18n.money(str(total), "EUR", "en"), (key, money and money.group(1))


def test_pages_past_the_end_and_pages_that_are_no_numbers(big, generated, short_pages):  # noqa: F811
    organisation, records = busiest(generated["records"])
    last = -(-len(records) // SHORT)
    get(big, f"/organisation/{organisation}?page={last}")
    get(big, f"/organisation/{organisation}?page={last + 1}", status=404)
    for bad in ("0", "-1", "two", "1e3", "９"):
        get(big, f"/organisation/{organisation}?page={bad}", status=400)
        get(big, f"/code/programme/URBACT?page={bad}", status=400)
