#!/usr/bin/env python3
"""Sentence-link F1 of `declproc align` on bible-001 (Tests/Fixtures/align), beside the peers'
figures, and its time. Usage: Scripts/measure-align.py [BINARY] (default .build/release/declproc).

Gold and peer files are English-first ([en ids]:[zh ids]); declproc writes Chinese first.
A link is a (zh, en) sentence pair inside a bead; F1 over the sets of links."""
import pathlib, re, subprocess, sys, time

root = pathlib.Path(__file__).resolve().parent.parent
data = root / "Tests/Fixtures/align/bible-001"
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / ".build/release/declproc")

def links(lines, english_first):
    pairs = set()
    for line in lines:
        if not line.strip():
            continue
        left, right = line.split("\t")[0].split(":")
        a = [int(x) for x in re.findall(r"\d+", left)]
        b = [int(x) for x in re.findall(r"\d+", right)]
        zh, en = (b, a) if english_first else (a, b)
        pairs |= {(z, e) for z in zh for e in en}
    return pairs

gold = links((data / "001.gold.align").read_text().splitlines(), True)
start = time.time()
out = subprocess.run([binary, "align", "--zh", str(data / "001.zh"), "--en", str(data / "001.en")],
                     capture_output=True, text=True, check=True).stdout
seconds = time.time() - start
found = links(out.splitlines(), False)
correct = len(found & gold)
p, r = correct / len(found), correct / len(gold)
print(f"declproc align: P={p:.4f} R={r:.4f} F1={2 * p * r / (p + r):.4f} ({seconds:.1f} s, 6301 zh x 5000 en sentences)")
print("peers on the same file (from the benchmark): hunalign F1 0.9084, vecalign 0.9552, mbert 0.9549, gale-church 0.8453, bleualign 0.8182")
