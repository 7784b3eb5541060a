#!/usr/bin/env python3
"""Drives headless Chromium against a running Attend service (or scripts/page-harness.py) and checks the page.

Checks: the page loads without console errors; it marks a model with random (seeded) weights next to the picker
and prefers a real model; submitting the sentence renders layers x heads heatmaps for the chosen model; the heatmap
view's hover readout equals the service's weight; clicking a token changes the head view's lines; the large view
shows exact values on hover; the rollout, entropy and similarity views render; a 128-token input renders without
freezing; a ~512-token input (the model's maximum) renders from the binary answer: the canvas is drawn, the hover
readout equals the weight in the service's safetensors answer, selecting a row fetches its exact float32 values
("rows") and draws the arc view, with no console errors (time to render is printed, not asserted); the service's
error message is shown as it is; a causal model shows its family and a causal badge, and its maps are drawn
triangular (the upper triangle hatched as masked, hover "masked (causal)", no future arcs). Saves a screenshot of
each view into the artifacts folder.

Usage: test_page.py --base-url http://127.0.0.1:PORT [--artifacts DIR] [--model NAME]
Needs Debian's chromium, chromium-driver and python3-selenium (scripts/test-page installs them).
"""
import argparse
import base64
import json
import os
import struct
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
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def http_safetensors(base, body):
    """POST /attend asking for the binary answer; returns {name: (dtype, shape, list of floats)} and metadata."""
    headers = {"content-type": "application/json", "accept": "application/vnd.safetensors"}
    if API_KEY:
        headers["authorization"] = "Bearer " + API_KEY
    request = urllib.request.Request(base + "/attend", data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=600) as response:
        data = response.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[8 + length + begin:8 + length + end]
        if info["dtype"] == "F32":
            values = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        elif info["dtype"] == "F16":
            values = list(struct.unpack(f"<{len(raw) // 2}e", raw))
        else:
            continue
        tensors[name] = (info["dtype"], info["shape"], values)
    return tensors, header.get("__metadata__", {})


def readout(driver, output_id):
    """The hovered cell of a heatmap as the page reports it: (row, col, value, text)."""
    output = driver.find_element(By.ID, output_id)
    row, col, value = (output.get_attribute("data-" + k) for k in ("row", "col", "value"))
    if row is None or col is None or value is None:
        return None
    return int(row), int(col), float(value), output.text.strip()


def drawn_pixels(driver, element_id):
    """How many pixels of a canvas are neither transparent nor white."""
    return driver.execute_script("""
        const c = document.getElementById(arguments[0]);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let count = 0;
        for (let k = 0; k < d.length; k += 4) {
            if (d[k + 3] > 0 && (d[k] < 245 || d[k + 1] < 245 || d[k + 2] < 245)) count++;
        }
        return count;""", element_id)


def attend_requests(driver):
    return driver.execute_script(
        "return performance.getEntriesByType('resource').filter((e) => /\\/attend$/.test(e.name)).length;")


