"""What a visitor sees when a page fails: a Vietnamese message with an error id, never a traceback or a path;
the traceback goes to the server log with the same id."""
import logging
import re

from tests.conftest import app_test


def test_a_failing_page_shows_an_error_id_not_a_traceback(demo_warehouse, monkeypatch, caplog):
    from ui import common
    monkeypatch.setenv("CDCS_WAREHOUSE", str(demo_warehouse[0]))
    monkeypatch.delenv("CDCS_DEBUG_ERRORS", raising=False)
    common.warehouse.clear()
    real = common.q

    def failing(name, **params):
        if name == "indicator_by":
            raise RuntimeError("boom in /root/secret/path.duckdb")
        return real(name, **params)

    monkeypatch.setattr(common, "q", failing)
    with caplog.at_level(logging.ERROR, logger="cdcs.app"):
        at = app_test()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    match = re.search(r"mã lỗi \*\*([0-9a-f]{8})\*\*", shown)
    assert match, shown
    assert "boom" not in shown and "/root" not in shown and "Traceback" not in shown
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert match.group(1) in logged and "boom" in caplog.text
    common.warehouse.clear()
