"""eulod.core.sqlitefiles.temporary_table: the set a query joins with is the last one given."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from eulod.core.sqlitefiles import temporary_table

IDS = st.lists(st.text(max_size=6), max_size=20)


@given(IDS, IDS)
def test_each_call_replaces_the_set_and_a_key_keeps_one_of_each(first, second):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE records (id TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO records VALUES (?)", ((i,) for i in first + second))
    for wanted in (first, second):
        table = temporary_table(db, "wanted", "id TEXT PRIMARY KEY", ((i,) for i in wanted))
        joined = [i for (i,) in db.execute(f"SELECT r.id FROM records r JOIN {table} w ON w.id = r.id ORDER BY r.id")]
        assert joined == sorted(set(wanted))


@given(st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3)), max_size=20))
def test_rows_of_several_columns_without_a_key_are_all_kept(rows):
    db = sqlite3.connect(":memory:")
    table = temporary_table(db, "pairs", "folder TEXT, name TEXT", rows)
    assert sorted(db.execute(f"SELECT folder, name FROM {table}")) == sorted(rows)
