#!/usr/bin/env python3
"""Measures how well `declproc extract --emit pages` finds a page's main text.

For each folder holding `source.html` and the reference `expected.html` (Mozilla
Readability's test pages in Tests/Fixtures/readability-zh), it compares declproc's
page `text` with the reference's text as bags of characters (whitespace ignored):
precision, recall and F1 — the usual main-text character F1. Also prints the
charset declproc decided.

Usage: Scripts/measure-main-text.py [DECLPROC] [FOLDER...]
  (defaults: .build/release/declproc, every folder under Tests/Fixtures/readability-zh)
"""
import collections, html.parser, json, os, subprocess, sys

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

def chars(text):
    return collections.Counter(c for c in text if not c.isspace())

def f1(got, want):
    overlap = sum((got & want).values())
    p = overlap / max(1, sum(got.values()))
    r = overlap / max(1, sum(want.values()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
binary = args.pop(0) if args and not os.path.isdir(args[0]) else os.path.join(root, ".build/release/declproc")
fixtures = os.path.join(root, "Tests/Fixtures/readability-zh")
folders = args or sorted(os.path.join(fixtures, d) for d in os.listdir(fixtures) if os.path.isdir(os.path.join(fixtures, d)))
print(f"{'page':10} {'charset':22} {'precision':>9} {'recall':>7} {'F1':>6}")
scores = []
for folder in folders:
    out = subprocess.run([binary, "extract", "--emit", "pages", os.path.join(folder, "source.html")],
                         capture_output=True, text=True, check=True).stdout
    page = json.loads(out.splitlines()[0])
    parser = Text()
    parser.feed(open(os.path.join(folder, "expected.html"), encoding="utf-8").read())
    p, r, f = f1(chars(page["text"]), chars("".join(parser.parts)))
    scores.append(f)
    charset = f"{page['charset']['name']} ({page['charset']['decided_by']})"
    print(f"{os.path.basename(folder):10} {charset:22} {p:9.3f} {r:7.3f} {f:6.3f}")
print(f"{'mean':10} {'':22} {'':>9} {'':>7} {sum(scores) / len(scores):6.3f}")
