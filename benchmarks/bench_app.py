"""Benchmark the classroom page: a Step of both ensembles, and Apply, in process and in headless Chromium.

Run: python benchmarks/bench_app.py [--worlds 1 100 1000] [--clicks 50] [--browser] [--screenshots DIR]

In process, for each number of worlds: Apply's work (both ensembles and the figure built), then for
each week a step of both sides and what the page computes after it (the figure as PNG, the
monitors, the feed), timed separately and in total.

With --browser, the page itself: `sahelsim app` on a free loopback port, driven by headless
Chromium (Debian's /usr/bin/chromium, through Playwright) at 1024x768. For each number of worlds it
is chosen in the sidebar and applied (timed from the click on Apply until the new run's week 0,
its figure and an enabled Step are on the page), then each click on Step is timed, by the page's
own clock, until the week counter and the figure of both ensembles have changed in the browser:
everything a class waits for (server step and drawing, websocket, the browser's update).
--screenshots saves the page at 1024x768 and 1920x1080 after a few steps and a shock pulled into B.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sim.teaching.ensemble import default_choice, readings
from sim.teaching.feed import FeedFilter, week_feed
from sim.teaching.live import LiveComparison
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

# In the page: click a button, then resolve (with the milliseconds elapsed, by the page's clock) once
# the page's text holds `text`, the figure shows a new image and the Step button is enabled.
TIMED_CLICK = """([label, text]) => new Promise(resolve => {
    const image = () => document.querySelector('.sahel-figure img');
    const stepButton = () => Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === 'Step');
    const [beforeImage, before] = [image(), image() && image().src];
    const button = Array.from(document.querySelectorAll('button')).find(b => b.textContent.trim() === label);
    const done = () => {
        const step = stepButton();
        const now = image();
        const redrawn = now && (now !== beforeImage || now.src !== before);  // Apply mounts a new image
        return document.body.innerText.includes(text) && redrawn && step && !step.disabled;
    };
    const started = performance.now();
    const watch = new MutationObserver(() => {
        if (done()) { watch.disconnect(); resolve(performance.now() - started); }
    });
    watch.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { watch.disconnect(); resolve(-1); }, 30000);  // never done: reported, not waited for
    button.click();
})"""


def summary(label: str, seconds: list[float]) -> str:
    """Median, p95 and max of a list of durations, in milliseconds, on one line (and any click never done)."""
    lost = sum(s < 0 for s in seconds)
    if lost:
        label += f" ({lost} never done in 30 s)"
    ms = sorted(1000 * s for s in seconds if s >= 0) or [float("nan")]
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{label:<40} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms"


def in_process(scenario: str, worlds: int) -> None:
    """Apply's work and each week's step and drawing, without a browser."""
    choice = dataclasses.replace(default_choice(scenario), worlds=worlds)
    started = time.perf_counter()
    live = LiveComparison(choice)
    built = time.perf_counter() - started
    parts: dict[str, list[float]] = {name: [] for name in ("step (both sides)", "figure (PNG)", "monitors", "feed")}
    totals = []
    documented = live.comparison.a.documented
    while live.comparison.running:
        clock = [time.perf_counter()]
        live.step()
        clock.append(time.perf_counter())
        live.png("tension")
        clock.append(time.perf_counter())
        readings(live.comparison)
        clock.append(time.perf_counter())
        week_feed(live.comparison.a, FeedFilter(), documented[0] if documented else None)
        clock.append(time.perf_counter())
        for name, start, end in zip(parts, clock, clock[1:], strict=False):
            parts[name].append(end - start)
        totals.append(clock[-1] - clock[0])
    print(
        f"{choice.factual} vs {choice.counterfactual}, {worlds} worlds each: {live.comparison.week} weeks, in process"
    )
    for name, seconds in parts.items():
        print(summary(f"  {name}", seconds))
    print(summary("  total per step", totals))
    print(f"  {'Apply (both ensembles and the figure)':<38} {1000 * built:7.1f} ms")


def start_server() -> tuple[subprocess.Popen, str]:
    """`sahelsim app` on a free loopback port, once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return server, url
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise SystemExit("the app did not start within 90 s") from None
            time.sleep(0.3)


def in_browser(worlds: list[int], clicks: int, screenshots: Path | None) -> None:
    """Apply and Step clicks timed in headless Chromium, and the screenshots."""
    from playwright.sync_api import expect, sync_playwright

    server, url = start_server()
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", args=FLAGS, headless=True,
                viewport={"width": 1024, "height": 768},
            )  # fmt: skip
            page = context.new_page()
            page.goto(url)
            step = page.get_by_role("button", name="Step", exact=True)
            expect(step).to_be_enabled(timeout=60_000)
            rows = []
            for n in worlds:
                page.locator(".v-select", has_text="Worlds per side").click()
                page.get_by_role("option", name=str(n), exact=True).click()
                applies = []
                for _ in range(5):  # each from week 1, so the figure Apply draws (week 0) is a new one
                    page.evaluate(TIMED_CLICK, ["Step", "Week 1 of"])
                    applies.append(page.evaluate(TIMED_CLICK, ["Apply (restart at week 0)", "Week 0 of"]) / 1000)
                waits = [page.evaluate(TIMED_CLICK, ["Step", f"Week {k} of"]) / 1000 for k in range(1, clicks + 1)]
                rows.append((n, waits, applies))
            print(
                f"in the browser (1024x768): {clicks} clicks on Step per row, each until the counter and figure changed"
            )
            for n, waits, applies in rows:
                print(summary(f"  Step, {n} worlds per side", waits))
                print(summary(f"  Apply, {n} worlds per side (5 applies)", applies))
            if screenshots is not None:
                shoot(page, url, context, screenshots)
            context.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def shoot(page, url: str, context, folder: Path) -> None:
    """The page at a projector's 1024x768 and at 1920x1080, a few weeks in, with a shock pulled into B."""
    from playwright.sync_api import expect

    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1024, 768), (1920, 1080)):
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        step = page.get_by_role("button", name="Step", exact=True)
        expect(step).to_be_enabled(timeout=60_000)
        for _ in range(15):
            step.click()
            page.wait_for_timeout(150)
        page.locator(".sahel-sidebar").get_by_role("button", name="B", exact=True).click()
        page.get_by_role("button", name="Border incident").click()
        for _ in range(10):
            step.click()
            page.wait_for_timeout(150)
        expect(page.get_by_text("Week 25 of")).to_be_visible()
        page.wait_for_timeout(800)
        path = folder / f"classroom_{width}.png"
        page.screenshot(path=path)
        print(f"screenshot: {path}")
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="sahel_2024")
    parser.add_argument("--worlds", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--browser", action="store_true", help="also time Apply and Step in headless Chromium")
    parser.add_argument("--clicks", type=int, default=50, help="clicks on Step in the browser, per number of worlds")
    parser.add_argument("--screenshots", type=Path, help="save the page at 1024x768 and 1920x1080 in this folder")
    args = parser.parse_args()
    # the page reads its scenario folder when a model is made; the server started here inherits it
    os.environ.setdefault("SAHELSIM_SCENARIOS", str(ROOT / "scenarios"))
    for n in args.worlds:
        in_process(args.scenario, n)
    if args.browser or args.screenshots:
        in_browser(args.worlds, args.clicks, args.screenshots)


if __name__ == "__main__":
    main()
