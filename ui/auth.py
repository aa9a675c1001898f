"""Who is using the app: local accounts (core.auth) or an identity provider through st.login when configured.

The account is read again from the state store on every page run, so removing, disabling or demoting it takes
effect at the next click, not when the session ends.
"""
from __future__ import annotations

import time

import streamlit as st

from core import audit, auth
from core.auth import ROLE_LABELS, User
from core.config import settings

EXPIRED = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."
GONE = "Tài khoản của bạn đã bị xóa hoặc bị khóa nên đã được đăng xuất. Liên hệ quản trị viên nếu cần."
DISABLED = "Tài khoản này đã bị khóa. Liên hệ quản trị viên."
WRONG = "Sai tên đăng nhập hoặc mật khẩu."


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def client_addr() -> str | None:
    """The browser's address as the server sees it (None from localhost, or outside a real session)."""
    try:
        ip = st.context.ip_address
    except Exception:
        return None
    return ip if isinstance(ip, str) else None


def _end_session(notice: str, event: str, name: str) -> None:
    st.session_state.pop("user", None)
    st.session_state.pop("user_since", None)
    st.session_state["auth_notice"] = notice
    audit.record(event, name, addr=client_addr())


def current_user() -> User | None:
    """The logged-in user as the store knows it now, or None (sessions expire after [auth] session_minutes)."""
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        # an identity provider says who it is; the role comes from the accounts, by e-mail
        email = st.user.get("email", "")
        acct = auth.get_account(email)
        if acct is not None and acct.disabled:
            st.session_state["auth_notice"] = DISABLED
            return None
        return acct.user if acct else User(email, "viewer")
    user, since = st.session_state.get("user"), st.session_state.get("user_since", 0)
    if user is None:
        return None
    if time.time() - since > settings()["auth"]["session_minutes"] * 60:
        _end_session(EXPIRED, "session_expired", user.name)
        return None
    fresh = auth.get_user(user.name)
    if fresh is None:
        _end_session(GONE, "logged_out_by_change", user.name)
        return None
    if fresh != user:  # promoted, demoted or moved to another unit: the new rights apply now
        st.session_state["user"] = fresh
    return fresh


def login_box() -> None:
    """Sidebar block: who is logged in, or the login form."""
    user = current_user()
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.sidebar.warning(notice, icon=":material/lock:")
    with st.sidebar.expander(f"{user.name} — {ROLE_LABELS[user.role]}" if user else "Đăng nhập",
                             expanded=bool(notice), icon=":material/person:"):
        if user:
            if st.button("Đăng xuất", key="logout"):
                st.session_state.pop("user", None)
                audit.record("logout", user, addr=client_addr())
                if oidc_configured():
                    st.logout()
                st.rerun()
            return
        if oidc_configured():
            st.button("Đăng nhập bằng tài khoản cơ quan", on_click=st.login, key="oidc_login")
            return
        with st.form("login", border=False):
            name = st.text_input("Tên đăng nhập")
            password = st.text_input("Mật khẩu", type="password")
            ok = st.form_submit_button("Đăng nhập")
        if ok:
            if not name.strip() or not password:
                st.error("Nhập tên đăng nhập và mật khẩu.")
                return
            result = auth.login(name, password, client_addr())  # counted and audited, whatever the outcome
            if result.user:
                st.session_state["user"] = result.user
                st.session_state["user_since"] = time.time()
                st.rerun()
            elif result.reason == "throttled":
                st.error(f"Đăng nhập sai nhiều lần. Thử lại sau {int(result.retry_after) + 1} giây.")
            elif result.reason == "disabled":
                st.error(DISABLED)
            else:
                st.error(WRONG)
