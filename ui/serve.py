"""Start Streamlit for this app: `python -m ui.serve run app.py [streamlit options]`.

Streamlit treats a folder named pages/ beside the main script as an old-style (v1) multipage app and wraps
the first run of each process in it, which shows a false "Page not found" dialog when a shared link to a
page other than the first is opened after a restart. Our pages/ are routed by st.navigation in app.py,
so the v1 behaviour is switched off before the server starts.
"""
import os
import sys
import threading

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

PagesManager.uses_pages_directory = False


def _warm() -> None:
    """Import the heavy libraries while the server starts and the browser loads the page (cold start)."""
    import core.charts  # noqa: F401  (pandas, plotly, numpy)
    import core.db  # noqa: F401  (duckdb)
    import core.labels  # noqa: F401



def _server_options(argv: list[str]) -> list[str]:
    """Command-line options the settings decide: the upload limit is settings.toml [loader] max_file_mb."""
    from core.config import settings
    if not any(a.startswith("--server.maxUploadSize") for a in argv):
        argv = [*argv, f"--server.maxUploadSize={settings()['loader']['max_file_mb']}"]
    return argv


if __name__ == "__main__":
    os.umask(0o077)  # logs, snapshots and the state store are for this account only
    sys.argv = _server_options(sys.argv)
    threading.Thread(target=_warm, daemon=True).start()
    sys.exit(cli.main())
