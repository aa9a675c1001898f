"""bench/loadgen.py: simulated viewers over Streamlit's websocket protocol, against a real server."""
import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.loadgen import problem, run_sessions
from tests.browser import serve


def _element(kind: str, **fields) -> ForwardMsg:
    msg = ForwardMsg()
    getattr(msg.delta.new_element, kind).SetInParent()
    for k, v in fields.items():
        setattr(getattr(msg.delta.new_element, kind), k, v)
    return msg


@pytest.mark.parametrize("msg, failed", [
    (_element("exception", type="RuntimeError", message="boom"), True),
    (_element("exception", type="DeprecationWarning", is_warning=True), False),
    (_element("alert", format=Alert.ERROR, body="Đã có lỗi khi hiển thị trang này (mã lỗi **0a1b2c3d**)"), True),
    (_element("alert", format=Alert.INFO, body="Không có số liệu"), False),
    (_element("markdown", body="### Bộ lọc"), False),
    (ForwardMsg(page_not_found={"page_name": ""}), True),
])
def test_problem_tells_a_failed_run(msg, failed):
    assert (problem(msg) is not None) == failed


@pytest.mark.slow
def test_viewers_run_pages_and_a_missing_page_counts_as_an_error(demo_warehouse):
    with serve(demo_warehouse[0]) as (url, _):
        ok = run_sessions(url, ["", "can-bo"], sessions=3, per_session_runs=2)
        bad = run_sessions(url, ["no-such-page"], sessions=1, per_session_runs=1)
    assert ok["runs"] == 6 and ok["errors"] == 0, ok["error_samples"]
    assert ok["elements_median"] > 0 and ok["p95_s"] > 0
    assert ok["by_path"][""]["runs"] == ok["by_path"]["can-bo"]["runs"] == 3  # each session from its own offset
    assert bad["runs"] == 0 and bad["errors"] == 1 and "page_not_found" in bad["error_samples"][0]
