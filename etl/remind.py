"""Reminders to units that have not submitted a round, or submitted late: the Vietnamese e-mail text, and sending it
where an SMTP server is configured (settings.toml [mail]; the login from $CDCS_SMTP_USER / $CDCS_SMTP_PASSWORD or
.streamlit/secrets.toml [smtp] user / password). No Streamlit here.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pandas as pd

from core.config import ROOT, settings
from core.refdata import reference

SECRETS = ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Reminder:
    unit_code: str
    unit_name: str
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    sender: str
    timeout: float
    user: str | None = None
    password: str | None = None


def smtp_config() -> SmtpConfig | None:
    """The SMTP server reminders go through, or None when none is configured (the desk then only shows the text)."""
    m = settings().get("mail", {})
    if not m.get("smtp_host"):
        return None
    user, password = os.environ.get("CDCS_SMTP_USER"), os.environ.get("CDCS_SMTP_PASSWORD")
    if user is None and SECRETS.is_file():
        with open(SECRETS, "rb") as f:
            smtp = tomllib.load(f).get("smtp", {})
        user, password = smtp.get("user"), smtp.get("password")
    return SmtpConfig(m["smtp_host"], int(m.get("smtp_port", 587)), m.get("security", "starttls"), m["sender"],
                      float(m.get("timeout_seconds", 20)), user or None, password or None)


def _vn(d) -> str:
    return pd.Timestamp(d).strftime("%d/%m/%Y")


def draft(round_code: str, units: pd.DataFrame, today: date, desk_url: str = "") -> list[Reminder]:
    """One reminder per unit of a round_status frame (status 'missing' or 'late'), in Vietnamese, addressed to its
    contact; units without a contact address get none."""
    rnd = reference().rounds.loc[round_code]
    deadline = pd.Timestamp(rnd["deadline"]).date()
    days = (today - deadline).days
    when = (f"đã quá hạn {days} ngày" if days > 0 else "hết hạn hôm nay" if days == 0 else f"còn {-days} ngày")
    link = f"\nNộp tại trang Nộp báo cáo: {desk_url}\n" if desk_url else "\nNộp tại trang Nộp báo cáo của hệ thống thống kê.\n"
    out = []
    for r in units.itertuples():
        if not isinstance(r.contact, str) or "@" not in r.contact:
            continue
        if r.status == "missing":
            subject = f"Nhắc nộp: {rnd['label_vi']} — hạn {_vn(deadline)}"
            ask = (f"Đến ngày {_vn(today)}, hệ thống chưa nhận được {rnd['label_vi']} của {r.unit_name} "
                   f"(hạn nộp {_vn(deadline)}, {when}).\n"
                   "Đề nghị đơn vị tải mẫu đã điền sẵn số liệu, hoàn thiện và nộp sớm.")
        else:
            subject = f"{rnd['label_vi']}: đơn vị nộp sau hạn {_vn(deadline)}"
            ask = (f"{rnd['label_vi']} của {r.unit_name} được nhận (hoặc sửa lần cuối) sau hạn nộp {_vn(deadline)}.\n"
                   "Đề nghị đơn vị lưu ý nộp đúng hạn ở các kỳ sau; nếu còn sửa số liệu, đề nghị hoàn tất sớm "
                   "để Tổng Liên đoàn tổng hợp và duyệt.")
        body = (f"Kính gửi {r.unit_name},\n\n{ask}\n{link}\n"
                "Nếu đã nộp hoặc cần hỗ trợ, xin trả lời thư này.\n\n"
                "Trân trọng,\nBan Tổ chức — Tổng Liên đoàn Lao động Việt Nam\n"
                "(Thư gửi tự động từ hệ thống thống kê công đoàn cơ sở)")
        out.append(Reminder(r.unit_code, r.unit_name, r.contact, subject, body))
    return out


def message(reminder: Reminder, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, reminder.to, reminder.subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain=sender.split("@")[-1] or None)
    msg.set_content(reminder.body, charset="utf-8")
    return msg


def send(reminders: list[Reminder], cfg: SmtpConfig) -> dict[str, str]:
    """Send each reminder over one SMTP connection; unit_code -> '' when sent, else the error in words. A failure to
    connect fails every reminder, never raises."""
    out: dict[str, str] = {}
    try:
        cls = smtplib.SMTP_SSL if cfg.security == "ssl" else smtplib.SMTP
        kw = {"context": ssl.create_default_context()} if cfg.security == "ssl" else {}
        with cls(cfg.host, cfg.port, timeout=cfg.timeout, **kw) as smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
            for r in reminders:
                try:
                    smtp.send_message(message(r, cfg.sender))
                    out[r.unit_code] = ""
                except smtplib.SMTPException as exc:
                    out[r.unit_code] = f"máy chủ thư từ chối: {exc}"
    except (OSError, smtplib.SMTPException) as exc:
        for r in reminders:
            out.setdefault(r.unit_code, f"không gửi được qua {cfg.host}:{cfg.port} ({type(exc).__name__}: {exc})")
    return out
