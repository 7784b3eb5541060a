#!/usr/bin/env python3
"""Drives headless Chromium against a running Attend service (or scripts/page-harness.py) and checks the page.

Checks: the page loads without console errors; submitting the sentence renders layers x heads heatmaps for the
chosen model; clicking a token changes the head view's lines; the large view shows exact values on hover; the
rollout, entropy and similarity views render; a 128-token input renders without freezing; the service's error
message is shown as it is. Saves a screenshot of each view into the artifacts folder.

Usage: test_page.py --base-url http://127.0.0.1:PORT [--artifacts DIR] [--model NAME]
Needs Debian's chromium, chromium-driver and python3-selenium (scripts/test-page installs them).
"""
import argparse
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

SENTENCE = "The dog chased the ball because it was fast."
FAILURES = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        FAILURES.append(message)
    return condition


API_KEY = None


def http_json(base, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"}
    if API_KEY:
        headers["authorization"] = "Bearer " + API_KEY
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def model_shape(base, name):
    """(layers, heads) of a model from GET /models/{name} (or its /models entry), looking in common places."""
    def find(obj):
        if not isinstance(obj, dict):
            return None
        for key in ("architecture", "configuration", "config"):
            found = find(obj.get(key))
            if found:
                return found
        if isinstance(obj.get("layers"), int) and isinstance(obj.get("heads"), int):
            return obj["layers"], obj["heads"]
        return None

    status, info = http_json(base, "/models/" + urllib.request.quote(name))
    if status == 200 and find(info):
        return find(info)
    status, listing = http_json(base, "/models")
    items = listing if isinstance(listing, list) else (listing.get("models") or listing.get("data") or [])
    for item in items:
        if isinstance(item, dict) and (item.get("name") or item.get("id")) == name and find(item):
            return find(item)
    raise SystemExit(f"cannot find layers/heads of model {name!r} in GET /models")


FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TransformerTests", "Fixtures",
                       "analysis.json")


def check_browser_math(driver):
    """The page's own rollout/entropy (fallback) and cosine similarity (always) against the numpy fixture."""
    with open(FIXTURE) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        worst = driver.execute_script("""
            const c = arguments[0];
            const n = c.n;
            const maps = c.maps.map((flat) => Array.from({length: c.heads},
                (_, h) => Float32Array.from(flat.slice(h * n * n, (h + 1) * n * n))));
            const hidden = Array.from({length: n}, (_, i) => c.hidden.slice(i * c.d, (i + 1) * c.d));
            const diff = (a, b) => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k])), 0);
            const rollout = attendMath.rollout(maps, n).flat();
            const entropy = maps.map((layer) => layer.map((m) => attendMath.entropy(m, n)));
            const cosine = attendMath.cosine(hidden).flat();
            return [diff(rollout, c.rollout), diff(entropy.flat(), c.entropy.flat()), diff(cosine, c.cosine)];
        """, case)
        check(max(worst) < 1e-5, f"page math matches numpy for {case['name']}: max deviation {max(worst):.1e}")


def severe_logs(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def canvas_png(driver, element_id):
    return driver.execute_script(f"return document.getElementById('{element_id}').toDataURL('image/png');")


def blank_png(driver, element_id):
    return driver.execute_script(
        "const c = document.getElementById(arguments[0]); const b = document.createElement('canvas');"
        "b.width = c.width; b.height = c.height; return b.toDataURL('image/png');", element_id)


def wait_state(driver, timeout=180):
    WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in ("ready", "error"))
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-state")


def submit(driver, text):
    box = driver.find_element(By.ID, "text")
    box.clear()
    if text:
        driver.execute_script("arguments[0].value = arguments[1];", box, text)
    driver.execute_script("document.body.dataset.state = 'submitting';")
    started = time.monotonic()
    driver.find_element(By.ID, "run").click()
    state = wait_state(driver)
    return state, time.monotonic() - started


def tab(driver, view):
    driver.find_element(By.CSS_SELECTOR, f"#tabs [data-view='{view}']").click()
    section = driver.find_element(By.ID, "view-" + view)
    check(section.is_displayed(), f"{view} view is shown when its tab is clicked")
    return section


def shot(element, artifacts, name):
    path = os.path.join(artifacts, name)
    element.screenshot(path)
    print(f"     screenshot {path}", flush=True)


