#!/usr/bin/env python3
"""Drives seer's labeling page (GET /label) in headless Chromium, as a person would.

Opens the page on a running server, loads an image through the file picker, clicks points on
the canvas (a plain click is foreground, shift-click and right-click background), waits for
each mask overlay, tries one more click and Undo, types a class name, accepts, exports, and
prints one JSON object on stdout for the Swift test (Tests/SeerServerTests/LabelingPageTests)
to check against the library:

  {"points": [...the page's points, in image pixels...], "coco": {...the exported COCO...},
   "changed_pixels": N, "undo_restored": bool, "status": "..."}

Any failure of the page (an error state, a missing overlay, a timeout) exits non-zero with
the reason on stderr.

Needs Debian's chromium and chromium-driver and selenium (scripts/setup.sh installs them);
SEER_CHROMIUM and SEER_CHROMEDRIVER override the binaries' paths.

  python3 scripts/labeling_page_test.py --url http://127.0.0.1:9001 \
      --image Tests/Fixtures/clip-inputs/chelsea.jpg --clicks '[[200,150,"click"]]' --category cat
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

TIMEOUT = 120  # seconds for one step: the first embedding of a real model can take a while


def fail(message):
    print("labeling page test: " + message, file=sys.stderr)
    sys.exit(1)


def start_browser(download_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("SEER_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--user-data-dir=" + os.path.join(download_dir, "profile")):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": download_dir})
    service = Service(executable_path=os.environ.get("SEER_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def body_data(driver, key):
    return driver.execute_script("return document.body.dataset[arguments[0]] || null;", key)


def wait_for(driver, description, predicate):
    """Waits for predicate(driver); fails early, with the page's message, if the page errs."""
    def check(d):
        if body_data(d, "state") == "error":
            raise RuntimeError(d.find_element(By.ID, "status").text)
        return predicate(d)
    try:
        WebDriverWait(driver, TIMEOUT, poll_frequency=0.05).until(check)
    except TimeoutException:
        fail(f"timed out waiting for {description} (status: {driver.find_element(By.ID, 'status').text!r})")
    except RuntimeError as error:
        fail(f"page error while waiting for {description}: {error}")


def changed_pixels(driver):
    """Canvas pixels that differ from the plain image: the overlay and the click dots."""
    return driver.execute_script("""
        const canvas = document.getElementById("canvas");
        const plain = document.createElement("canvas");
        plain.width = canvas.width; plain.height = canvas.height;
        const p = plain.getContext("2d");
        p.drawImage(window.seerLabel.image.element, 0, 0);
        const a = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        const b = p.getImageData(0, 0, canvas.width, canvas.height).data;
        let changed = 0;
        for (let i = 0; i < a.length; i += 4) {
            if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
        }
        return changed;
    """)


def click_at(driver, canvas, x, y, kind):
    """Clicks image pixel (x, y): offsets are from the canvas's centre, in CSS pixels."""
    rect = driver.execute_script("""
        const c = arguments[0], r = c.getBoundingClientRect();
        return {left: r.left + c.clientLeft, top: r.top + c.clientTop, width: c.clientWidth, height: c.clientHeight,
                cx: (r.left + r.right) / 2, cy: (r.top + r.bottom) / 2, w: c.width, h: c.height};
    """, canvas)
    target_x = rect["left"] + (x + 0.5) * rect["width"] / rect["w"]
    target_y = rect["top"] + (y + 0.5) * rect["height"] / rect["h"]
    # WebDriver offsets are whole CSS pixels from the element's in-view centre, itself rounded
    # down; aiming at the pixel's centre and rounding down lands inside the pixel.
    dx = math.floor(target_x - math.floor(rect["cx"]))
    dy = math.floor(target_y - math.floor(rect["cy"]))
    actions = ActionChains(driver).move_to_element_with_offset(canvas, dx, dy)
    if kind == "click":
        actions.click()
    elif kind == "shift":
        actions.key_down(Keys.SHIFT).click().key_up(Keys.SHIFT)
    elif kind == "right":
        actions.context_click()
    else:
        fail(f"unknown click kind {kind!r}")
    actions.perform()


def segment_click(driver, canvas, x, y, kind):
    before = int(body_data(driver, "segments"))
    click_at(driver, canvas, x, y, kind)
    wait_for(driver, f"the mask after a {kind} at ({x}, {y})",
             lambda d: int(body_data(d, "segments")) > before and body_data(d, "state") == "mask")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server's base URL")
    parser.add_argument("--image", required=True)
    parser.add_argument("--clicks", required=True, help='JSON [[x, y, "click"|"shift"|"right"], …] in image pixels')
    parser.add_argument("--extra", help='JSON [x, y]: one more click, then Undo, which must restore the mask')
    parser.add_argument("--category", required=True)
    args = parser.parse_args()
    clicks = json.loads(args.clicks)

    with tempfile.TemporaryDirectory() as download_dir:
        driver = start_browser(download_dir)
        try:
            driver.get(args.url.rstrip("/") + "/label")
            if body_data(driver, "state") != "empty":
                fail("the page did not start in the empty state")
            driver.find_element(By.ID, "file").send_keys(os.path.abspath(args.image))
            wait_for(driver, "the embedding", lambda d: body_data(d, "state") == "ready")
            canvas = driver.find_element(By.ID, "canvas")
            if changed_pixels(driver) != 0:
                fail("the canvas differs from the image before any click")

            for x, y, kind in clicks:
                segment_click(driver, canvas, x, y, kind)
            changed = changed_pixels(driver)
            current = driver.execute_script("return JSON.stringify(window.seerLabel.current);")
            points = driver.execute_script("return window.seerLabel.points;")

            undo_restored = None
            if args.extra:
                x, y = json.loads(args.extra)
                segment_click(driver, canvas, x, y, "click")
                before = int(body_data(driver, "segments"))
                driver.find_element(By.ID, "undo").click()
                wait_for(driver, "the mask after Undo", lambda d: int(body_data(d, "segments")) > before)
                undo_restored = driver.execute_script("return JSON.stringify(window.seerLabel.current);") == current

            driver.find_element(By.ID, "category").send_keys(args.category)
            driver.find_element(By.ID, "accept").click()
            wait_for(driver, "the accepted annotation", lambda d: body_data(d, "state") == "accepted")
            driver.find_element(By.ID, "export-button").click()
            wait_for(driver, "the export", lambda d: body_data(d, "exported") == "1")
            coco = json.loads(driver.find_element(By.ID, "export").get_attribute("value"))
            print(json.dumps({
                "points": points, "coco": coco, "changed_pixels": changed, "undo_restored": undo_restored,
                "status": driver.find_element(By.ID, "status").text,
            }))
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
