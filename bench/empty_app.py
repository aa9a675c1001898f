"""The baseline page of the benchmark: a Streamlit script that shows a title and a line, served the same way."""
import streamlit as st

st.title("Trang trống")
st.write("Trang dùng làm mốc so sánh khi đo hiệu năng.")
