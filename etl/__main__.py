"""`python -m etl …`: template, load, history, rollback, current, demo, report, user. Exit 0 ok, 1 rejected, 2 usage."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.config import warehouse_dir


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="Nạp và công bố số liệu CĐCS.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("template", help="Tạo mẫu Excel cho đơn vị báo cáo")
    t.add_argument("--unit", help="mã đơn vị, ví dụ LDLD34_79")
    t.add_argument("--round", required=True, dest="round_code", help="mã kỳ báo cáo, ví dụ N2025")
    t.add_argument("--out", help="tệp .xlsx đầu ra")
    t.add_argument("--all", action="store_true", help="mẫu cho mọi đơn vị của kỳ")
    t.add_argument("--out-dir", help="thư mục đầu ra khi dùng --all")

    ld = sub.add_parser("load", help="Kiểm tra và nạp tệp báo cáo (.xlsx, .xls, .csv)")
    ld.add_argument("files", nargs="+")
    ld.add_argument("--warehouse")
    ld.add_argument("--by", help="người nạp (mặc định: tài khoản hệ thống)")
    ld.add_argument("--note", default="", help="ghi chú kèm phiên bản")
    ld.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ và cảnh báo")
    ld.add_argument("--dry-run", action="store_true",
                    help="chỉ kiểm tra và liệt kê mọi thay đổi so với số liệu đang dùng, không nạp gì")

    v = sub.add_parser("value", help="Lịch sử một số liệu (ai nhập, khi nào, từ tệp, trang, ô nào) hoặc xóa số liệu")
    v.add_argument("action", choices=["show", "delete"])
    v.add_argument("--unit", required=True)
    v.add_argument("--indicator", required=True, help="mã chỉ tiêu, ví dụ member_end")
    v.add_argument("--year", required=True, type=int)
    v.add_argument("--sector", default="", help="mã khu vực (bỏ trống: dòng tổng)")
    v.add_argument("--reason", default="", help="lý do (bắt buộc khi xóa)")
    v.add_argument("--by")
    v.add_argument("--warehouse")

    h = sub.add_parser("history", help="Lịch sử các phiên bản đã nạp")
    h.add_argument("--warehouse")
    h.add_argument("--unit")
    h.add_argument("--round", dest="round_code")

    rb = sub.add_parser("rollback", help="Quay lại một phiên bản trước")
    rb.add_argument("--warehouse")
    rb.add_argument("--unit", required=True)
    rb.add_argument("--round", required=True, dest="round_code")
    rb.add_argument("--to-version", required=True, type=int)
    rb.add_argument("--reason", required=True, help="lý do (ghi vào lịch sử và nhật ký)")
    rb.add_argument("--by")

    rb2 = sub.add_parser("rebuild", help="Dựng lại bản dữ liệu với mô hình và danh mục hiện tại (không đổi số liệu)")
    rb2.add_argument("--warehouse")
    rb2.add_argument("--if-stale", action="store_true", help="chỉ khi bản hiện hành được dựng từ mô hình khác")

    pb = sub.add_parser("publish", help="Công bố các phiên bản đã lưu trong PostgreSQL (chế độ nhiều máy chủ)")
    pb.add_argument("--warehouse")
    pb.add_argument("--follow", action="store_true", help="chạy liên tục: kiểm tra mỗi giây và công bố ngay")
    pb.add_argument("--interval", type=float, default=1.0)

    mg = sub.add_parser("migrate", help="Chuyển kho dữ liệu giữa chế độ một máy và PostgreSQL (cả hai chiều)")
    mg.add_argument("--warehouse")
    way = mg.add_mutually_exclusive_group(required=True)
    way.add_argument("--to", dest="to_url", help="URL PostgreSQL đích (cơ sở dữ liệu trống)")
    way.add_argument("--from", dest="from_url", help="URL PostgreSQL nguồn (thư mục kho đích phải trống)")

    c = sub.add_parser("current", help="Bản dữ liệu đang công bố")
    c.add_argument("--warehouse")

    d = sub.add_parser("demo", help="Tạo dữ liệu mô phỏng và nạp qua đúng quy trình")
    d.add_argument("--warehouse")
    d.add_argument("--out-dir", help="thư mục chứa các tệp mô phỏng (mặc định: <warehouse>/demo_files)")
    d.add_argument("--seed", type=int, default=6)
    d.add_argument("--only", help="chỉ tạo cho các đơn vị này, cách nhau bởi dấu phẩy (kiểm thử nhanh)")
    d.add_argument("--if-missing", action="store_true", help="bỏ qua nếu kho đã có dữ liệu")
    u = sub.add_parser("user", help="Tài khoản đăng nhập (trong kho trạng thái, ngoài git)")
    us = u.add_subparsers(dest="action", required=True)
    wh = argparse.ArgumentParser(add_help=False)
    wh.add_argument("--warehouse", help="kho chứa state.sqlite (khi không đặt $CDCS_DATABASE_URL)")
    ua = us.add_parser("add", parents=[wh], help="Thêm tài khoản, hoặc đổi vai trò, đơn vị, mật khẩu của tài khoản có sẵn")
    ua.add_argument("name")
    ua.add_argument("--role", choices=["viewer", "officer", "admin"], required=True)
    ua.add_argument("--unit", help="mã đơn vị của cán bộ nhập liệu")
    ua.add_argument("--password-stdin", action="store_true",
                    help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn (dòng trống: giữ mật khẩu cũ)")
    us.add_parser("list", parents=[wh], help="Liệt kê tài khoản: name, role, unit, disabled (tách bằng tab, có dòng tiêu đề)")
    for action, text in (("remove", "Xóa tài khoản"), ("disable", "Khóa tài khoản (không đăng nhập được nữa)"),
                         ("enable", "Mở khóa tài khoản")):
        us.add_parser(action, parents=[wh], help=text).add_argument("name")

    r = sub.add_parser("report", help="Báo cáo tổng hợp dạng Excel")
    r.add_argument("--round", required=True, dest="round_code")
    r.add_argument("--region", default="", help="mã vùng, ví dụ DNB (mặc định: cả nước)")
    r.add_argument("--province-view", choices=["34", "reported"], default="34")
    r.add_argument("--out", required=True)
    r.add_argument("--warehouse")
    return p


class _SafeStream:
    """A terminal stream that shows control characters (escape sequences, bells, direction overrides) as \\xNN,
    keeping the newlines and tabs the commands print; values from files are escaped where they are embedded."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from core.text import terminal_safe
        return self._stream.write("\n".join("\t".join(terminal_safe(p) for p in line.split("\t"))
                                            for line in text.split("\n")))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # snapshots, reports and the state store are for this account only
    if not isinstance(sys.stdout, _SafeStream):
        sys.stdout, sys.stderr = _SafeStream(sys.stdout), _SafeStream(sys.stderr)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    return {"template": _template, "load": _load, "history": _history, "rollback": _rollback,
            "current": _current, "demo": _demo, "report": _report,
            "user": _user, "rebuild": _rebuild, "value": _value, "publish": _publish,
            "migrate": _migrate}[args.command](args)


