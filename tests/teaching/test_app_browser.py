"""The teaching page in a real browser.

`sahelsim app` on a free loopback port, driven by Playwright in Debian's headless Chromium
(never Playwright's own browser download).

Without /usr/bin/chromium these tests skip on a workstation but fail in CI (CI=true), where
`.ci/run` installs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from sim.teaching.serve import free_port
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)  # a shared, busy machine can take seconds to answer a click


class RecordingProxy:
    """A web proxy on loopback that forwards nothing and records every request sent through it.

    The server under test is given it as its HTTP(S) proxy (loopback excepted), so any attempt to
    reach another machine (telemetry, a CDN, a version check) is seen here instead of leaving.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.requests.append(connection.recv(4096).decode("latin-1").split("\r\n")[0])
                    connection.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self._socket.close()


@pytest.fixture(scope="module")
def proxy():
    recording = RecordingProxy()
    yield recording
    recording.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, proxy):
    """`sahelsim app` as a teacher starts it, on a free loopback port; stopped by its process id.

    Its home is an empty folder of the test's and its web proxy the recording one, so the tests
    can check that it writes nothing to the user's home and tries to reach no one.
    """
    if not CHROMIUM.exists():  # only in CI (elsewhere the module is skipped): every test here fails
        pytest.fail(
            f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium)", pytrace=False
        )
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "app.log"
    home = tmp_path_factory.mktemp("home")
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sim", "app", "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "250", **_offline_checks(home, proxy.url)},
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the app did not start: {log.read_text()}")
            time.sleep(0.3)
    yield url, log, home
    process.terminate()
    process.wait(timeout=20)


def _offline_checks(home: Path, proxy_url: str) -> dict[str, str]:
    proxies = {name: proxy_url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")}
    return {"HOME": str(home), **proxies, "NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1"}


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1600, "height": 1300},
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture
def page(server, browser_context):
    url, _, _ = server
    page = browser_context.new_page()
    page.goto(url)
    expect(page.get_by_role("button", name="Step")).to_be_enabled()
    yield page
    page.close()


def card(page, title: str):
    return page.locator(".v-card", has_text=title).last


def picture(page, index: int) -> bytes:
    """What the browser shows of a figure (0: tension trajectories, 1: relations network).

    While the page starts up it may redraw a figure, replacing its image between the moment
    the locator finds it and the screenshot; the locator then finds the new image on a retry.
    """
    for attempt in range(10):
        try:
            return page.locator("img.solara-image").nth(index).screenshot()
        except sync_api.Error as error:
            if "not attached" not in str(error) or attempt == 9:
                raise
            time.sleep(0.2)


def test_the_startup_line_says_where_and_that_it_is_loopback_only(server):
    url, log, _ = server
    first = log.read_text().splitlines()[0]
    assert f"serving the teaching page on {url.rstrip('/')}" in first and "loopback only" in first


def test_slider_step_and_shock_change_plot_feed_and_monitors(page, tmp_path):
    feed, monitors = card(page, "Latest events"), card(page, "Monitors:")
    expect(feed).to_contain_text("Nothing yet")
    expect(monitors).to_contain_text("start, 01 Jan 2024")
    tension_before, network_before = picture(page, 0), picture(page, 1)
    monitors_before = monitors.inner_text()

    slider = page.locator(".v-input", has_text="pledges (").get_by_role("slider")
    slider.focus()
    slider.press("Home")
    expect(slider).to_have_attribute("aria-valuenow", "0")
    page.get_by_role("button", name="Reset").click()

    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Step: 1")).to_be_visible()
    expect(feed).to_contain_text("week 1 (01 Jan 2024):")
    expect(monitors).to_contain_text("week 1, 01 Jan 2024")

    page.get_by_role("button", name="Border incident").click()
    expect(feed).to_contain_text("coming week 2: Mali harms civilians across the border of Mauritania")
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Step: 2")).to_be_visible()
    expect(feed).to_contain_text(
        "week 2 (08 Jan 2024): Mali harms civilians across the border of Mauritania (5 killed) (shock)"
    )
    expect(monitors).not_to_contain_text("incidents: 0")
    assert monitors.inner_text() != monitors_before
    assert picture(page, 0) != tension_before and picture(page, 1) != network_before
    assert page.locator(".v-alert.error").count() == 0
    page.screenshot(path=tmp_path / "app.png", full_page=True)
    assert (tmp_path / "app.png").stat().st_size > 50_000


def test_a_bad_seed_is_a_message_in_the_page_which_keeps_working(page):
    # A first step proves the page's start-up is over: mesa sets the model parameters to their
    # defaults in an effect after the first render, which would overwrite a value typed sooner.
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Step: 1")).to_be_visible()
    seed = page.get_by_label("Seed (empty: the scenario's)")
    seed.fill("forty-two")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(card(page, "Shocks:")).to_contain_text("got 'forty-two'; expected a whole number 0 or above")
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Step: 1")).to_be_visible()
    expect(card(page, "Latest events")).to_contain_text("week 1 (01 Jan 2024):")


def test_picking_another_scenario_resets_the_page_onto_it(page):
    page.locator(".v-select", has_text="Scenario").click()
    page.get_by_role("option", name="joint_patrols_2010").click()
    page.get_by_role("button", name="Reset").click()
    expect(card(page, "Monitors:")).to_contain_text("joint_patrols_2010, start, 01 Jan 2010")
    shocks = card(page, "Shocks:")
    expect(shocks).to_contain_text("Not in this scenario: Wagner withdrawal, Patron pledge")
    expect(page.get_by_role("button", name="Wagner withdrawal")).to_be_disabled()
    page.get_by_role("button", name="Step").click()
    expect(card(page, "Latest events")).to_contain_text("week 1 (01 Jan 2010):")


def test_the_server_reaches_no_one_and_writes_nothing_in_home(page, server, proxy):
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Step: 1")).to_be_visible()
    time.sleep(2)  # Solara's telemetry, were it on, starts in a thread as the first page loads
    _, _, home = server
    assert proxy.requests == []
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert written == [], written
