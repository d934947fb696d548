#!/usr/bin/env python3
"""Benchmark of the text engine: characters per second for each filter, start-up
time and peak memory, on a fixed Chinese text of at least 5 MB built from the
repository's own fixtures (so every run measures the same text). Peers run side by
side when installed: pypinyin, jieba and opencc from PyPI, `opencc` from Debian.

Every command, declproc's and the peers', runs REPEAT times (default 3) and the
fastest run counts, and every one has its start-up (the same command on an empty
input) subtracted, so the rates compare the work itself, the same way for all.
The ratios the targets name (transliterate to pypinyin, segment to jieba; convert's
25 M characters/s was set as half of OpenCC's tool and 7x ICU's transliterator, so
s2t is also set beside those two) are then measured again in alternating rounds,
declproc and its peer one after the other, since the machine's speed drifts between
the first tables' runs.

Not a test: it reports. Usage: Scripts/bench.py [DECLPROC] (default .build/release/declproc)
Environment: REPEAT=N.
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
    """Wall time and peak RSS (MB) of one command reading stdin_path; a command that
    fails stops the benchmark rather than giving a meaningless time."""
    with open(stdin_path, "rb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit status {status}")
    return elapsed, usage.ru_maxrss / 1024

REPEAT = int(os.environ.get("REPEAT", "3"))

def best(argv, stdin_path):
    """The fastest of REPEAT runs: (seconds, peak RSS MB of that run)."""
    return min(run(argv, stdin_path) for _ in range(REPEAT))

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
rates = {}
print(f"{'stage':34} {'start-up s':>10} {'total s':>8} {'M chars/s':>10} {'peak MB':>8}")
for name, args in stages:
    run([binary] + args, empty)  # the first start compiles the lexicons into the cache
    startup, _ = best([binary] + args, empty)
    total, rss = best([binary] + args, corpus_path)
    rate = chars / max(1e-9, total - startup) / 1e6
    rates[name] = rate
    print(f"{name:34} {startup:10.3f} {total:8.2f} {rate:10.2f} {rss:8.0f}")

print("\npeers (when installed):")
PEER_SOURCES = {
    "pypinyin (lazy_pinyin)": "import sys, pypinyin\npypinyin.lazy_pinyin('中文')\nfor l in open(sys.argv[1], encoding='utf-8'): pypinyin.lazy_pinyin(l)",
    "jieba (cut)": "import sys, jieba\njieba.setLogLevel(60)\njieba.initialize()\nfor l in open(sys.argv[1], encoding='utf-8'): list(jieba.cut(l))",
}
def peer(name, code):
    """A Python peer: the fastest of REPEAT runs over the corpus, less its start-up
    (interpreter, imports, dictionaries: the same script on an empty file)."""
    try:
        def timed(path):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, timeout=900)
            return time.perf_counter() - start
        startup = min(timed(empty) for _ in range(REPEAT))
        total = min(timed(corpus_path) for _ in range(REPEAT))
        rates[name] = chars / max(1e-9, total - startup) / 1e6
        print(f"{name:34} {startup:10.3f} {total:8.2f} {rates[name]:10.2f}")
    except Exception as error:
        print(f"{name:34} not available ({type(error).__name__})")
for name in ["pypinyin (lazy_pinyin)", "jieba (cut)"]:
    peer(name, PEER_SOURCES[name])
peer("opencc (PyPI) s2t", "import sys, opencc\nc = opencc.OpenCC('s2t')\nfor l in open(sys.argv[1], encoding='utf-8'): c.convert(l)")
# OpenCC's own command-line tool (Debian's `opencc`, or the one the PyPI package
# installs), start-up subtracted as for declproc.
import shutil
tool = shutil.which("opencc") or shutil.which("opencc", path=os.path.expanduser("~/.local/bin"))  # pip install --user puts it there
if tool:
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[:1]
    for config in ["s2t", "t2s"]:
        def timed(path):
            started = time.perf_counter()
            subprocess.run([tool, "-c", config, "-i", path, "-o", "/dev/null"], check=True, capture_output=True)
            return time.perf_counter() - started
        startup = min(timed(empty) for _ in range(REPEAT))
        total = min(timed(corpus_path) for _ in range(REPEAT))
        label = f"opencc CLI {config} ({tool}, {' '.join(version)})"
        print(f"{label[:60]:60}\n{'':34} {startup:10.3f} {total:8.2f} {chars / max(1e-9, total - startup) / 1e6:10.2f}")
else:
    print(f"{'opencc CLI':34} not available")

# The ratios, measured again side by side: this machine class drifts by tens of
# percent from one minute to the next, and the tables above measure declproc and
# its peer minutes apart. Here each round runs both, one after the other (each on
# the empty input and on the corpus), and the fastest round of each counts.
def side_by_side(ours_argv, theirs_argv):
    """declproc's rate over its peer's, each round running both on the empty input and
    on the corpus; the fastest of each counts, start-up subtracted."""
    rounds = [(run(ours_argv, empty)[0], run(ours_argv, corpus_path)[0], run(theirs_argv, empty)[0], run(theirs_argv, corpus_path)[0])
              for _ in range(REPEAT)]
    ours_rate = chars / max(1e-9, min(r[1] for r in rounds) - min(r[0] for r in rounds))
    theirs_rate = chars / max(1e-9, min(r[3] for r in rounds) - min(r[2] for r in rounds))
    return ours_rate / theirs_rate, theirs_rate / 1e6

print("\nagainst the targets (issue 5; ratios from alternating runs):")
for ours, args, theirs, target in [("transliterate", ["transliterate"], "pypinyin (lazy_pinyin)", 15),
                                   ("segment --unit word", ["segment"], "jieba (cut)", 10)]:
    if theirs in rates:
        ratio, _ = side_by_side([binary] + args, [sys.executable, "-c", PEER_SOURCES[theirs], "/dev/stdin"])
        print(f"{ours:34} {ratio:6.1f}x {theirs} (target {target}x: {'met' if ratio >= target else 'not met'};"
              f" {rates[ours] / rates[theirs]:.1f}x from the tables above)")
for config in ["s2t", "t2s"]:
    rate = rates[f"convert --config {config}"]
    print(f"{'convert --config ' + config:34} {rate:6.1f} M chars/s (target 25: {'met' if rate >= 25 else 'not met'})")
# The issue sets 25 M/s as about half of OpenCC's own tool and 7x ICU's transliterator;
# what those two do on this machine, side by side with declproc:
uconv = shutil.which("uconv")
# OpenCC's tool reads its input whole (-i) as in the table above, not line by line from stdin.
for label, argv, basis in [(f"OpenCC's CLI ({tool})", [tool, "-c", "s2t", "-i", "/dev/stdin", "-o", "/dev/null"] if tool else None,
                            "parity is the stretch"),
                           ("ICU's Hans-Hant transliterator (uconv)", [uconv, "-x", "Hans-Hant"] if uconv else None, "target 7x")]:
    if argv is None:
        print(f"{'convert --config s2t':34} against {label}: not installed")
        continue
    try:
        ratio, theirs = side_by_side([binary, "convert", "--config", "s2t"], argv)
    except RuntimeError as error:
        print(f"{'convert --config s2t':34} against {label}: failed ({error})")
        continue
    print(f"{'convert --config s2t':34} {ratio:6.1f}x {label} ({theirs:.2f} M chars/s; {basis})")