def hover_at(driver, canvas_id, fx, fy):
    """Moves the mouse to a fraction (fx, fy) of the canvas's map area (right/below its label margins)."""
    canvas = driver.find_element(By.ID, canvas_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
    w, h = canvas.size["width"], canvas.size["height"]
    # The map fills the lower right; the margins are at most ~120 px.
    x = int(w - (w - 120) * (1 - fx)) - w // 2
    y = int(h - (h - 120) * (1 - fy)) - h // 2
    ActionChains(driver).move_to_element_with_offset(canvas, x, y).perform()
    ActionChains(driver).move_by_offset(1, 1).perform()
    return canvas


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


def wait_state(driver, timeout=600):
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
    parser.add_argument("--harness", action="store_true", help="the page is served by scripts/page-harness.py")
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
    status, listing = http_json(base, "/models")
    entries = {m["name"]: m for m in listing.get("models", [])} if status == 200 else {}
    chosen = select.first_selected_option.get_attribute("value")
    real = [name for name, m in entries.items() if m.get("ready") and m.get("random_weights") is False]
    check(not real or chosen in real, f"the page selects a real model by default when one is loaded: {chosen!r}")
    for name, m in entries.items():
        check("random_weights" in m or not m.get("ready"), f"GET /models says whether {name!r} has random weights")
    model = args.model or chosen
    if args.model:
        select.select_by_value(args.model)
    note = driver.find_element(By.ID, "model-note")
    random = bool(entries.get(model, {}).get("random_weights"))
    check(note.is_displayed() == random,
          f"the random-weights notice is {'shown' if random else 'hidden'} for {model!r}: {note.text!r}")
    if random:
        check("random weights" in note.text and "not language" in note.text, f"the notice says so: {note.text!r}")
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

    # Heatmap view: hovering a cell reads out its tokens and the service's weight.
    section = tab(driver, "map")
    check(drawn_pixels(driver, "map-canvas") > 100, "the heatmap view draws the map on its canvas")
    layer_index = int(driver.find_element(By.ID, "map-layer").get_attribute("value"))
    head_index = int(driver.find_element(By.ID, "map-head").get_attribute("value"))
    status, answer = http_json(base, "/attend", {"text": SENTENCE, "model": model})
    hover_at(driver, "map-canvas", 0.6, 0.3)
    cell = readout(driver, "map-value")
    if check(cell is not None and status == 200, f"hovering the heatmap shows a cell: {cell}"):
        i, j, value, text = cell
        expected = answer["results"][0]["attentions"][layer_index][head_index][i][j]
        tokens = answer["results"][0]["tokens"]
        check(abs(value - expected) <= 1e-7 and tokens[i] in text and tokens[j] in text and "→" in text,
              f"the readout {text!r} is the service's weight {expected} of {tokens[i]!r} → {tokens[j]!r}")
    shot(section, args.artifacts, "page-heatmap.png")

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

    if args.harness:
        # The numpy harness answers neither "contributions" nor /similarity: those views need the service.
        print("     contributions, occlusion and compare views: skipped (the harness computes none)", flush=True)
    else:
        check_contributions(driver, base, args, model)
        check_compare(driver, base, args, model)
        check_occlusion(driver, base, args, model)
        check_roles_and_predictions(driver, base, args, model)
        check_probes(driver, base, args, model)

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

    check_long_input(driver, base, args, model)
    check_view_errors(driver, base, args, model)
    check_causal(driver, base, args, model)

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


def map_cells(driver, canvas_id):
    """Per cell (i, j) of a drawn n×n map: whether its centre pixel is the masked hatching (grey: r = g = b < 250;
    no colour of the page's blue scale is a grey but white)."""
    return driver.execute_script("""
        const c = document.getElementById(arguments[0]);
        if (!c.dataset.map) return null;
        const [x0, y0, w, h, rows, cols] = JSON.parse(c.dataset.map);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const grey = [];
        for (let i = 0; i < rows; i++) {
            const row = [];
            for (let j = 0; j < cols; j++) {
                const x = Math.floor(x0 + (j + 0.5) * w / cols), y = Math.floor(y0 + (i + 0.5) * h / rows);
                const k = 4 * (y * c.width + x);
                row.push(d[k] === d[k + 1] && d[k + 1] === d[k + 2] && d[k] < 250);
            }
            grey.push(row);
        }
        return grey;""", canvas_id)


def check_causal(driver, base, args, model):
    """A causal model (GET /models "causal": true): the picker shows its family and a causal badge; its maps are
    lower-triangular in the service's answer and drawn so: every cell above the diagonal hatched as masked, none
    on or below it, in the heatmap and the thumbnails; hovering above the diagonal says "masked (causal)"; a
    selected row's arc view shows no key after the query."""
    status, listing = http_json(base, "/models")
    models = [m for m in listing.get("models", []) if m.get("ready")] if status == 200 else []
    check(all(isinstance(m.get("family"), str) and isinstance(m.get("causal"), bool) for m in models),
          f"GET /models gives every model's family and causality: "
          + ", ".join(f"{m['name']}={m.get('family')}/{m.get('causal')}" for m in models))
    causal = [m for m in models if m.get("causal")]
    if not causal:
        print("     no causal model loaded (scripts/test-page serves config/test-page.json): causal view skipped")
        return
    name = causal[0]["name"]
    # Drop what earlier checks left on the console (check_view_errors' expected 422), then check this view's.
    driver.get_log("browser")
    Select(driver.find_element(By.ID, "model")).select_by_value(name)
    badge = driver.find_element(By.ID, "model-causal")
    family = driver.find_element(By.ID, "model-family")
    check(badge.is_displayed() and family.is_displayed() and family.text == causal[0]["family"],
          f"the picker shows {name!r}'s family {family.text!r} and the causal badge")
    text = "the dog chased the ball because it was fast"
    # From the heatmap view: the view left open before (contributions) would ask this pre-LN model for its 422.
    section = tab(driver, "map")
    state, _ = submit(driver, text)
    if not check(state == "ready", f"the causal model {name!r} renders (state {state})"):
        return
    status, answer = http_json(base, "/attend", {"text": text, "model": name})
    maps = answer["results"][0]["attentions"] if status == 200 else []
    upper = max((abs(row[j]) for layer in maps for head in layer for i, row in enumerate(head)
                 for j in range(i + 1, len(row))), default=None)
    check(upper == 0, f"the service's maps of {name!r} are lower-triangular (largest weight above the diagonal "
          f"{upper})")
    section = tab(driver, "map")
    grey = map_cells(driver, "map-canvas")
    if check(grey is not None and len(grey) > 2, f"the causal heatmap is drawn ({len(grey or [])} rows)"):
        n = len(grey)
        wrong = [(i, j) for i in range(n) for j in range(n) if grey[i][j] != (j > i)]
        check(not wrong, f"the {n}x{n} heatmap is triangular: the {n * (n - 1) // 2} cells above the diagonal "
              f"are hatched as masked, none on or below it (wrong: {wrong[:5]})")
        masked = driver.find_element(By.ID, "map-canvas").get_attribute("data-masked")
        check(masked == "causal", f"the heatmap says its upper triangle is masked: {masked!r}")
    hover_at(driver, "map-canvas", 0.95, 0.05)
    cell = readout(driver, "map-value")
    check(cell is not None and cell[1] > cell[0] and "masked (causal)" in cell[3],
          f"hovering above the diagonal reads out a masked cell: {cell and cell[3]!r}")
    hover_at(driver, "map-canvas", 0.3, 0.8)
    cell = readout(driver, "map-value")
    check(cell is not None and cell[1] <= cell[0] and "masked" not in cell[3],
          f"hovering on or below the diagonal reads out a weight: {cell and cell[3]!r}")
    ActionChains(driver).click().perform()  # selects the hovered row
    if cell is not None:
        i = cell[0]
        top = json.loads(driver.find_element(By.ID, "arc-canvas").get_attribute("data-top") or "[]")
        masked = driver.find_element(By.ID, "arc-canvas").get_attribute("data-masked")
        check(top and all(j <= i for j, _ in top) and masked == str(len(grey or []) - 1 - i),
              f"the arc view of row {i} draws no future keys: top {top[:3]}, {masked} keys masked")
    shot(section, args.artifacts, "page-heatmap-causal.png")
    tab(driver, "model")
    corner = driver.execute_script("""
        const c = document.querySelector('#model-grid canvas.heatmap');
        const d = c.getContext('2d').getImageData(c.width - 1, 0, 1, 1).data;
        return [d[0], d[1], d[2]];""")
    check(corner[0] == corner[1] == corner[2] and corner[0] < 250,
          f"the model view's thumbnails hatch the masked corner too: rgb{tuple(corner)}")
    shot(driver.find_element(By.ID, "view-model"), args.artifacts, "page-model-causal.png")
    errors = severe_logs(driver)
    check(not errors, f"console has no errors after the causal model: {errors}")
    Select(driver.find_element(By.ID, "model")).select_by_value(model)
    check(not driver.find_element(By.ID, "model-causal").is_displayed() or any(
        m["name"] == model and m.get("causal") for m in models), f"the causal badge goes away for {model!r}")
    submit(driver, SENTENCE)


def wait_section(driver, section_id, states, timeout=600):
    WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.find_element(By.ID, section_id).get_attribute("data-state") in states)
    return driver.find_element(By.ID, section_id).get_attribute("data-state")


