"""The benchmark's scaled warehouses (etl/scale.py, etl.load.bulk_load): generated data stays flagged simulated."""
import itertools

from core.db import connect
from core.snapshots import current
from etl.load import bulk_load, load_files
from etl.scale import scaled_reference, submissions


def test_a_scaled_warehouse_is_simulated_and_stays_so_after_a_real_upload(tmp_path, monkeypatch):
    ref = scaled_reference(2, tmp_path / "reference-2x")
    monkeypatch.setenv("CDCS_REFERENCE", str(ref.folder))
    wh = tmp_path / "wh"
    items = list(itertools.islice(submissions(ref, 2), 8))
    result = bulk_load(items, wh, ref, loaded_by="scale (mô phỏng)", workers=0)  # checked in this process
    assert result["files"] == 8 and result["rejected"] == 0
    assert current(wh).simulated
    unit = items[0][0].split("_", 1)[1].removesuffix(".csv").removesuffix("_y-kien")
    upload = tmp_path / "up.csv"
    upload.write_text(f"unit_code,year,sector,indicator_code,value\n{unit},2024,,workplace_dialogues,12\n",
                      encoding="utf-8")
    assert load_files([upload], wh, loaded_by="test", progress=False, ref=ref).files[0].status == "accepted"
    snap = current(wh)
    con = connect(snap.path)
    try:
        flags = dict(con.execute("select simulated, count(*) from stg_submission where is_active group by 1").fetchall())
        assert con.execute("select simulated from snapshot_info").fetchone()[0] is True
    finally:
        con.close()
    assert snap.simulated and flags.get(True, 0) >= 7 and flags.get(False, 0) == 1
