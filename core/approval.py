"""Approval and round closing, after DHIS2's data approval: an administrator approves a unit's round ("đã duyệt",
for the version in force then) and closes a round ("chốt số liệu"); a closed round takes no change — the loader
refuses files, rollbacks and removals for it — until an administrator reopens it with a reason. Every step is an
audit event committed with it. No Streamlit here.

Whether the figures of a round are approved is decided against the versions in force: an approval of version 2 no
longer counts once version 3 is accepted (the figures changed after they were approved).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import and_, select

from core import audit, store

STATE_LABELS = {"closed": "Đã chốt số liệu", "approved": "Đã duyệt", "provisional": "Số liệu tạm thời (chưa duyệt)"}


class RoundClosed(PermissionError):
    """A change asked for a closed round; the message says which round, in Vietnamese."""


@dataclass(frozen=True)
class Closing:
    round_code: str
    at: datetime
    by: str | None
    reason: str

    @property
    def date_label(self) -> str:
        return self.at.astimezone().strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Status:
    """The figures of a round for some units: state 'closed', 'approved' or 'provisional'; how many of the units
    with figures have their version in force approved; the closing when closed."""

    round_code: str
    state: str
    approved: int
    units: int
    closing: Closing | None = None

    @property
    def label(self) -> str:
        if self.state == "closed":
            return f"{STATE_LABELS['closed']} ngày {self.closing.date_label} ({self.approved}/{self.units} đơn vị đã duyệt)"
        if self.state == "approved":
            return f"{STATE_LABELS['approved']} ({self.units}/{self.units} đơn vị)"
        return f"{STATE_LABELS['provisional']}: {self.approved}/{self.units} đơn vị đã duyệt"


def round_label(round_code: str) -> str:
    from core.refdata import reference
    rounds = reference().rounds
    return f"{rounds.loc[round_code, 'label_vi']} ({round_code})" if round_code in rounds.index else round_code


# ---- closing ------------------------------------------------------------------------------------------------
def closed_rounds(*, url: str | None = None, warehouse=None) -> dict[str, Closing]:
    """round_code -> its closing, for every round closed now."""
    t = store.round_closing
    with store.reading(url, warehouse) as conn:
        rows = conn.execute(select(t).where(t.c.closed.is_(True))).all()
    return {r.round_code: Closing(r.round_code, r.at, r.by_user, r.reason or "") for r in rows}


def closing(round_code: str, *, url: str | None = None, warehouse=None) -> Closing | None:
    """The closing of a round when it is closed now, else None."""
    return closed_rounds(url=url, warehouse=warehouse).get(round_code)


def closed_message(c: Closing) -> str:
    return (f"Kỳ {round_label(c.round_code)} đã chốt số liệu ngày {c.date_label}; không nhận thêm thay đổi. "
            "Liên hệ quản trị viên để mở lại kỳ (cần nêu lý do).")


def refuse_if_closed(round_code: str, *, url: str | None = None, warehouse=None) -> None:
    """Raise RoundClosed (Vietnamese message naming the round) when the round is closed."""
    c = closing(round_code, url=url, warehouse=warehouse)
    if c is not None:
        raise RoundClosed(closed_message(c))


def close(round_code: str, by, reason: str = "", *, url: str | None = None, warehouse=None) -> None:
    """Close a round ("chốt số liệu"); audited. ValueError when it is closed already."""
    _set_closed(round_code, True, "round_closed", by, reason, url, warehouse)


def reopen(round_code: str, by, reason: str, *, url: str | None = None, warehouse=None) -> None:
    """Reopen a closed round; the reason is required. Audited."""
    if not (reason or "").strip():
        raise ValueError("Cần ghi lý do mở lại kỳ báo cáo đã chốt.")
    _set_closed(round_code, False, "round_reopened", by, reason, url, warehouse)


def _set_closed(round_code, closed, event, by, reason, url, warehouse) -> None:
    t = store.round_closing
    with store.transaction(url, warehouse) as conn:
        now_closed = conn.execute(select(t.c.closed).where(t.c.round_code == round_code)).scalar()
        if bool(now_closed) == closed:
            raise ValueError(f"Kỳ báo cáo {round_label(round_code)} "
                             + ("đã chốt rồi." if closed else "đang mở, không cần mở lại."))
        row = {"round_code": round_code, "closed": closed, "at": store.now(), "by_user": audit._name(by),
               "reason": (reason or "").strip()[:2000]}
        store.upsert(conn, t, row, ["round_code"], lambda ex: {k: getattr(ex, k) for k in row if k != "round_code"})
        audit.append(conn, event, by, round=round_code, reason=row["reason"])


# ---- approval -----------------------------------------------------------------------------------------------
def approve(round_code: str, unit_code: str, submission_id: str, by, note: str = "", *, url: str | None = None,
            warehouse=None) -> None:
    """Mark a unit's round approved for the version in force (submission_id); audited. Refused for a closed round."""
    _set_approval(round_code, unit_code, submission_id, True, "unit_approved", by, note, url, warehouse)