def _template(args) -> int:
    from core.refdata import reference
    from etl.template import write_template
    ref = reference()
    if args.round_code not in ref.rounds.index:
        print(f"Không có kỳ báo cáo '{args.round_code}'. Các kỳ: {', '.join(ref.rounds.index)}", file=sys.stderr)
        return 2
    if args.all:
        if not args.out_dir:
            print("Cần --out-dir khi dùng --all", file=sys.stderr)
            return 2
        units = ref.expected_units(args.round_code)
        for unit in units:
            write_template(Path(args.out_dir) / f"{args.round_code}_{unit}.xlsx", unit, args.round_code, ref=ref)
        print(f"Đã tạo {len(units)} mẫu trong {args.out_dir}")
        return 0
    if not args.unit or not args.out:
        print("Cần --unit và --out (hoặc --all --out-dir)", file=sys.stderr)
        return 2
    if args.unit not in ref.units.index:
        print(f"Không có đơn vị '{args.unit}'", file=sys.stderr)
        return 2
    if not ref.unit_active(args.unit, ref.round_years(args.round_code)[-1]):
        print(f"Đơn vị {args.unit} không báo cáo kỳ {args.round_code}", file=sys.stderr)
        return 2
    write_template(Path(args.out), args.unit, args.round_code, ref=ref)
    print(f"Đã tạo mẫu {args.out}")
    return 0


STATUS_LABELS = {"new": "mới", "changed": "thay đổi", "removed": "xóa", "unchanged": "không đổi"}


def _counts(changes) -> str:
    n = changes.counts
    return ", ".join(f"{n[s]} {STATUS_LABELS[s]}" for s in ("new", "changed", "removed", "unchanged"))


