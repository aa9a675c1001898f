"""The stable views keep their documented columns, every query file runs, and outside tools can reflect them."""
import re

import pytest
import sqlalchemy as sa

from core.config import QUERIES, ROOT
from core.filters import Filters

STABLE = {
    "fact_indicator": ["unit_code", "year", "sector", "indicator_code", "value", "submission_id"],
    "fact_rating": ["unit_code", "year", "scheme", "level", "cdcs_count"],
    "fact_text": ["unit_code", "round", "question_code", "text"],
}


def test_sqlalchemy_reflects_the_stable_views(demo_warehouse, tmp_path):
    import shutil

    from core.snapshots import current
    # a copy: this process may hold the snapshot open already through core.db, with another configuration
    path = shutil.copy(current(demo_warehouse[0]).path, tmp_path / "snapshot.duckdb")
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    insp = sa.inspect(engine)
    for view, cols in STABLE.items():
        assert [c["name"] for c in insp.get_columns(view)] == cols
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from fact_indicator")).scalar() > 1000
    engine.dispose()  # one process may not hold the same file open with two configurations


def test_stable_views_are_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for view in [*STABLE, "dim_unit", "dim_indicator", "dim_province", "mart_province_reported", "mart_province_34",
                 "mart_region", "mart_national"]:
        assert f"`{view}`" in readme


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.sql")), ids=lambda p: p.stem)
def test_every_query_runs_and_states_its_grain(demo_warehouse, path):
    from core.db import Warehouse
    text = path.read_text(encoding="utf-8")
    assert re.search(r"grain:", text), "header must state the grain"
    params = Filters(2011, 2025).params(indicators=["member_end", "card_share"], by="province", q="doan vien",
                                        round="TK2020", focus="", sections=[], unit="",
                                        submission="LDLD63_02/TK2020/v1", indicator="member_end", year=2020, sector=None)
    params.update(ya=2024, yb=2025, exclude=["HCSN"], sector="TOTAL", group="all", by="all", rounds=[], questions=[],
                  limit=10, unit_type="LDLD", indicators=["member_end", "card_share"])
    if path.stem in ("unit_values", "value_history", "unit_figures", "unit_peer_ranks"):
        params["unit"] = "LDLD63_02"
    df = Warehouse(demo_warehouse[0]).query(path.stem, **params)
    assert len(df.columns) > 0


def test_models_declare_their_key_once_per_relation():
    """One relation per model file, named as the file, with its key declared beside it (macros say none); a
    unit- or group-scoped model defines the table macro <relation>_rows that the builder materialises."""
    for path in sorted((QUERIES / "models").glob("*.sql")):
        if path.name == "00_raw.sql":
            continue
        text = path.read_text(encoding="utf-8")
        relation = re.sub(r"^\d+_", "", path.stem)
        created = re.findall(r"create or replace (?:table|view|macro) ([a-z_0-9]+)", text)
        scoped = re.search(r"^-- scope: (unit|group)\b", text, re.M)
        assert created == [f"{relation}_rows" if scoped else relation], path.name
        assert re.search(r"^-- key: ", text, re.M), path.name
