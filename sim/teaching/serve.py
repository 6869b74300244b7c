"""Serving the teaching page: checks first, then Solara's own server on the chosen address.

Everything that can be wrong (an unknown scenario, a scenario file that does not load, a port
already in use) is found before the server starts and reported as an
:class:`~sim.core.errors.InputError`, so ``sahelsim app`` exits 2 with one paragraph instead of
a server traceback. The server is ``solara run`` on :mod:`sim.teaching.app`, in production mode,
without opening a browser, asking PyPI for a newer version, fetching assets from a CDN or sending
telemetry (Solara's is on by default: it reports to Mixpanel and looks up the server's public
address), and with every file it keeps (Solara's, IPython's, matplotlib's) in one state folder
of its own instead of the user's home.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import tempfile
from pathlib import Path

from sim.core.errors import InputError

LOOPBACK = "127.0.0.1"
NO_CDN = "http://127.0.0.1:9/"  # the discard port: nothing listens, so a fetch fails at once
# Solara's theme: no "This website runs on Solara" banner over the page's corner, and the tab's title
PAGE_THEME = {"SOLARA_THEME_SHOW_BANNER": "false", "SOLARA_THEME_TITLE": "sahelsim in class"}


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another program already listens on (or one the system will not give).

    The probe binds as the server will (with SO_REUSEADDR, as uvicorn does), so connections
    of a server that just stopped, still closing, do not count as a use.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = "is already in use" if error.errno == errno.EADDRINUSE else f"cannot be opened ({error.strerror})"
            raise InputError(
                f"port {port} on {host} {reason}; expected a free port: stop the program using it or choose "
                "another with --port (e.g. --port 8766)",
                path="sahelsim app",
                field="--port",
            ) from None


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on now (the system picks it), for tests and benchmarks of the page."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def check_scenarios(opening: str, folder: Path) -> None:
    """The opening scenario must be one the page offers, and every offered scenario must load."""
    from sim.teaching.classroom import classroom, load_offered  # the model: imported once the page is asked for

    load_offered(opening, folder)
    for name in classroom().scenarios:
        load_offered(name, folder)


def where(host: str, port: int) -> str:
    """The address to open, and who can reach it."""
    if host in (LOOPBACK, "localhost", "::1"):
        return (
            f"http://{host}:{port}  (bound to {host}, loopback only: reachable from this machine alone; "
            "pass --host 0.0.0.0 to serve the local network)"
        )
    shown = LOOPBACK if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}  (bound to {host}: other machines on the network can open it too)"


def state_folder() -> Path:
    """Where the server keeps its files: one folder per user in the system's temporary folder.

    It is reused from one start to the next (nothing piles up) and never under ``$HOME``.
    """
    folder = Path(tempfile.gettempdir()) / f"sahelsim-app-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def offline_environment(state: Path) -> dict[str, str]:
    """The variables that keep the server to itself: no telemetry, no CDN, no files in ``$HOME``."""
    return {
        "SOLARA_ASSETS_CDN": NO_CDN,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_TELEMETRY_SERVER_USER_ID": "sahelsim",  # else Solara writes one to ~/.solara
        "SOLARA_HOME": str(state / "solara"),
        "IPYTHONDIR": str(state / "ipython"),  # the kernels' history database
        "MPLCONFIGDIR": str(state / "matplotlib"),  # the font cache
    }


def serve(host: str, port: int, opening: str, folder: Path) -> None:
    """Become the Solara server (after :func:`check_scenarios` and :func:`check_port_free`).

    The process is replaced rather than forked, so stopping it (Ctrl-C, or a signal to its
    id) stops the server. The page's assets come from the installed ``solara-assets`` package
    through Solara's asset proxy, whose upstream CDN is pointed at a closed local port: an asset
    the package lacks (vega, katex: this page uses neither) is a 404, never a download.
    """
    from sim.teaching.classroom import SCENARIO_VARIABLE, SCENARIOS_VARIABLE

    environment = {
        **os.environ,
        SCENARIOS_VARIABLE: str(folder.resolve()),
        SCENARIO_VARIABLE: opening,
        **offline_environment(state_folder()),
        **PAGE_THEME,
    }
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.teaching.app:Page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, environment)
