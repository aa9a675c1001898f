"""The state store: where it lives, file modes, SQLite settings, schema version, one engine per URL; the rejection
log with its bounded summary."""
import os
import stat

import pytest
from core import rejections, store


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_url_from_the_environment_or_the_warehouse(tmp_path, monkeypatch):
    assert store.database_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/state.sqlite"
    monkeypatch.setenv("CDCS_DATABASE_URL", "postgresql+psycopg://cdcs:secret@db/cdcs")
    assert store.database_url(tmp_path) == "postgresql+psycopg://cdcs:secret@db/cdcs"
    assert "secret" not in store.describe(store.database_url())


def test_files_are_private_and_sqlite_is_set_up_for_concurrency(tmp_path):
    rejections.record_rejection("a.csv", None, None, None, [], warehouse=tmp_path)  # a write: -wal and -shm exist
    files = [tmp_path / "state.sqlite", tmp_path / "state.sqlite-wal", tmp_path / "state.sqlite-shm"]
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    with store.reading(warehouse=tmp_path) as conn:
        pragmas = {p: conn.exec_driver_sql(f"pragma {p}").scalar() for p in ("journal_mode", "busy_timeout",
                                                                             "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30_000, "foreign_keys": 1}
    assert store.version(warehouse=tmp_path) == store.SCHEMA_VERSION


def test_a_world_readable_store_is_made_private(tmp_path):
    path = tmp_path / "state.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    store.engine(warehouse=tmp_path)
    assert _mode(path) == 0o600


def test_one_engine_per_url(tmp_path):
    assert store.engine(warehouse=tmp_path) is store.engine(url=store.database_url(tmp_path))
    assert store.engine(warehouse=tmp_path) is not store.engine(warehouse=tmp_path / "other")


def test_other_databases_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="mysql"):
        store.upsert_statement("mysql", store.account, {}, ["name"], None)


def _finding(i, rule="negative", severity="error"):
    return {"file": "f.xlsx", "rule": rule, "severity": severity, "sheet": "S", "cell": f"F{i}", "value": "x" * 2000}


@pytest.mark.parametrize("n, limit, kept, truncated", [(0, 50, 0, False), (3, 50, 3, False), (50, 50, 50, False),
                                                       (10_000, 50, 50, True), (10, 5, 5, True)])
def test_rejection_summary_is_bounded(n, limit, kept, truncated):
    found = [_finding(i, "negative" if i % 3 else "out_of_range", "error" if i % 2 else "warning") for i in range(n)]
    s = rejections.summarise_findings(found, limit)
    assert (s["total"], len(s["findings"]), s["truncated"]) == (n, kept, truncated)
    assert sum(s["by_rule"].values()) == n and s["errors"] + s["warnings"] == n
    assert all(len(f["value"]) <= rejections.MAX_FIELD_CHARS + 1 for f in s["findings"])


def test_rejections_newest_first(tmp_path):
    from etl.findings import Finding
    rejections.record_rejection("a.xlsx", "ab" * 32, "LDLD63_38", "N2021", [_finding(1)], warehouse=tmp_path)
    rejections.record_rejection("b.csv", None, None, None, [Finding("b.csv", "not_excel", "error")] * 80,
                                warehouse=tmp_path)
    df = rejections.recent_rejections(10, warehouse=tmp_path)
    assert df["file_name"].tolist() == ["b.csv", "a.xlsx"]
    assert df["n_errors"].tolist() == [80, 1]
    assert df["summary"][0]["by_rule"] == {"not_excel": 80} and len(df["summary"][0]["findings"]) == 50
    assert list(df.columns) == rejections.COLUMNS
