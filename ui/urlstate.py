"""Filter state in the URL with short codes (?nam=2011-2024&goc=reported&tinh=34:79), so a copied link
reproduces the view. Values are read once per session (before the widgets exist) and written back after
every run; invalid values in a hand-edited link are ignored, never an error."""
from __future__ import annotations

from typing import Callable

import streamlit as st

Decode = Callable[[str], object]
Encode = Callable[[object], str]

_FIELDS: dict[str, tuple[Decode, Encode, object]] = {}


def register(key: str, decode: Decode, encode: Encode, default) -> None:
    """Declare a widget key that lives in the URL, with its codec and default (omitted from the URL)."""
    _FIELDS[key] = (decode, encode, default)


def load() -> None:
    """Copy URL values into session state (before widgets are created): all of them when the session starts,
    afterwards those a link changed (a value that differs from what save() last wrote, e.g. st.page_link's
    query_params or the browser's back button); a value a widget changed is never overwritten."""
    first = not st.session_state.get("_url_loaded")
    st.session_state["_url_loaded"] = True
    saved = st.session_state.get("_url_saved", {})
    for key, (decode, _, _) in _FIELDS.items():
        raw = st.query_params.get(key)
        if raw is None or (not first and raw == saved.get(key)):
            continue
        try:
            value = decode(raw)
        except (ValueError, KeyError, TypeError):
            continue
        if value is not None:
            st.session_state[key] = value


def save() -> None:
    """Write the current widget values to the URL (defaults left out)."""
    wanted = {}
    for key, (_, encode, default) in _FIELDS.items():
        if key in st.session_state and st.session_state[key] != default and st.session_state[key] not in (None, "", [], ()):
            wanted[key] = encode(st.session_state[key])
    current = {k: st.query_params.get(k) for k in st.query_params}
    st.session_state["_url_saved"] = wanted
    if current != wanted:
        st.query_params.from_dict(wanted)


def link_params(**extra) -> dict[str, str]:
    """The URL of the current view (every registered value that differs from its default) with some changed, for
    st.page_link(query_params=…): the page opened keeps the filters and takes the new values."""
    out = {}
    for key, (_, encode, default) in _FIELDS.items():
        value = extra.pop(key) if key in extra else st.session_state.get(key)
        if value is not None and value != default and value not in ("", [], ()):
            out[key] = encode(value)
    return {**out, **{k: str(v) for k, v in extra.items()}}


def one_of(allowed) -> Decode:
    """Decoder accepting one value from a set."""
    def decode(raw: str):
        if raw not in allowed:
            raise ValueError(raw)
        return raw
    return decode


def many_of(allowed) -> Decode:
    """Decoder for a comma-separated list of allowed values."""
    def decode(raw: str):
        items = [x for x in raw.split(",") if x]
        if not items or any(x not in allowed for x in items):
            raise ValueError(raw)
        return items
    return decode


def year_range(lo: int, hi: int) -> Decode:
    def decode(raw: str):
        a, _, b = raw.partition("-")
        y0, y1 = int(a), int(b or a)
        if not lo <= y0 <= y1 <= hi:
            raise ValueError(raw)
        return (y0, y1)
    return decode


def text(raw: str) -> str:
    return raw[:200]


def join(values) -> str:
    return ",".join(values)


def years(value) -> str:
    return f"{value[0]}-{value[1]}"
