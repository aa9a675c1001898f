"""Approval and round closing (core.approval): a closed round refuses files, rollbacks and removals in the loader —
desk and command line alike — until reopened with a reason; approvals count for the version in force only; every
step in the audit log."""
import pytest

from core import approval, audit
from core.auth import User
from etl.__main__ import main
from etl.desk import accept, approve, check_upload, close_round, reopen_round, roll_back, unapprove
from etl.load import load_files, remove_values, rollback
from etl.template import write_template
from tests.conftest import fingerprint

ADMIN = User("quantri", "admin")
OFFICER = User("canbo01", "officer", "LDLD63_01")


def _file(tmp_path, name, value):
    return write_template(tmp_path / name, "LDLD63_01", "N2021", values={("member_end", "TOTAL", 2021): value,
                                                                       ("member_female", "TOTAL", 2021): 2600})


def test_closed_round_refuses_files_rollbacks_and_removals_until_reopened(warehouse, tmp_path, capsys):
    v2 = _file(tmp_path, "v2.xlsx", 5100)
    assert load_files([v2], warehouse, progress=False).files[0].status == "accepted"
    close_round(ADMIN, warehouse, "N2021", "đã tổng hợp")
    before = fingerprint(warehouse)

    v3 = _file(tmp_path, "v3.xlsx", 5200)
    refused = load_files([v3], warehouse, progress=False).files[0]  # the loader, under the writer lock
    assert refused.status == "rejected"
    f = refused.errors[0]
    assert f.rule == "round_closed" and f.whole_file and "Báo cáo năm 2021 (N2021)" in f.message
    with pytest.raises(approval.RoundClosed, match="N2021"):
        rollback(warehouse, "LDLD63_01", "N2021", 1, by="x", reason="thử")
    with pytest.raises(approval.RoundClosed, match="N2021"):
        remove_values(warehouse, "LDLD63_01", [("value", ("member_end", "TOTAL", 2021))], by="x", reason="thử")
    assert main(["load", str(v3), "--warehouse", str(warehouse), "--quiet"]) == 1  # the CLI shows the refusal
    out = capsys.readouterr().out
    assert "BỊ TỪ CHỐI" in out and "đã chốt số liệu" in out and "Kỳ báo cáo đã chốt" in out
    assert main(["rollback", "--unit", "LDLD63_01", "--round", "N2021", "--to-version", "1", "--reason", "x",
                 "--warehouse", str(warehouse)]) == 1
    assert main(["value", "delete", "--unit", "LDLD63_01", "--indicator", "member_end", "--year", "2021",
                 "--reason", "x", "--warehouse", str(warehouse)]) == 1
    assert "đã chốt số liệu" in capsys.readouterr().err
    desk = check_upload(v3.read_bytes(), "v3.xlsx", OFFICER, warehouse)  # the desk says so before accepting
    assert desk.status == "rejected" and desk.errors[0].rule == "round_closed"
    assert accept(v3.read_bytes(), "v3.xlsx", OFFICER, warehouse).status == "rejected"
    with pytest.raises(PermissionError):
        roll_back(ADMIN, warehouse, "LDLD63_01", "N2021", 1, "thử")
    assert fingerprint(warehouse) == before  # nothing changed

    with pytest.raises(ValueError, match="lý do"):
        reopen_round(ADMIN, warehouse, "N2021", "  ")
    with pytest.raises(PermissionError):
        reopen_round(OFFICER, warehouse, "N2021", "sửa số")
    reopen_round(ADMIN, warehouse, "N2021", "LĐLĐ Hà Nội sửa số đoàn viên")
    assert accept(v3.read_bytes(), "v3.xlsx", OFFICER, warehouse).status == "accepted"
    log = audit.read(warehouse)
    assert {"round_closed", "round_reopened", "rejected", "load_cli"} <= set(log["event"])
    reopened = log[log["event"] == "round_reopened"].iloc[0]
    assert (reopened.user_name, reopened.round_code, reopened.details["reason"]) == (
        "quantri", "N2021", "LĐLĐ Hà Nội sửa số đoàn viên")