def check_contributions(driver, base, args, model):
    """The contributions view: per measure, one layer and the rollout drawn, the hover readout is the service's
    value, a clicked row draws the arc view; a pre-LN model's 422 is shown as the service words it."""
    section = tab(driver, "contributions")
    for measure in ("alti", "norm"):
        Select(driver.find_element(By.ID, "contrib-measure")).select_by_value(measure)
        state = wait_section(driver, "view-contributions", ("ready", "error"))
        if not check(state == "ready", f"the {measure} contributions render (state {state}): "
                     + driver.find_element(By.ID, "contrib-error").text):
            return
        status, answer = http_json(base, "/attend", {"text": SENTENCE, "model": model, "attentions": False,
                                                     "contributions": [measure], "contribution_rollout": True})
        if not check(status == 200, f"the service answers {measure} contributions ({status})"):
            return
        entry = answer["results"][0]["contributions"][measure]
        tokens = answer["results"][0]["tokens"]
        last = str(len(entry["layers"]) - 1)
        for choice in ("rollout", last):
            Select(driver.find_element(By.ID, "contrib-layer")).select_by_value(choice)
            check(drawn_pixels(driver, "contrib-canvas") > 100, f"{measure}, {choice}: the heatmap is drawn")
            hover_at(driver, "contrib-canvas", 0.6, 0.3)
            cell = readout(driver, "contrib-value")
            if check(cell is not None, f"{measure}, {choice}: hovering shows a cell: {cell}"):
                i, j, value, text = cell
                matrix = entry["rollout"] if choice == "rollout" else entry["layers"][int(choice)]
                expected = matrix[i][j]
                check(abs(value - expected) <= 1e-7 * max(1, abs(expected)) and tokens[i] in text
                      and tokens[j] in text and "output" in text and "input" in text,
                      f"{measure}, {choice}: the readout {text!r} is the service's value {expected}")
        ActionChains(driver).click().perform()  # the hovered cell's row
        check(drawn_pixels(driver, "contrib-arc") > 200 and tokens[i] in driver.find_element(
            By.ID, "contrib-arc-title").text, f"{measure}: clicking row {i} draws its arc view")
        top = json.loads(driver.find_element(By.ID, "contrib-arc").get_attribute("data-top") or "[]")
        row = entry["layers"][int(last)][i]
        check(top and all(abs(row[k] - v) <= 1e-7 * max(1, abs(row[k])) for k, v in top),
              f"{measure}: the arc view's largest inputs are the service's row: {top[:3]}")
        shot(section, args.artifacts, f"page-contributions-{measure}.png")


