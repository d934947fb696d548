#!/usr/bin/env python3
"""Measures how often `declproc transliterate` reads the polyphonic character right
on the CPP benchmark (g2pM): one sentence per line with the target marked ▁X▁, its
reading in tone numbers (5 = neutral, ü as u:) in the matching label line.

Usage: Scripts/measure-pinyin.py SENTENCES LABELS [DECLPROC]
  e.g. Scripts/measure-pinyin.py ../shared/data/pinyin/cpp-dev/dev.sent ../shared/data/pinyin/cpp-dev/dev.lb
"""
import json, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sentences, labels = sys.argv[1], sys.argv[2]
binary = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, ".build/release/declproc")
plain, targets = [], []
for line in open(sentences, encoding="utf-8"):
    line = line.rstrip("\n")
    i = line.index("▁")
    targets.append(len(line[:i]))
    plain.append(line.replace("▁", ""))
gold = [l.strip() for l in open(labels, encoding="utf-8")]
out = subprocess.run([binary, "transliterate", "--json", "--tones", "numbers", "--umlaut", "u:"],
                     input="\n".join(plain) + "\n", capture_output=True, text=True, check=True).stdout.splitlines()
right = 0
for line, target, want in zip(out, targets, gold):
    record = json.loads(line)
    got = None
    for token in record["tokens"]:
        if token["start"] <= target < token["end"]:
            han = [k for k, c in enumerate(record["text"][token["start"]:token["end"]]) if "\u3400" <= c <= "\u9fff" or "\U00020000" <= c]
            got = token["pinyin"][han.index(target - token["start"])]
    right += got == want
print(f"{right} of {len(gold)} polyphonic characters right: {100 * right / len(gold):.2f}%")
