"""Who is using the app: local accounts (core.auth) or an identity provider through st.login when configured.

A login is a session in the state store (core.sessions) whose signed token the browser keeps as a cookie, so a
reload, a second tab or a bookmark stay logged in. Streamlit reads cookies but cannot set them, so a tiny
script sets or deletes it (SameSite=Strict, Secure over https; not HttpOnly, which a script cannot set). The
session and the account are checked again on every page run: logout, idle time, removing, disabling or
demoting the account take effect at the next click.
"""
from __future__ import annotations

import json

import streamlit as st

from core import audit, auth, sessions
from core.auth import ROLE_LABELS, User

EXPIRED = "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."
GONE = "Tài khoản của bạn đã bị xóa hoặc bị khóa nên đã được đăng xuất. Liên hệ quản trị viên nếu cần."
DISABLED = "Tài khoản này đã bị khóa. Liên hệ quản trị viên."
WRONG = "Sai tên đăng nhập hoặc mật khẩu."
NEW_PASSWORD = "Mật khẩu của tài khoản đã được đổi, vui lòng đăng nhập lại."
_DELETE = ""  # cookie_to_set value that deletes the cookie


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


def browser_token() -> str | None:
    """The session cookie the browser sent when this tab connected (a reload, new tab or bookmark), if any."""
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _end(token: str, check: sessions.Check | None) -> None:
    """Forget a session that is over, tell why when the user should know, and delete the browser's cookie."""
    st.session_state.pop("session_token", None)
    st.session_state["dead_token"] = token  # this tab keeps sending the same cookie until it reloads
    st.session_state["cookie_to_set"] = _DELETE
    reason = check.reason if check else ""
    if reason == "expired":
        st.session_state["auth_notice"] = EXPIRED
        if check.first:
            audit.record("session_expired", check.user_name, addr=client_addr())
    elif reason in ("removed", "disabled"):
        st.session_state["auth_notice"] = GONE
        audit.record("logged_out_by_change", check.user_name, addr=client_addr(), reason=reason)
    elif reason == "password":
        st.session_state["auth_notice"] = NEW_PASSWORD


def current_user() -> User | None:
    """The logged-in user as the store knows it now, or None."""
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        # an identity provider says who it is; the role comes from the accounts, by e-mail
        email = st.user.get("email", "")
        acct = auth.get_account(email)
        if acct is not None and acct.disabled:
            st.session_state["auth_notice"] = DISABLED
            return None
        return acct.user if acct else User(email, "viewer")
    token = st.session_state.get("session_token")
    if token is None:
        cookie = browser_token()
        if cookie is None or cookie == st.session_state.get("dead_token"):
            return None
        token = cookie
    check = sessions.check(token)
    if check.status != "ok":
        _end(token, check)
        return None
    user = auth.get_user(check.user_name)
    if user is None:  # removed or disabled between two checks
        sessions.revoke(token, "removed")
        _end(token, sessions.Check("ended", check.user_name, "removed"))
        return None
    st.session_state["session_token"] = token
    return user


def _cookie_script() -> None:
    """Set or delete the session cookie in the browser when a login or logout asked for it."""
    if "cookie_to_set" not in st.session_state:
        return
    token = st.session_state.pop("cookie_to_set")
    age = int(sessions.lifetime().total_seconds()) if token else 0
    st.sidebar.html(
        "<script>document.cookie = " + json.dumps(f"{sessions.COOKIE}={token}; Path=/; Max-Age={age}; SameSite=Strict")
        + " + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


def notice_this_run() -> str | None:
    """The login notice of this page run (expired, logged out by a change …), for a page that shows it too."""
    return st.session_state.get("_auth_notice_run")


def login_box(form: bool = True) -> None:
    """Sidebar block: who is logged in, or the login form (form=False: only the notice, for a page that shows the
    form in its main area)."""
    user = current_user()
    _cookie_script()
    notice = st.session_state["_auth_notice_run"] = st.session_state.pop("auth_notice", None)
    if notice:
        st.sidebar.warning(notice, icon=":material/lock:")
    if not user and not form:
        return
    with st.sidebar.expander(f"{user.name} — {ROLE_LABELS[user.role]}" if user else "Đăng nhập",
                             expanded=bool(notice), icon=":material/person:"):
        if user:
            if st.button("Đăng xuất", key="logout"):
                token = st.session_state.get("session_token")
                if token:
                    sessions.revoke(token, "logout")
                    _end(token, None)
                audit.record("logout", user, addr=client_addr())
                if oidc_configured():
                    st.logout()
                st.rerun()
            return
        login_form("login")


def login_form(key: str) -> None:
    """The login form (or the identity provider's button) where it is called; a successful login reruns the page
    the user is on, so a desk opened by its link is where they land."""
    if oidc_configured():
        st.button("Đăng nhập bằng tài khoản cơ quan", on_click=st.login, key=f"oidc_{key}")
        return
    with st.form(key, border=False):
        name = st.text_input("Tên đăng nhập", key=f"{key}_name")
        password = st.text_input("Mật khẩu", type="password", key=f"{key}_password")
        ok = st.form_submit_button("Đăng nhập", type="primary" if key != "login" else "secondary")
    if ok:
        if not name.strip() or not password:
            st.error("Nhập tên đăng nhập và mật khẩu.")
            return
        result = auth.login(name, password, client_addr())  # counted and audited, whatever the outcome
        if result.user:
            token = sessions.start(result.user.name, client_addr=client_addr())
            st.session_state["session_token"] = st.session_state["cookie_to_set"] = token
            st.rerun()
        elif result.reason == "throttled":
            st.error(f"Đăng nhập sai nhiều lần. Thử lại sau {int(result.retry_after) + 1} giây.")
        elif result.reason == "disabled":
            st.error(DISABLED)
        else:
            st.error(WRONG)
