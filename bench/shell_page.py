"""The empty body the benchmark runs inside the app (CDCS_BENCH_SHELL=1): what remains is the shell's own cost —
the sidebar filters, the navigation, the URL state and the login box."""
import streamlit as st

st.caption("Khung ứng dụng (đo hiệu năng)")
