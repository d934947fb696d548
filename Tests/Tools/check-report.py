#!/usr/bin/env python3
"""Opens a declproc report in headless Chromium (Debian's chromium and chromium-driver, driven
by selenium) and prints what a reader would see, as JSON:
  - console messages of level SEVERE (errors), and every network request other than the file;
  - each chart's data-total and its bars' labels and counts, read from the rendered DOM;
  - whether the page overflows horizontally at 1280 and at 390 pixels wide.
Usage: check-report.py REPORT.html [SCREENSHOT.png]"""
import json, pathlib, sys
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

report = pathlib.Path(sys.argv[1]).resolve()
options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"]:
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
try:
    result = {"overflow": {}}
    for width in (1280, 390):
        driver.set_window_size(width, 1000)
        driver.get(report.as_uri())
        result["overflow"][str(width)] = driver.execute_script(
            "return document.documentElement.scrollWidth > window.innerWidth || "
            "Array.from(document.querySelectorAll('section, svg, article')).some(e => e.getBoundingClientRect().right > window.innerWidth + 1)")
        if width == 1280 and len(sys.argv) > 2:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1280, min(height + 40, 6000))
            driver.save_screenshot(sys.argv[2])
    result["console_errors"] = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url != report.as_uri():
                requests.append(url)
    result["requests"] = requests
    result["charts"] = driver.execute_script("""
        const charts = {};
        for (const chart of document.querySelectorAll('[data-chart]')) {
          const bars = {};
          for (const bar of chart.querySelectorAll('[data-label]')) bars[bar.dataset.label] = Number(bar.dataset.count);
          charts[chart.dataset.chart] = {total: Number(chart.dataset.total ?? chart.dataset.count ?? -1), bars: bars,
                                         granularity: chart.dataset.granularity ?? null,
                                         visible: chart.getBoundingClientRect().width > 0};
        }
        return charts;""")
    result["samples"] = len(driver.find_elements("css selector", "article.sample"))
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
finally:
    driver.quit()