def unapprove(round_code: str, unit_code: str, by, reason: str = "", *, url: str | None = None, warehouse=None) -> None:
    """Withdraw a unit's approval (its figures are provisional again); audited. Refused for a closed round."""
    t = store.round_approval
    with store.reading(url, warehouse) as conn:
        sid = conn.execute(select(t.c.submission_id).where(and_(t.c.round_code == round_code,
                                                                 t.c.unit_code == unit_code))).scalar()
    _set_approval(round_code, unit_code, sid or "", False, "unit_unapproved", by, reason, url, warehouse)


def _set_approval(round_code, unit_code, submission_id, approved, event, by, note, url, warehouse) -> None:
    refuse_if_closed(round_code, url=url, warehouse=warehouse)
    t = store.round_approval
    row = {"round_code": round_code, "unit_code": unit_code, "submission_id": submission_id, "approved": approved,
           "at": store.now(), "by_user": audit._name(by), "note": (note or "").strip()[:2000]}
    with store.transaction(url, warehouse) as conn:
        store.upsert(conn, t, row, ["round_code", "unit_code"],
                     lambda ex: {k: getattr(ex, k) for k in row if k not in ("round_code", "unit_code")})
        audit.append(conn, event, by, unit=unit_code, round=round_code, submission=submission_id, note=row["note"])


def approvals(round_code: str, *, url: str | None = None, warehouse=None) -> dict[str, str]:
    """unit_code -> the version (submission id) approved, for the units of a round approved now."""
    t = store.round_approval
    with store.reading(url, warehouse) as conn:
        rows = conn.execute(select(t.c.unit_code, t.c.submission_id)
                            .where(and_(t.c.round_code == round_code, t.c.approved.is_(True)))).all()
    return dict(rows)


def status(round_code: str, versions: Mapping[str, str], *, url: str | None = None, warehouse=None) -> Status:
    """Whether the figures of a round are closed, approved or provisional, for the units whose figures are shown:
    versions maps each of them to its version in force (submission id). A unit counts as approved only when the
    version approved is that version."""
    approved = approvals(round_code, url=url, warehouse=warehouse)
    n_ok = sum(approved.get(u) == sid for u, sid in versions.items())
    c = closing(round_code, url=url, warehouse=warehouse)
    if c is not None:
        return Status(round_code, "closed", n_ok, len(versions), c)
    state = "approved" if versions and n_ok == len(versions) else "provisional"
    return Status(round_code, state, n_ok, len(versions))


def figures_status(wh, round_code: str, unit_codes: list[str] | None = None) -> Status:
    """status() for a round as a warehouse holds it (core.db.Warehouse): the versions in force of the given units
    (every unit with figures in the round when None)."""
    df = wh.query("current_versions", round=round_code)
    if unit_codes is not None:
        df = df[df["unit_code"].isin(unit_codes)]
    return status(round_code, dict(zip(df["unit_code"], df["submission_id"])), warehouse=wh.folder)


def rounds_status(wh, round_codes: list[str]) -> str:
    """The state of the figures of several rounds in one line: the rounds grouped by state, e.g.
    'Đã chốt số liệu: N2021 · Số liệu tạm thời (chưa duyệt): N2022, N2023'; one round's full label when one."""
    if len(round_codes) == 1:
        return figures_status(wh, round_codes[0]).label
    by_state: dict[str, list[str]] = {}
    for code in round_codes:
        by_state.setdefault(figures_status(wh, code).state, []).append(code)
    return " · ".join(f"{STATE_LABELS[s]}: {', '.join(by_state[s])}" for s in STATE_LABELS if s in by_state)