# ---- occlusion view ----
def check_occlusion(driver, base, args, model):
    """The occlusion view: a row per token with the service's importance and attributions as bars, [CLS]/[SEP]
    without importance, and the Spearman figures as the service computes them."""
    section = tab(driver, "occlusion")
    state = wait_section(driver, "view-occlusion", ("ready", "error"))
    if not check(state == "ready", f"the occlusion view renders (state {state}): "
                 + driver.find_element(By.ID, "occl-error").text):
        return
    body = {"text": SENTENCE, "model": model, "attentions": False, "analysis": True, "occlusion": True,
            "contributions": ["alti", "globenc", "norm"]}
    status, answer = http_json(base, "/attend", body)
    if status == 422:
        del body["contributions"]
        status, answer = http_json(base, "/attend", body)
    if not check(status == 200, f"the service answers occlusion ({status})"):
        return
    o = answer["results"][0]["occlusion"]
    tokens = answer["results"][0]["tokens"]
    rows = driver.find_elements(By.CSS_SELECTOR, "#occl-table tr")
    check(len(rows) == len(tokens) + 1, f"one row per token ({len(rows) - 1} of {len(tokens)})")
    for i, row in enumerate(rows[1:]):
        cells = row.find_elements(By.TAG_NAME, "td")
        want = o["importance"][i]
        shown = cells[0].get_attribute("data-value")
        if want is None:
            check(shown is None, f"token {i} ({tokens[i]}) is not occluded: no importance bar")
        else:
            check(shown is not None and abs(float(shown) - want) <= 1e-7 * max(1, abs(want)),
                  f"token {i} ({tokens[i]}): the bar is the service's importance {want} ({shown})")
        for k, name in enumerate(o["attributions"]):
            value = float(cells[k + 1].get_attribute("data-value"))
            expected = o["attributions"][name][i]
            if abs(value - expected) > 1e-7 * max(1, abs(expected)):
                check(False, f"token {i}: the {name} bar is the service's value {expected} ({value})")
    items = driver.find_elements(By.CSS_SELECTOR, "#occl-spearman li")
    shown = {li.get_attribute("data-name"): li.get_attribute("data-value") for li in items}
    for name, rho in o["spearman"].items():
        check(name in shown and (rho is None and shown[name] == "" or rho is not None and shown[name]
                                 and abs(float(shown[name]) - rho) <= 1e-7),
              f"the Spearman figure of {name} is the service's: {rho} ({shown.get(name)})")
    print("     occlusion:", section.find_element(By.CSS_SELECTOR, ".source").text, flush=True)
    shot(section, args.artifacts, "page-occlusion.png")
