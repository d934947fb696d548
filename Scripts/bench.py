#!/usr/bin/env python3
"""Benchmark of the text engine: characters per second for each filter, start-up
time and peak memory, on a fixed Chinese text of at least 5 MB built from the
repository's own fixtures (so every run measures the same text). Peers run side by
side when installed: pypinyin, jieba and opencc from PyPI, `opencc` from Debian.

Not a test: it reports. Usage: Scripts/bench.py [DECLPROC] (default .build/release/declproc)
"""
import os, resource, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/declproc")
corpus_path = "/tmp/declproc-bench-5mb.txt"

def corpus():
    """The CPP sentences and UD text, each line as written, repeated to 5 MB."""
    lines = []
    for path in ["Tests/Fixtures/cpp-dev/dev.sent", "Tests/Fixtures/ud-zh-gsdsimp/test.txt"]:
        for line in open(os.path.join(root, path), encoding="utf-8"):
            lines.append(line.rstrip("\n").replace("▁", ""))
    text, out = "\n".join(lines) + "\n", []
    size = 0
    while size < 5_000_000:
        out.append(text)
        size += len(text.encode("utf-8"))
    data = "".join(out)
    with open(corpus_path, "w", encoding="utf-8") as f:
        f.write(data)
    return data

def run(argv, stdin_path):
    """Wall time and peak RSS (MB) of one command reading stdin_path."""
    with open(stdin_path, "rb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024

text = corpus()
chars = len(text)
print(f"corpus: {corpus_path}: {len(text.encode('utf-8')) / 1e6:.1f} MB, {chars / 1e6:.2f} M characters, {text.count(chr(10))} lines")
empty = "/tmp/declproc-bench-empty.txt"
open(empty, "w").close()
stages = [
    ("normalize", ["normalize"]),
    ("segment --unit sentence", ["segment", "--unit", "sentence"]),
    ("segment --unit word", ["segment"]),
    ("segment --unit word --icu-only", ["segment", "--icu-only"]),
    ("transliterate", ["transliterate"]),
    ("convert --config s2t", ["convert", "--config", "s2t"]),
    ("convert --config t2s", ["convert", "--config", "t2s"]),
]
print(f"{'stage':34} {'start-up s':>10} {'total s':>8} {'M chars/s':>10} {'peak MB':>8}")
for name, args in stages:
    run([binary] + args, empty)  # the first start compiles the lexicons into the cache
    startup, _ = run([binary] + args, empty)
    total, rss = run([binary] + args, corpus_path)
    rate = chars / max(1e-9, total - startup) / 1e6
    print(f"{name:34} {startup:10.3f} {total:8.2f} {rate:10.2f} {rss:8.0f}")

print("\npeers (when installed):")
def peer(name, code):
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, corpus_path], check=True, capture_output=True, timeout=900)
        elapsed = time.perf_counter() - start
        print(f"{name:34} {'':10} {elapsed:8.2f} {chars / elapsed / 1e6:10.2f}")
    except Exception as error:
        print(f"{name:34} not available ({type(error).__name__})")
peer("pypinyin (lazy_pinyin)", "import sys, pypinyin\nfor l in open(sys.argv[1], encoding='utf-8'): pypinyin.lazy_pinyin(l)")
peer("jieba (cut)", "import sys, jieba\njieba.setLogLevel(60)\nfor l in open(sys.argv[1], encoding='utf-8'): list(jieba.cut(l))")
peer("opencc (PyPI) s2t", "import sys, opencc\nc = opencc.OpenCC('s2t')\nfor l in open(sys.argv[1], encoding='utf-8'): c.convert(l)")
# OpenCC's own command-line tool (Debian's `opencc`, or the one the PyPI package
# installs), start-up subtracted as for declproc.
import shutil
tool = shutil.which("opencc")
if tool:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[:1]
    for config in ["s2t", "t2s"]:
        startup = run_cli = None
        started = time.perf_counter()
        subprocess.run([tool, "-c", config, "-i", empty, "-o", "/dev/null"], check=True, capture_output=True)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([tool, "-c", config, "-i", corpus_path, "-o", "/dev/null"], check=True, capture_output=True)
        total = time.perf_counter() - started
        label = f"opencc CLI {config} ({tool}, {' '.join(version)})"
        print(f"{label[:60]:60}\n{'':34} {startup:10.3f} {total:8.2f} {chars / max(1e-9, total - startup) / 1e6:10.2f}")
else:
    print(f"{'opencc CLI':34} not available")