def _change_line(c) -> str:
    from etl.findings import fmt
    if c.kind == "value":
        code, sector, year = c.key
        what = f"{code}{'' if sector == 'TOTAL' else '/' + sector} {year}"
    elif c.kind == "rating":
        what = f"xếp loại {c.key[1]} {c.key[0]}"
    else:
        what = f"trả lời {c.key[1]} ({c.key[0]})"
    def show(x):
        return "—" if x is None else (f"'{x[:60]}…'" if isinstance(x, str) and len(x) > 60 else
                                      (f"'{x}'" if isinstance(x, str) else fmt(x)))
    where = f" [{c.sheet + '!' if c.sheet else ''}{c.cell}]" if c.cell else ""
    mark = " (!)" if c.large else ""
    label = {"new": "mới     ", "changed": "thay đổi", "removed": "xóa     ", "absent": "xóa (không có)"}[c.status]
    return f"  {label} {what}: {show(c.old)} → {show(c.new)}{mark}{where}"


def _load(args) -> int:
    from core.text import terminal_safe
    from etl.load import load_files
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(terminal_safe(f"Không tìm thấy tệp: {', '.join(missing)}"), file=sys.stderr)
        return 2
    result = load_files([Path(f) for f in args.files], warehouse_dir(args.warehouse), loaded_by=args.by,
                        progress=False if args.quiet else None, note=args.note, dry_run=args.dry_run)
    for f in result.files:
        name = terminal_safe(f.file_name)
        if f.status == "rejected":
            print(f"{name}: BỊ TỪ CHỐI — không nạp gì từ tệp này")
        elif f.status == "unchanged":
            same = f" (trùng tệp phiên bản {f.version})" if f.version else ""
            print(f"{name}: KHÔNG ĐỔI{same} — mọi giá trị trong tệp giống số liệu đang dùng; không tạo phiên bản mới")
        else:
            verb = "SẼ NHẬN" if result.dry_run else "ĐÃ NHẬN"
            print(f"{name}: {verb} phiên bản {f.version} của {f.unit_code} kỳ {f.round_code} — {_counts(f.changes)}")
            if result.dry_run:
                for c in f.changes.items:
                    if c.status != "unchanged":
                        print(terminal_safe(_change_line(c)))
        for finding in f.findings:
            if finding.severity == "error" or not args.quiet:
                print("  " + finding.line())
    n = {s: sum(f.status == s for f in result.files) for s in ("accepted", "unchanged", "rejected")}
    if not result.dry_run:
        from core import audit, received
        for f in result.files:  # the exact file of each version, for the desk's download
            if f.status == "accepted":
                received.keep(Path(f.path).read_bytes(), warehouse=warehouse_dir(args.warehouse))
        audit.record_cli("load_cli", warehouse=warehouse_dir(args.warehouse), note=args.note,
                         accepted=[f.submission_id for f in result.files if f.status == "accepted"],
                         unchanged=[f.file_name for f in result.files if f.status == "unchanged"],
                         rejected=[f.file_name for f in result.files if f.status == "rejected"],
                         snapshot=result.snapshot.id if result.snapshot else None)
    if result.dry_run:
        print(f"Chạy thử: {n['accepted']} sẽ nhận, {n['unchanged']} không đổi, {n['rejected']} bị từ chối. Chưa nạp gì.")
        return result.exit_code
    print(f"Tổng: {n['accepted']} nhận, {n['unchanged']} không đổi, {n['rejected']} từ chối. Báo cáo: {result.report}")
    if result.snapshot:
        print(f"Bản dữ liệu hiện hành: {result.snapshot.id}")
    return result.exit_code