# ---- end of occlusion view ----
# ---- probes view ----
def check_probes(driver, base, args, model):
    """The probes view: a clicked token masked through the popover, one head unticked, the probe run; the pooled
    cosine shown is the service's for the same probe, the token shows [MASK], and a map is drawn."""
    section = tab(driver, "probes")
    tokens = driver.find_elements(By.CSS_SELECTOR, "#probe-tokens button.tok")
    if not check(len(tokens) > 3, f"the probes view lists the tokens ({len(tokens)})"):
        return
    index = min(5, len(tokens) - 2)
    tokens[index].click()
    popover = driver.find_element(By.ID, "probe-popover")
    check(popover.is_displayed(), "clicking a token opens the edit popover")
    popover.find_element(By.CSS_SELECTOR, "button[data-action='mask']").click()
    shown = driver.find_elements(By.CSS_SELECTOR, "#probe-tokens button.tok")[index].text
    check(shown == "[MASK]", f"the masked token shows [MASK] ({shown})")
    boxes = driver.find_elements(By.CSS_SELECTOR, "#probe-heads input[type=checkbox]")
    if not check(len(boxes) > 0, "the probes view has a checkbox per head"):
        return
    layer, head = (int(x) for x in boxes[0].get_attribute("data-probe-head").split(":"))
    boxes[0].click()
    driver.find_element(By.ID, "probe-run").click()
    state = wait_section(driver, "view-probes", ("ready", "error"))
    if not check(state == "ready", f"the probe runs (state {state}): "
                 + driver.find_element(By.ID, "probe-error").text):
        return
    text = driver.find_element(By.ID, "text").get_attribute("value")
    status, answer = http_json(base, "/attend", {"text": text, "model": model, "attentions": False,
                                                 "probes": [{"mask": [index], "ablate": [[layer, head]]}]})
    if not check(status == 200, f"the service answers the probe ({status})"):
        return
    want = answer["results"][0]["probes"][0]["diff"]["pooled_cosine"]
    got = driver.find_element(By.ID, "probe-cosine").text
    check(want is not None and got and abs(float(got) - want) <= 1e-6 * max(1, abs(want)),
          f"the page's pooled cosine is the service's for mask [{index}] + ablate [{layer}, {head}]: {want} ({got})")
    canvas = driver.find_element(By.ID, "probe-canvas")
    check(int(canvas.get_attribute("width") or 0) > 0, "the probe's map is drawn")
    print("     probes: cosine", got, flush=True)
    shot(section, args.artifacts, "page-probes.png")
# ---- end of probes view ----


