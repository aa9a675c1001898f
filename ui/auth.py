"""Who is using the app: local accounts (core.auth) or an identity provider through st.login when configured."""
from __future__ import annotations

import time

import streamlit as st

from core import audit
from core.auth import ROLE_LABELS, User, verify, wait_seconds
from core.config import settings, warehouse_dir


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_user() -> User | None:
    """The logged-in user, or None (sessions expire after settings [auth] session_minutes)."""
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        # an identity provider says who it is; roles come from the same accounts file, by e-mail
        from core.auth import _read, users_path
        record = _read(users_path())["users"].get(st.user.get("email", ""), {})
        return User(st.user.get("email", ""), record.get("role", "viewer"), record.get("unit_code"))
    user, since = st.session_state.get("user"), st.session_state.get("user_since", 0)
    if user and time.time() - since > settings()["auth"]["session_minutes"] * 60:
        st.session_state.pop("user", None)
        return None
    return user


def login_box() -> None:
    """Sidebar block: who is logged in, or the login form."""
    user = current_user()
    with st.sidebar.expander(f"{user.name} — {ROLE_LABELS[user.role]}" if user else "Đăng nhập", expanded=False,
                             icon=":material/person:"):
        if user:
            if st.button("Đăng xuất", key="logout"):
                st.session_state.pop("user", None)
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
            wait = wait_seconds(name)
            found = verify(name, password) if wait == 0 else None
            audit.record(warehouse_dir(), "login" if found else "login_failed", name)
            if found:
                st.session_state["user"] = found
                st.session_state["user_since"] = time.time()
                st.rerun()
            elif wait:
                st.error(f"Đăng nhập sai nhiều lần. Thử lại sau {int(wait) + 1} giây.")
            else:
                st.error("Sai tên đăng nhập hoặc mật khẩu.")
