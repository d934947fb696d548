#!/usr/bin/env python3
"""Measures `declproc segment` (words) against a gold segmentation: word-level
precision, recall and F1 over character spans, the standard CWS score.

Gold is a Universal Dependencies .conllu file: the raw sentence from its `# text =`
line is segmented, and the gold words are its token forms.

Usage: Scripts/measure-segmentation.py CONLLU [DECLPROC] [-- extra segment flags]
  e.g. Scripts/measure-segmentation.py ../shared/data/cws/ud-zh-gsdsimp/zh_gsdsimp-ud-test.conllu
"""
import os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
extra = args[args.index("--") + 1:] if "--" in args else []
args = args[:args.index("--")] if "--" in args else args
conllu = args[0]
binary = args[1] if len(args) > 1 else os.path.join(root, ".build/release/declproc")
texts, gold = [], []
words = []
for line in open(conllu, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("# text = "):
        texts.append(line[len("# text = "):])
    elif line and not line.startswith("#"):
        cols = line.split("\t")
        if "-" not in cols[0] and "." not in cols[0]:
            words.append(cols[1])
    elif not line and words:
        gold.append(words)
        words = []
if words:
    gold.append(words)
out = subprocess.run([binary, "segment", "--unit", "word"] + extra, input="\n".join(texts) + "\n",
                     capture_output=True, text=True, check=True).stdout.splitlines()

def spans(tokens):
    result, pos = set(), 0
    for t in tokens:
        result.add((pos, pos + len(t)))
        pos += len(t)
    return result

tp = fp = fn = 0
for predicted, reference in zip(out, gold):
    p, g = spans(predicted.split(" ")), spans(reference)
    tp += len(p & g); fp += len(p - g); fn += len(g - p)
precision, recall = tp / (tp + fp), tp / (tp + fn)
print(f"{len(gold)} sentences: precision {precision:.4f} recall {recall:.4f} F1 {2 * precision * recall / (precision + recall):.4f}")