def check_roles_and_predictions(driver, base, args, model):
    """The head-roles view: one cell per layer and head, tagged as the service's batch means; the predict view:
    clicking a token masks it and shows the top-k plus one row per hidden state, or the service's 422 for a model
    without an MLM head."""
    section = tab(driver, "roles")
    state = wait_section(driver, "view-roles", ("ready", "error"))
    if check(state == "ready", f"the head roles render (state {state}): "
             + driver.find_element(By.ID, "roles-error").text):
        text = driver.find_element(By.ID, "text").get_attribute("value")
        status, answer = http_json(base, "/attend", {"text": text, "model": model, "attentions": False,
                                                     "analysis": ["heads"]})
        if check(status == 200, f"the service answers head roles ({status})"):
            tags = [t or "" for row in answer["head_roles"]["tag"] for t in row]
            cells = driver.find_elements(By.CSS_SELECTOR, "#roles-table td.role")
            check([c.get_attribute("data-tag") for c in cells] == tags,
                  f"{len(cells)} role cells carry the service's tags")
            check(all("entropy:" in (c.get_attribute("title") or "") for c in cells), "every cell has its values")
        shot(section, args.artifacts, "page-roles.png")
    section = tab(driver, "predict")
    buttons = driver.find_elements(By.CSS_SELECTOR, "#predict-tokens button.tok")
    if not check(len(buttons) > 2, f"the predict view lists the tokens ({len(buttons)})"):
        return
    buttons[1].click()
    state = wait_section(driver, "view-predict", ("ready", "error"))
    _, models = http_json(base, "/models")
    info = next((m for m in models.get("models", []) if m.get("name") == model), {}) if model else \
        (models.get("models") or [{}])[0]
    if info.get("mlm_head"):
        rows = driver.find_elements(By.CSS_SELECTOR, "#predict-table tr")
        layers = info.get("architecture", {}).get("layers", 0)
        check(state == "ready" and len(rows) == layers + 2, f"predictions: top-k and {len(rows) - 1} lens rows")
    else:
        shown = driver.find_element(By.ID, "predict-error").text
        check(state == "error" and "no_mlm_head" in shown, f"a model without an MLM head says so: {shown!r}")
        # The refused request is the one expected console entry; anything else still fails the next check.
        others = [e for e in severe_logs(driver) if "status of 422" not in e.get("message", "")]
        check(not others, f"console has no errors besides the refused prediction: {others}")
    shot(section, args.artifacts, "page-predict.png")


def check_compare(driver, base, args, model):
    """Compare two texts: the cosine, both matrices drawn with hover values equal to POST /similarity's, and
    the per-layer chart."""
    section = tab(driver, "compare")
    a, b = "The dog chased the ball.", "A puppy ran after a red toy."
    for element_id, text in (("compare-a", a), ("compare-b", b)):
        box = driver.find_element(By.ID, element_id)
        box.clear()
        box.send_keys(text)
    for measure in ("attention_rollout", "alti"):
        Select(driver.find_element(By.ID, "compare-measure")).select_by_value(measure)
        driver.execute_script("document.getElementById('view-compare').dataset.state = 'submitting';")
        driver.find_element(By.ID, "compare-run").click()
        state = wait_section(driver, "view-compare", ("ready", "error"))
        if not check(state == "ready", f"compare ({measure}) renders (state {state}): "
                     + driver.find_element(By.ID, "compare-error").text):
            return
        status, answer = http_json(base, "/similarity", {"a": a, "b": b, "model": model, "explain": True,
                                                         "per_layer": True, "measure": measure})
        if not check(status == 200, f"the service answers /similarity ({status})"):
            return
        result = answer["results"][0]
        shown = float(driver.find_element(By.ID, "compare-cosine").text)
        check(abs(shown - result["cosine"]) <= 1e-7, f"the page shows the cosine {shown} == {result['cosine']}")
        a_tokens, b_tokens = answer["a"]["tokens"], result["b"]["tokens"]
        for canvas_id, output_id, key in (("compare-matrix", "compare-matrix-value", "matrix"),
                                          ("compare-input", "compare-input-value", "input_matrix")):
            check(drawn_pixels(driver, canvas_id) > 100, f"{measure}: the {key} heatmap is drawn")
            hover_at(driver, canvas_id, 0.5, 0.5)
            cell = readout(driver, output_id)
            if check(cell is not None, f"{measure}: hovering the {key} shows a cell: {cell}"):
                i, j, value, text = cell
                expected = result[key][i][j]
                check(abs(value - expected) <= 1e-7 * max(1, abs(expected)) and a_tokens[i] in text
                      and b_tokens[j] in text,
                      f"{measure}: the {key} readout {text!r} is the service's {expected}")
        check(drawn_pixels(driver, "compare-layers") > 200, f"{measure}: the per-layer chart is drawn")
        canvas = driver.find_element(By.ID, "compare-layers")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
        ActionChains(driver).move_to_element(canvas).perform()
        output = driver.find_element(By.ID, "compare-layers-value")
        layer, value = output.get_attribute("data-layer"), output.get_attribute("data-value")
        check(layer is not None and abs(float(value) - result["per_layer"][int(layer)]) <= 1e-7,
              f"{measure}: hovering the chart shows the service's per-layer cosine: {output.text!r}")
        shot(section, args.artifacts, f"page-compare-{measure}.png")


