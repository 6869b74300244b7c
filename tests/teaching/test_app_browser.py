"""The classroom page in a real browser, at a projector's 1024x768.

`sahelsim app` on a free loopback port, driven by Playwright in Debian's headless Chromium
(never Playwright's own browser download): the layout and its text size, a step, a shock pulled
into one side, a lever applied, the downloads, a bad seed, and that the server reaches no one.

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

from sim.teaching.classroom import classroom
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
            viewport={"width": 1024, "height": 768},  # a classroom projector,
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()


@pytest.fixture
def page(server, browser_context):
    url, _, _ = server
    page = browser_context.new_page()
    page.goto(url)
    expect(step_button(page)).to_be_enabled()
    yield page
    page.close()


def step_button(page):
    return page.get_by_role("button", name="Step", exact=True)


def figure(page):
    return page.locator(".sahel-figure img")


def figure_source(page) -> str:
    return figure(page).get_attribute("src") or ""


def step(page, week: int) -> None:
    """Click Step (once it is enabled: not while Apply builds) and wait for the counter to say the week."""
    expect(step_button(page)).to_be_enabled()
    step_button(page).click()
    expect(page.get_by_text(f"Week {week} of")).to_be_visible()


def test_the_startup_line_says_where_and_that_it_is_loopback_only(server):
    url, log, _ = server
    first = log.read_text().splitlines()[0]
    assert f"serving the teaching page on {url.rstrip('/')}" in first and "loopback only" in first


def test_at_1024x768_the_figure_fills_the_main_area_with_readable_text_and_no_leftovers(page):
    box = figure(page).bounding_box()
    natural = page.evaluate("document.querySelector('.sahel-figure img').naturalWidth")
    assert natural == 720 and box is not None
    assert box["width"] >= 700 and box["y"] < 40  # at the top of the main area, not below the fold
    assert box["y"] + box["height"] <= 768  # the whole figure on the screen
    font_px = classroom().figure_font_px * box["width"] / natural  # the figure's text as the screen shows it
    assert font_px >= 14
    text = page.locator("body").inner_text()
    for leftover in ("PAGE 0", "Use Threads", "Render Interval", "Play Interval", "runs on Solara"):
        assert leftover not in text
    sidebar = page.locator(".sahel-sidebar").bounding_box()
    assert sidebar is not None and sidebar["x"] + sidebar["width"] <= box["x"]  # side by side, not stacked
    monitors = page.locator(".sahel-monitors").bounding_box()
    assert monitors is not None and monitors["x"] + monitors["width"] <= 1024  # no card overflows the screen


def test_step_advances_both_ensembles_and_redraws_figure_monitors_and_feed(page):
    expect(page.get_by_text("Week 0 of 105 (not started)")).to_be_visible()
    before = figure_source(page)
    monitors_before = page.locator(".sahel-monitors").inner_text()
    step(page, 1)
    expect(figure(page)).not_to_have_attribute("src", before)
    expect(page.locator(".sahel-week").first).to_contain_text("Week 1 (01 Jan 2024), A world 0")
    assert page.locator(".sahel-monitors").inner_text() != monitors_before
    assert page.locator(".v-alert").count() == 0


def test_a_shock_pulled_into_b_only_is_in_b_s_worlds_and_not_in_a_s(page):
    step(page, 1)
    sidebar = page.locator(".sahel-sidebar")
    sidebar.get_by_role("button", name="B", exact=True).click()
    sidebar.get_by_role("button", name="Border incident").click()
    step(page, 2)
    feed = page.locator(".sahel-side")
    shock = "Mali harms civilians across the border of Mauritania (5 killed) (shock)"
    expect(page.locator(".sahel-week").first).not_to_contain_text(shock)  # the feed follows A first
    feed.get_by_role("button", name="B", exact=True).click()
    expect(page.locator(".sahel-week").first).to_contain_text(shock)
    expect(page.locator(".sahel-week").first).to_contain_text("Week 2 (08 Jan 2024), B world 0")


def test_a_moved_lever_is_pending_until_applied_then_runs_from_week_0(page):
    step(page, 1)
    pledges = page.get_by_role("slider").nth(list(classroom().levers).index("pledge_losses"))
    pledges.focus()
    pledges.press("Home")
    expect(page.get_by_text("pledges (default 8): now 0")).to_be_visible()
    expect(page.locator(".sahel-pending")).to_have_count(1)
    page.get_by_role("button", name="Apply (restart at week 0)").click()
    expect(page.get_by_text("Week 0 of 105 (not started)")).to_be_visible()
    expect(page.locator(".sahel-pending")).to_have_count(0)
    step(page, 1)
    assert "pledges" in page.locator(".sahel-sidebar").inner_text()


def test_the_figure_and_the_series_download_with_names_that_say_what_they_show(page, tmp_path):
    step(page, 1)
    for label, magic in (("Figure (PNG)", b"\x89PNG"), ("Figure (SVG)", b"<?xml"), ("Series (CSV)", b"week,date,pair")):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        download = info.value
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert path.read_bytes().startswith(magic), label
        assert "sahel_2024_vs_no_pursuit_2024" in path.name and "week1" in path.name


def test_a_bad_seed_is_a_message_in_the_page_which_keeps_working(page):
    step(page, 1)
    seed = page.get_by_label("Seed (both sides)")
    seed.fill("forty-two")
    seed.press("Enter")
    expect(page.locator(".sahel-pending")).to_have_count(1)
    page.get_by_role("button", name="Apply (restart at week 0)").click()
    expect(page.locator(".v-alert", has_text="got 'forty-two'; expected a whole number 0 or above")).to_be_visible()
    step(page, 2)  # the running comparison was kept, and still steps


def test_picking_another_factual_offers_its_counterfactuals_and_applies_onto_it(page):
    page.locator(".v-select", has_text="A: factual scenario").click()
    page.get_by_role("option", name="joint_patrols_2010").click()
    page.get_by_role("button", name="Apply (restart at week 0)").click()
    expect(page.get_by_text("Week 0 of 78 (not started)")).to_be_visible()
    expect(page.get_by_role("button", name="Wagner withdrawal")).to_be_disabled()
    step(page, 1)
    expect(page.locator(".sahel-week").first).to_contain_text("Week 1 (01 Jan 2010)")


def test_the_server_reaches_no_one_and_writes_nothing_in_home(page, server, proxy):
    step(page, 1)
    time.sleep(2)  # Solara's telemetry, were it on, starts in a thread as the first page loads
    _, _, home = server
    assert proxy.requests == []
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert written == [], written
