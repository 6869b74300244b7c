"""Benchmark one step of the teaching page: the model step and the rendering of every component.

Run: python benchmarks/bench_app.py [--steps N] [--browser] [--screenshot PATH]

In process, for each of the scenario's weeks: the model step, then what each component of the
page computes after it (the tension figure and the network as PNG, the feed, the monitors),
timed separately and in total; the figures are built once per model (at Reset), timed apart.
With --browser, the page itself: `sahelsim app` on a free loopback port, driven by headless
Chromium (Debian's /usr/bin/chromium, through Playwright); each click on Step is timed, by the
page's own clock, until the step counter and both figures have changed in the browser: everything
a student waits for (server step and render, websocket, the browser's update of the page).
--screenshot saves the page after a few steps and a pulled shock.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sim.plots.live import LiveNetwork
from sim.teaching.app import live_tension
from sim.teaching.classroom import SCENARIOS_VARIABLE, ClassroomModel, feed, monitors
from sim.teaching.serve import free_port

ROOT = Path(__file__).resolve().parent.parent

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


# In the page: click Step, then resolve (with the milliseconds elapsed, by the page's clock) once
# the step counter reads `counter` and both figures show new images.
TIMED_CLICK = """counter => new Promise(resolve => {
    const images = () => Array.from(document.querySelectorAll('img.solara-image')).map(i => i.src);
    const before = images();
    const step = Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === 'Step');
    const done = () => document.body.innerText.includes(counter) && images().every((src, i) => src !== before[i]);
    const started = performance.now();
    const watch = new MutationObserver(() => {
        if (done()) { watch.disconnect(); resolve(performance.now() - started); }
    });
    watch.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    step.click();
})"""


def summary(label: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{label:<34} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"


def in_process(scenario: str) -> None:
    model = ClassroomModel(scenario=scenario)
    started = time.perf_counter()
    tension_view = live_tension(model)
    network_view = LiveNetwork(model.taking_part, model.ledger.pairs)
    built = time.perf_counter() - started
    parts: dict[str, list[float]] = {
        name: [] for name in ("model step", "tension figure (PNG)", "network (PNG)", "feed", "monitors", "total")
    }
    while model.running:
        clock = [time.perf_counter()]
        model.step()
        clock.append(time.perf_counter())
        tension_view.update(*model.key_pairs_so_far())
        clock.append(time.perf_counter())
        network_view.update(*model.relations_now(), f"week {model.steps}")
        clock.append(time.perf_counter())
        feed(model)
        clock.append(time.perf_counter())
        monitors(model)
        clock.append(time.perf_counter())
        for name, start, end in zip(parts, clock, clock[1:], strict=False):
            parts[name].append(end - start)
        parts["total"].append(clock[-1] - clock[0])
    print(f"{scenario}: {model.steps} weeks, in process (one step and every component's rendering after it)")
    for name, seconds in parts.items():
        print(summary(name, seconds))
    print(f"{'figures built once per Reset':<34} {1000 * built:7.1f} ms")


def in_browser(steps: int, screenshot: Path | None) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the app did not start within 90 s") from None
                time.sleep(0.3)
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path="/usr/bin/chromium",
                args=FLAGS,
                headless=True,
                viewport={"width": 1600, "height": 1300},
            )
            page = context.new_page()
            page.goto(url)
            step = page.get_by_role("button", name="Step")
            expect(step).to_be_enabled(timeout=60_000)
            waits = []
            for k in range(1, steps + 1):
                waits.append(page.evaluate(TIMED_CLICK, f"Step: {k}") / 1000)
                if k == steps - 1 and screenshot is not None:  # the last step replays it, for the screenshot
                    page.get_by_role("button", name="Border incident").click()
            print(f"in the browser: {steps} clicks on Step, each until the counter and both figures changed")
            print(summary("click to updated page", waits))
            if screenshot is not None:
                page.wait_for_timeout(500)
                page.screenshot(path=screenshot, full_page=True)
                print(f"screenshot: {screenshot}")
            context.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="sahel_2024")
    parser.add_argument("--browser", action="store_true", help="also time clicks on Step in headless Chromium")
    parser.add_argument("--steps", type=int, default=30, help="clicks on Step in the browser")
    parser.add_argument("--screenshot", type=Path, help="save the page (after the clicks) as this PNG")
    args = parser.parse_args()
    # the page reads its scenario folder when a model is made; the server started here inherits it
    os.environ.setdefault(SCENARIOS_VARIABLE, str(ROOT / "scenarios"))
    in_process(args.scenario)
    if args.browser or args.screenshot:
        in_browser(args.steps, args.screenshot)


if __name__ == "__main__":
    main()