def check_view_errors(driver, base, args, model):
    """The new views show the service's errors as it words them (these requests fail on purpose)."""
    section = tab(driver, "compare")
    b = "A puppy ran after a red toy."
    # The service's error, worded as it is.
    box = driver.find_element(By.ID, "compare-a")
    box.clear()
    driver.find_element(By.ID, "compare-run").click()
    state = wait_section(driver, "view-compare", ("error",), timeout=60)
    status, body = http_json(base, "/similarity", {"a": "", "b": b, "model": model, "explain": True,
                                                   "per_layer": True, "measure": "alti"})
    message = body.get("error", {}).get("message", "") if isinstance(body, dict) else ""
    shown = driver.find_element(By.ID, "compare-error").text
    check(status >= 400 and message and message in shown, f"an empty text a shows the service's {status}: {shown!r}")
    # A pre-LN model answers contributions with a 422; the view shows its message.
    status, listing = http_json(base, "/models")
    pre = [m["name"] for m in listing.get("models", []) if m.get("ready")
           and m.get("architecture", {}).get("norm_placement") == "pre"]
    if not pre:
        print("     no pre-LN model loaded: the 422 message is checked only with such a model")
        return
    status, body = http_json(base, "/attend", {"text": SENTENCE, "model": pre[0], "attentions": False,
                                               "contributions": ["alti"]})
    message = body.get("error", {}).get("message", "") if isinstance(body, dict) else ""
    check(status == 422 and message, f"the pre-LN model {pre[0]!r} refuses contributions: {status} {message!r}")
    Select(driver.find_element(By.ID, "model")).select_by_value(pre[0])
    state, _ = submit(driver, SENTENCE)
    tab(driver, "contributions")
    Select(driver.find_element(By.ID, "contrib-measure")).select_by_value("alti")
    state = wait_section(driver, "view-contributions", ("ready", "error"))
    shown = driver.find_element(By.ID, "contrib-error").text
    check(state == "error" and message in shown and "422" in shown, f"the view shows the 422: {shown!r}")
    Select(driver.find_element(By.ID, "model")).select_by_value(model)
    submit(driver, SENTENCE)


def long_text(base, model, target):
    """A text the tokenizer turns into about `target` tokens (specials included), found with POST /tokenize."""
    words = "the dog chased the ball because it was fast and the cat watched it from the garden".split()
    count = target
    text = ""
    n = None
    for _ in range(12):  # bounded: a handful of corrections converge
        text = " ".join(words[k % len(words)] for k in range(max(1, count)))
        status, body = http_json(base, "/tokenize", {"text": text, "model": model})
        if status == 422:  # too long for the model: shrink
            count = count * 9 // 10
            continue
        if status != 200:
            return text, None
        n = len(body["results"][0]["tokens"])
        if target - 4 <= n <= target:
            return text, n
        count = max(1, int((target - 3) * count / max(1, n - 2)))
    return text, n