def hover_value(driver, canvas_id, output_id):
    canvas = driver.find_element(By.ID, canvas_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
    ActionChains(driver).move_to_element_with_offset(canvas, canvas.size["width"] // 4,
                                                     canvas.size["height"] // 4).perform()
    ActionChains(driver).move_by_offset(3, 3).perform()
    return driver.find_element(By.ID, output_id).text.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--model", default=None)
    parser.add_argument("--api-key", default=None, help="the service needs this key: check the page asks for it")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    global API_KEY
    API_KEY = args.api_key
    base = args.base_url.rstrip("/")
    os.makedirs(args.artifacts, exist_ok=True)

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--force-device-scale-factor=1", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    try:
        run(driver, base, args)
    finally:
        driver.quit()
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed:", *FAILURES, sep="\n  ")
        return 1
    print("\nall page checks passed")
    return 0


def run(driver, base, args):
    driver.get(base + "/")
    check(driver.title.startswith("Attend"), f"page loads (title {driver.title!r})")
    check_browser_math(driver)
    if args.api_key:
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "key-row").is_displayed())
        shown = driver.find_element(By.ID, "error").text
        check("401" in shown, f"without a key the page shows the service's 401 and asks for one: {shown!r}")
        key = driver.find_element(By.ID, "api-key")
        key.send_keys(args.api_key)
        driver.find_element(By.ID, "text").click()  # blur: 'change' reloads the models with the key
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "model").get_attribute("value") != "")
        check(not driver.find_element(By.ID, "error").is_displayed(), "with the key the models load")
        driver.get_log("browser")  # drop the expected 'Failed to load resource: 401' entry
    WebDriverWait(driver, 30).until(
        lambda d: not d.find_element(By.ID, "model").text.startswith("(loading"))
    select = Select(driver.find_element(By.ID, "model"))
    names = [o.get_attribute("value") for o in select.options]
    check(bool(names) and names[0] != "", f"model picker lists models from GET /models: {names}")
    model = args.model or names[0]
    if args.model:
        select.select_by_value(args.model)
    layers, heads = model_shape(base, model)
    print(f"     model {model!r}: {layers} layers x {heads} heads", flush=True)
    check(driver.find_element(By.ID, "text").get_attribute("value") == SENTENCE, "default sentence is in the box")

    state, seconds = submit(driver, SENTENCE)
    check(state == "ready", f"submitting the sentence renders (state {state}, {seconds:.2f} s)")
    print("     status:", driver.find_element(By.ID, "status").text, flush=True)
    if state != "ready":
        print("     error shown:", driver.find_element(By.ID, "error").text)
        return
    shot(driver.find_element(By.TAG_NAME, "main"), args.artifacts, "page-overview.png")
    tokens = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#tokens .chip")]
    check(len(tokens) > 2, f"tokens are shown: {' '.join(tokens)}")
    heatmaps = driver.find_elements(By.CSS_SELECTOR, "#model-grid canvas.heatmap")
    check(len(heatmaps) == layers * heads, f"{len(heatmaps)} heatmaps rendered == {layers} x {heads}")

    # Head view: clicking a token changes the lines.
    section = tab(driver, "head")
    toggles = driver.find_elements(By.CSS_SELECTOR, "#head-toggles input[type=checkbox]")
    check(len(toggles) == heads, f"{len(toggles)} head toggles == {heads} heads")
    before = canvas_png(driver, "head-canvas")
    check(before != blank_png(driver, "head-canvas"), "head view draws lines")
    shot(section, args.artifacts, "page-head.png")
    left = driver.find_elements(By.CSS_SELECTOR, "#head-left button.tok")
    target = next((b for b in left if b.text.strip().lower() == "it"), left[min(1, len(left) - 1)])
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    target.click()
    after = canvas_png(driver, "head-canvas")
    check(after != before, f"clicking token {target.text!r} changes the head view's lines")
    check("selected" in target.get_attribute("class"), "the clicked token is marked selected")
    shot(section, args.artifacts, "page-head-selected.png")
    toggles[0].click()
    check(canvas_png(driver, "head-canvas") != after, "switching a head off changes the lines")
    toggles[0].click()
    if layers > 1:
        Select(driver.find_element(By.ID, "layer")).select_by_index(layers - 1)
        check(canvas_png(driver, "head-canvas") != after, "choosing another layer changes the lines")

    # Model view and the large view.
    section = tab(driver, "model")
    shot(section, args.artifacts, "page-model.png")
    heatmaps = driver.find_elements(By.CSS_SELECTOR, "#model-grid canvas.heatmap")
    heatmaps[min(1, len(heatmaps) - 1)].click()
    dialog = driver.find_element(By.ID, "zoom")
    check(dialog.get_attribute("open") is not None, "clicking a heatmap opens the large view")
    value = hover_value(driver, "zoom-canvas", "zoom-value")
    check("→" in value and any(c.isdigit() for c in value), f"hovering the large view shows the value: {value!r}")
    shot(dialog, args.artifacts, "page-zoom.png")
    driver.find_element(By.ID, "zoom-close").click()

    for view, canvas_id, output_id in (("rollout", "rollout-canvas", "rollout-value"),
                                       ("entropy", "entropy-canvas", "entropy-value"),
                                       ("similarity", "similarity-canvas", "similarity-value")):
        section = tab(driver, view)
        canvas = driver.find_element(By.ID, canvas_id)
        drawn = canvas.size["width"] > 50 and canvas_png(driver, canvas_id) != blank_png(driver, canvas_id)
        check(drawn, f"{view} view renders ({canvas.size['width']}x{canvas.size['height']} px)")
        value = hover_value(driver, canvas_id, output_id)
        check(any(c.isdigit() for c in value), f"hovering the {view} view shows a value: {value!r}")
        source = section.find_element(By.CSS_SELECTOR, ".source").text
        if view == "similarity":
            print(f"     {view}: {source}", flush=True)
        else:
            check(source == "Computed by the service.", f"{view} comes from the service's analysis: {source!r}")
        shot(section, args.artifacts, f"page-{view}.png")

    errors = severe_logs(driver)
    check(not errors, f"console has no errors: {errors}")

    # 128 tokens: renders without freezing.
    long_text = " ".join(["the dog chased the ball"] * 25)  # 125 words + [CLS] + [SEP]
    status, expected = http_json(base, "/attend", {"text": long_text, "model": model, "attentions": False})
    if status == 200:
        n = len(expected["results"][0]["tokens"])
        driver.execute_script(
            "window.__longTasks = [];"
            "new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })"
            ".observe({entryTypes: ['longtask']});")
        state, seconds = submit(driver, long_text)
        check(state == "ready" and seconds < 60, f"{n} tokens render in {seconds:.2f} s")
        print("     status:", driver.find_element(By.ID, "status").text, flush=True)
        longest = driver.execute_script("return Math.max(0, ...window.__longTasks);")
        check(longest < 1000, f"the longest main-thread task while rendering {n} tokens took {longest:.0f} ms")
        count = len(driver.find_elements(By.CSS_SELECTOR, "#model-grid canvas.heatmap"))
        check(count == layers * heads, f"{count} heatmaps for {n} tokens")
        started = time.monotonic()
        driver.execute_script("return 1;")
        check(time.monotonic() - started < 1, "the page answers scripts right after rendering (not frozen)")
        shot(tab(driver, "model"), args.artifacts, "page-model-128.png")
        shot(tab(driver, "rollout"), args.artifacts, "page-rollout-128.png")
        errors = severe_logs(driver)
        check(not errors, f"console has no errors after the long input: {errors}")
    else:
        print(f"     skipping the 128-token check: the service answered {status} {expected}")

    # Errors are shown as the service words them.
    status, body = http_json(base, "/attend", {"text": "", "model": model, "attentions": True, "analysis": True})
    message = body["error"]["message"] if isinstance(body, dict) and "error" in body else None
    check(status >= 400 and message, f"the service rejects an empty text with {status}: {message!r}")
    state, _ = submit(driver, "")
    shown = driver.find_element(By.ID, "error-message").text
    check(state == "error" and shown == message, f"the page shows the service's message as it is: {shown!r}")
    shot(driver.find_element(By.TAG_NAME, "main"), args.artifacts, "page-error.png")
    errors = [e for e in severe_logs(driver) if "Failed to load resource" not in e.get("message", "")]
    check(not errors, f"console has no errors besides the failed request: {errors}")


if __name__ == "__main__":
    sys.exit(main())