def _value(args) -> int:
    from core.db import Warehouse
    from core.text import terminal_safe
    from core.refdata import TOTAL, reference
    wh = Warehouse(args.warehouse)
    if wh.snapshot() is None:
        print("Kho dữ liệu chưa có bản nào.", file=sys.stderr)
        return 1
    if args.indicator not in reference().indicator_meta:
        print(f"Không có chỉ tiêu '{args.indicator}'", file=sys.stderr)
        return 2
    sector = args.sector.upper() or TOTAL
    if args.action == "delete":
        from etl.load import remove_values
        from core.approval import RoundClosed
        try:
            r = remove_values(wh.folder, args.unit, [("value", (args.indicator, sector, args.year))], by=args.by,
                              reason=args.reason)
        except RoundClosed as exc:
            print(f"BỊ TỪ CHỐI — {exc}", file=sys.stderr)
            return 1
        except (LookupError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        from core import audit
        audit.record_cli("value_deleted", warehouse=wh.folder, unit=args.unit, round=r.round_code,
                         key=f"{args.indicator}/{sector}/{args.year}", submission=r.submission_id, reason=args.reason)
        print(f"Đã xóa: phiên bản {r.version} ({r.submission_id}), lý do: {args.reason}")
        return 0
    df = wh.query("value_history", unit=args.unit, indicator=args.indicator, year=args.year,
                  sector=None if sector == TOTAL else sector)
    if df.empty:
        print("Chưa có phiên bản nào nêu số liệu này.")
        return 0
    for r in df.itertuples():
        value = "xóa" if r.is_deleted else f"{r.value:,.10g}".replace(",", ".")
        state = "ĐANG DÙNG" if r.is_in_force else ("" if r.is_active else "(phiên bản đã bị quay lại)")
        where = f"{r.sheet}!{r.cell}" if r.sheet else (r.cell or "")
        print("\t".join(terminal_safe(str(x)) for x in (f"v{r.version}", value, f"{r.received_at:%d/%m/%Y %H:%M}",
                                                           r.loaded_by, r.file_name, where, state)))
    return 0


def _history(args) -> int:
    from core.db import Warehouse
    from core.text import terminal_safe
    wh = Warehouse(args.warehouse)
    if wh.snapshot() is None:
        print("Kho dữ liệu chưa có bản nào.")
        return 0
    df = wh.sql("select submission_id, unit_code, round_code, version, is_current, received_at, loaded_by, file_name, "
                "left(sha256, 12) as sha256, n_values + n_ratings + n_texts as rows, n_warnings, event "
                "from submission_history where ($unit is null or unit_code = $unit) "
                "and ($round is null or round_code = $round) order by unit_code, round_code, version",
                unit=args.unit, round=args.round_code)
    shown = df.astype(str).map(terminal_safe)  # file names come from the senders
    print(shown.to_string(index=False) if len(df) else "Không có phiên bản nào.")
    return 0


def _rollback(args) -> int:
    from core.approval import RoundClosed
    from etl.load import rollback
    try:
        snap = rollback(warehouse_dir(args.warehouse), args.unit, args.round_code, args.to_version, args.by, args.reason)
    except RoundClosed as exc:
        print(f"BỊ TỪ CHỐI — {exc}", file=sys.stderr)
        return 1
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    from core import audit
    audit.record_cli("rollback_cli", warehouse=warehouse_dir(args.warehouse), unit=args.unit, round=args.round_code,
                     to_version=args.to_version, reason=args.reason, snapshot=snap.id)
    print(f"Đã quay lại phiên bản {args.to_version}. Bản dữ liệu hiện hành: {snap.id}")
    return 0


def _rebuild(args) -> int:
    from core.refdata import reference
    from core.snapshots import current
    from core import audit
    from etl.warehouse import compare_figures, is_stale, rebuild
    wh = warehouse_dir(args.warehouse)
    if current(wh) is None:
        print("Kho dữ liệu chưa có bản nào.", file=sys.stderr)
        return 1
    if args.if_stale and not is_stale(wh, reference()):
        print(f"Bản {current(wh).id} đã dựng từ mô hình hiện tại; không cần dựng lại.")
        return 0
    before = current(wh)
    snap = rebuild(wh, reference())
    diff = compare_figures(before.path, snap.path) if before.path.exists() else {}
    audit.record_cli("rebuild_cli", warehouse=wh, snapshot=snap.id, **diff)
    print(f"Đã dựng lại: bản hiện hành {snap.id}"
          + (f" — {diff['figures_changed']} số liệu thay đổi, {diff['figures_added']} thêm, "
             f"{diff['figures_removed']} mất so với bản trước (đã ghi nhật ký)." if diff else ""))
    return 0


def _publish(args) -> int:
    from etl import publish, records
    if not records.enabled():
        print("Chỉ dùng khi đặt CDCS_DATABASE_URL (PostgreSQL); ở chế độ một máy, mỗi lần nạp tự công bố.", file=sys.stderr)
        return 2
    wh = warehouse_dir(args.warehouse)
    if args.follow:
        print(f"Đang công bố liên tục (mỗi {args.interval:g} giây); dừng bằng Ctrl-C.", flush=True)
        try:
            publish.follow(wh, args.interval)
        except KeyboardInterrupt:
            return 0
    snap = publish.publish_pending(wh)
    print(f"Bản dữ liệu hiện hành: {snap.id if snap else '—'}")
    return 0


def _migrate(args) -> int:
    from etl import migrate
    from core import audit
    from core.store import describe
    wh = warehouse_dir(args.warehouse)
    try:
        if args.to_url:
            counts = migrate.to_postgres(wh, args.to_url)
            target = describe(args.to_url)
        else:
            counts = migrate.from_postgres(args.from_url, wh)
            target = str(wh)
    except (LookupError, RuntimeError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    # recorded in the store that now holds the data
    audit.record_cli("migrated", url=args.to_url or None, warehouse=None if args.to_url else wh,
                     source=str(wh) if args.to_url else describe(args.from_url), snapshot=counts.get("snapshot"))
    print(f"Đã chuyển sang {target}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if not isinstance(v, dict)))
    return 0


def _current(args) -> int:
    from core.snapshots import current
    snap = current(warehouse_dir(args.warehouse))
    if snap is None:
        print("Kho dữ liệu chưa có bản nào.", file=sys.stderr)
        return 1
    print(f"{snap.id}\t{snap.path}")
    return 0


def _user(args) -> int:
    """Account commands; every change is audited with the operating-system account as the actor."""
    from core import auth
    from core.audit import cli_actor
    by, wh = cli_actor(), warehouse_dir(args.warehouse)
    if args.action == "list":
        print("name\trole\tunit\tdisabled")
        for a in auth.list_users(warehouse=wh):
            print(f"{a.name}\t{a.role}\t{a.unit_code or ''}\t{int(a.disabled)}")
        return 0
    try:
        if args.action == "add":
            return _user_add(args, by, wh)
        {"remove": auth.remove_user, "disable": auth.disable_user, "enable": auth.enable_user}[args.action](
            args.name, by=by, warehouse=wh)
    except LookupError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    done = {"remove": "Đã xóa", "disable": "Đã khóa", "enable": "Đã mở khóa"}[args.action]
    print(f"{done} tài khoản {auth.normal_name(args.name)}.")
    return 0


def _user_add(args, by: str, wh: Path) -> int:
    import getpass

    from core import auth, store
    from core.refdata import reference
    if args.unit and args.unit not in reference().units.index:
        print(f"Không có đơn vị '{args.unit}'", file=sys.stderr)
        return 2
    exists = auth.get_account(args.name, warehouse=wh) is not None
    keep = " (để trống: giữ mật khẩu cũ)" if exists else ""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Mật khẩu{keep}: ")
        if password and password != getpass.getpass("Nhập lại mật khẩu: "):
            print("Hai lần nhập mật khẩu không khớp.", file=sys.stderr)
            return 2
    try:
        auth.add_user(args.name, password or (None if exists else ""), args.role, args.unit, by=by, warehouse=wh)
    except ValueError as exc:
        print(f"Không lưu được tài khoản: {exc}", file=sys.stderr)
        return 2
    print(f"Đã {'cập nhật' if exists else 'tạo'} tài khoản {auth.normal_name(args.name)} ({args.role}) "
          f"trong {store.describe(store.database_url(wh))}")
    return 0


def _report(args) -> int:
    import time

    from core.db import Warehouse
    from core.refdata import reference
    from etl.report import ReportOptions, build_report
    ref = reference()
    if args.round_code not in ref.rounds.index:
        print(f"Không có kỳ báo cáo '{args.round_code}'. Các kỳ: {', '.join(ref.rounds.index)}", file=sys.stderr)
        return 2
    if args.region and args.region not in set(ref["regions"]["region_code"]):
        print(f"Không có vùng '{args.region}'", file=sys.stderr)
        return 2
    wh = Warehouse(args.warehouse)
    if wh.snapshot() is None:
        print("Kho dữ liệu chưa có bản nào.", file=sys.stderr)
        return 1
    t = time.perf_counter()
    out, _ = build_report(wh, ReportOptions(args.round_code, args.region, args.province_view), Path(args.out))
    print(f"Đã tạo {out} ({out.stat().st_size / 1024:.0f} KB, {time.perf_counter() - t:.1f} s)")
    return 0


def _demo(args) -> int:
    from core.snapshots import current
    from etl.demo import run_demo
    wh = warehouse_dir(args.warehouse)
    if args.if_missing and current(wh) is not None:
        print(f"Kho {wh} đã có dữ liệu ({current(wh).id}); bỏ qua.")
        return 0
    out_dir = Path(args.out_dir) if args.out_dir else wh / "demo_files"
    result = run_demo(wh, out_dir, seed=args.seed, only=args.only.split(",") if args.only else None)
    n = {s: sum(f.status == s for f in result.files) for s in ("accepted", "unchanged", "rejected")}
    print(f"Dữ liệu mô phỏng: {n['accepted']} tệp nhận, {n['rejected']} tệp lỗi cố ý bị từ chối. "
          f"Bản hiện hành: {result.snapshot.id if result.snapshot else '—'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