def check_long_input(driver, base, args, model):
    """The model's longest input (up to 512 tokens) renders from the binary answer; rows on demand."""
    status, info = http_json(base, "/models/" + urllib.request.quote(model))
    longest = min(512, info.get("max_length", 512)) if status == 200 else 512
    text, n = long_text(base, model, longest)
    if n is None:
        print(f"     skipping the {longest}-token check: /tokenize refused the text")
        return
    driver.execute_script(
        "window.__longTasks = [];"
        "new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })"
        ".observe({entryTypes: ['longtask']});")
    driver.execute_script("window.attendTimings = null;")
    state, seconds = submit(driver, text)
    if not check(state == "ready", f"{n} tokens render (state {state}, {seconds:.2f} s)"):
        print("     error shown:", driver.find_element(By.ID, "error").text)
        return
    timings = driver.execute_script("return window.attendTimings;") or {}
    longest_task = driver.execute_script("return Math.max(0, ...window.__longTasks);")
    print(f"     time to render {n} tokens: {seconds:.2f} s in all; service (with transfer) "
          f"{timings.get('service', 0):.0f} ms, drawing {timings.get('drawing', 0):.0f} ms; "
          f"{timings.get('transfer')} {timings.get('bytes', 0) / 1e6:.1f} MB; longest main-thread task "
          f"{longest_task:.0f} ms", flush=True)
    print("     status:", driver.find_element(By.ID, "status").text, flush=True)
    check(str(timings.get("transfer", "")).startswith("binary"), f"the maps came in binary: {timings.get('transfer')}")
    section = tab(driver, "map")
    pixels = drawn_pixels(driver, "map-canvas")
    check(pixels > 10000, f"the {n}x{n} heatmap is drawn on its canvas ({pixels} coloured pixels)")
    layer_index = int(driver.find_element(By.ID, "map-layer").get_attribute("value"))
    head_index = int(driver.find_element(By.ID, "map-head").get_attribute("value"))
    layer = layer_index  # the page lists every layer, so its index is the layer's number
    dtype = "float16" if "float16" in timings.get("transfer", "") else "float32"
    hover_at(driver, "map-canvas", 0.55, 0.45)
    cell = readout(driver, "map-value")
    if not check(cell is not None, f"hovering the {n}-token heatmap shows a cell: {cell and cell[3]!r}"):
        return
    i, j, value, text_shown = cell
    # The service's row i of this layer and head in float32 (one pass of a 512-token input is slow in a debug
    # build, so one request serves both checks): the hover readout is its weight (as float16 when the page got
    # float16: numpy-exact round to nearest even, as the service converts), the arc view its exact values.
    tensors, meta = http_safetensors(base, {"text": text, "model": model, "rows": [i], "layers": [layer],
                                           "heads": [head_index], "pooling": "none"})
    tokens = json.loads(meta["results.0.tokens"])
    _, shape, truth = tensors[f"results.0.attentions.{layer}"]
    check(shape == [1, 1, n], f"the service's binary rows answer has the shape [1, 1, {n}]: {shape}")
    expected = truth[j] if dtype == "float32" else struct.unpack("<e", struct.pack("<e", truth[j]))[0]
    check(abs(value - expected) <= 1e-7 * max(1, abs(expected)) and tokens[i] in text_shown
          and tokens[j] in text_shown,
          f"the readout ({i}, {j}) = {value} is the weight in the service's {dtype} answer ({expected})")
    # Selecting a row: with float16 maps the page fetches that row's exact float32 values ("rows").
    before = attend_requests(driver)
    ActionChains(driver).click().perform()  # where the mouse is: the hovered cell's row
    row = driver.execute_script("return document.getElementById('map-value').dataset.row;")
    check(row == str(i), f"clicking the hovered cell selects its row {i}: {row}")
    if dtype == "float16":
        WebDriverWait(driver, 600, poll_frequency=0.2).until(
            lambda d: d.find_element(By.ID, "view-map").get_attribute("data-row-state") in ("ready", "error"))
        after = attend_requests(driver)
        row_state = driver.find_element(By.ID, "view-map").get_attribute("data-row-state")
        check(after == before + 1 and row_state == "ready",
              f"selecting row {i} issues one POST /attend with \"rows\" ({before} -> {after}, {row_state}): "
              + driver.find_element(By.ID, "arc-status").text)
    else:
        print(f"     float32 maps: row {i} is drawn from them (no request): {attend_requests(driver) - before}")
    top = json.loads(driver.find_element(By.ID, "arc-canvas").get_attribute("data-top") or "[]")
    check(top and all(abs(truth[k] - v) <= 1e-7 for k, v in top),
          f"the arc view shows the row's exact float32 weights: {top[:3]}")
    check(drawn_pixels(driver, "arc-canvas") > 200, f"the arc view of row {row} is drawn")
    check(tokens[i] in driver.find_element(By.ID, "arc-title").text, "the arc view names the selected row")
    shot(section, args.artifacts, "page-heatmap-512.png")
    shot(tab(driver, "model"), args.artifacts, "page-model-512.png")
    count = len(driver.find_elements(By.CSS_SELECTOR, "#model-grid canvas.heatmap"))
    layers = len(driver.find_elements(By.CSS_SELECTOR, "#map-layer option"))
    heads = len(driver.find_elements(By.CSS_SELECTOR, "#map-head option"))
    check(count == layers * heads, f"{count} thumbnails for {n} tokens")
    started = time.monotonic()
    driver.execute_script("return 1;")
    check(time.monotonic() - started < 1, "the page answers scripts after the long input (not frozen)")
    errors = severe_logs(driver)
    check(not errors, f"console has no errors after the {n}-token input: {errors}")


if __name__ == "__main__":
    sys.exit(main())