def test_approval_counts_for_the_version_in_force_only(warehouse, tmp_path):
    from core.db import Warehouse
    wh = Warehouse(warehouse)
    assert approval.figures_status(wh, "N2021").state == "provisional"
    with pytest.raises(PermissionError):
        approve(OFFICER, warehouse, "LDLD63_01", "N2021", "LDLD63_01/N2021/v1")
    approve(ADMIN, warehouse, "LDLD63_01", "N2021", "LDLD63_01/N2021/v1")
    s = approval.figures_status(wh, "N2021")
    assert (s.state, s.approved, s.units) == ("approved", 1, 1) and s.label.startswith("Đã duyệt")
    load_files([_file(tmp_path, "v2.xlsx", 5100)], warehouse, progress=False)
    s = approval.figures_status(Warehouse(warehouse), "N2021")  # the figures changed after the approval
    assert (s.state, s.approved) == ("provisional", 0)
    approve(ADMIN, warehouse, "LDLD63_01", "N2021", "LDLD63_01/N2021/v2")
    with pytest.raises(ValueError):
        unapprove(ADMIN, warehouse, "LDLD63_01", "N2021", "")
    unapprove(ADMIN, warehouse, "LDLD63_01", "N2021", "số thẻ chưa khớp")
    assert approval.figures_status(Warehouse(warehouse), "N2021").state == "provisional"
    close_round(ADMIN, warehouse, "N2021")
    s = approval.figures_status(Warehouse(warehouse), "N2021")
    assert s.state == "closed" and "Đã chốt số liệu ngày" in s.label
    with pytest.raises(approval.RoundClosed):
        approve(ADMIN, warehouse, "LDLD63_01", "N2021", "LDLD63_01/N2021/v2")  # closed: approvals frozen too
    with pytest.raises(ValueError, match="đã chốt rồi"):
        close_round(ADMIN, warehouse, "N2021")
    events = audit.read(warehouse)["event"].tolist()
    assert events.count("unit_approved") == 2 and "unit_unapproved" in events and "round_closed" in events


def test_report_cover_says_whether_figures_are_approved(warehouse, tmp_path):
    import openpyxl

    from core.db import Warehouse
    from etl.report import ReportOptions, build_report
    out, _ = build_report(Warehouse(warehouse), ReportOptions("N2021"), tmp_path / "r.xlsx")
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Bìa"].iter_rows(values_only=True) if r[0]}
    assert cover["Tình trạng số liệu"].startswith("Số liệu tạm thời")
    close_round(ADMIN, warehouse, "N2021")
    out, _ = build_report(Warehouse(warehouse), ReportOptions("N2021"), tmp_path / "r2.xlsx")
    cover = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Bìa"].iter_rows(values_only=True) if r[0]}
    assert cover["Tình trạng số liệu"].startswith("Đã chốt số liệu ngày")


def test_every_page_says_whether_its_figures_are_approved(desk_env):
    """The data line under each page's title: provisional, then closed after the administrator closes the round."""
    import streamlit as st

    from tests.conftest import app_test
    wh, _ = desk_env

    def data_line(**state):
        st.cache_data.clear()
        at = app_test(**state)
        return next(c.value for c in at.caption if c.value.startswith("Dữ liệu cập nhật"))

    assert "Số liệu **tạm thời** (chưa duyệt)" in data_line(nam=(2021, 2021))
    assert "0 kỳ đã chốt" in data_line()
    close_round(ADMIN, wh, "N2021")
    assert "Số liệu **đã chốt**" in data_line(nam=(2021, 2021))
    assert ": 1 kỳ đã chốt, 0 kỳ đã duyệt" in data_line(nam=(2020, 2021))  # N2021 closed, the 2020 rounds not
