#!/usr/bin/env python3
"""Drives a `seer map` page in headless Chromium, as a person would, and reports what it saw.

Opens the page from disk, waits for its first drawing, saves a screenshot, moves the mouse onto
point --hover (an index into the page's points) and reads the tooltip's path, then draws a lasso
(shift-drag) around the points of --lasso (a JSON list of point indices), a little outside their
convex hull, and reads the page's selection. Prints one JSON object for the Swift test
(Tests/SeerCLITests/MapCLITests.swift) to check:

  {"count": N, "hover_path": "...", "selected": [...paths...], "screenshot": "...png"}

Any failure of the page (never ready, a JavaScript error) exits non-zero with the reason on
stderr. Needs Debian's chromium and chromium-driver and selenium (scripts/setup.sh installs
them); SEER_CHROMIUM and SEER_CHROMEDRIVER override the binaries' paths.

  python3 scripts/map_page_test.py --page map.html --hover 3 --lasso '[0,1,2]' --screenshot shot.png
"""
import argparse
import json
import math
import os
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 60


def fail(message):
    print("map page test: " + message, file=sys.stderr)
    sys.exit(1)


def start_browser(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("SEER_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--user-data-dir=" + os.path.join(profile_dir, "profile")):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("SEER_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def convex_hull(points):
    points = sorted(set(points))
    if len(points) <= 2:
        return points

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", required=True)
    parser.add_argument("--hover", type=int, required=True)
    parser.add_argument("--lasso", required=True, help="JSON list of the point indices to draw the lasso around")
    parser.add_argument("--margin", type=float, default=10, help="CSS pixels between the hull and the lasso")
    parser.add_argument("--screenshot", required=True)
    args = parser.parse_args()
    members = json.loads(args.lasso)

    with tempfile.TemporaryDirectory() as profile_dir:
        driver = start_browser(profile_dir)
        try:
            driver.get("file://" + os.path.abspath(args.page))
            try:
                WebDriverWait(driver, TIMEOUT, poll_frequency=0.05).until(
                    lambda d: d.execute_script("return document.body.dataset.state") == "ready")
            except TimeoutException:
                errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
                fail(f"the page never became ready; console errors: {errors}")
            driver.save_screenshot(args.screenshot)
            canvas = driver.find_element(By.ID, "canvas")
            centre = driver.execute_script(
                "const r = arguments[0].getBoundingClientRect(); return [Math.floor((r.left + r.right) / 2), Math.floor((r.top + r.bottom) / 2)];",
                canvas)

            def offset(point):
                # WebDriver offsets are whole CSS pixels from the element's centre (rounded down).
                return math.floor(point[0] - centre[0] + 0.5), math.floor(point[1] - centre[1] + 0.5)

            target = driver.execute_script("return window.seerMap.screenPosition(arguments[0]);", args.hover)
            ActionChains(driver).move_to_element_with_offset(canvas, *offset((target["x"], target["y"]))).perform()
            WebDriverWait(driver, TIMEOUT, poll_frequency=0.05).until(
                lambda d: d.execute_script("return window.seerMap.tooltipPath();") is not None)
            hover_path = driver.execute_script("return window.seerMap.tooltipPath();")

            positions = [driver.execute_script("const p = window.seerMap.screenPosition(arguments[0]); return [p.x, p.y];", i)
                         for i in members]
            hull = convex_hull([tuple(p) for p in positions])
            cx = sum(p[0] for p in hull) / len(hull)
            cy = sum(p[1] for p in hull) / len(hull)
            lasso = []
            for x, y in hull:
                length = math.hypot(x - cx, y - cy) or 1
                lasso.append((x + (x - cx) / length * args.margin, y + (y - cy) / length * args.margin))
            actions = ActionChains(driver).move_to_element_with_offset(canvas, *offset(lasso[0])).key_down(Keys.SHIFT).click_and_hold()
            for point in lasso[1:] + lasso[:1]:
                actions.move_to_element_with_offset(canvas, *offset(point))
            actions.release().key_up(Keys.SHIFT).perform()
            selected = driver.execute_script("return window.seerMap.selectedPaths();")
            print(json.dumps({"count": driver.execute_script("return window.seerMap.count;"), "hover_path": hover_path,
                              "selected": selected, "screenshot": args.screenshot}))
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
