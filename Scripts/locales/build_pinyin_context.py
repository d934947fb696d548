#!/usr/bin/env python3
"""Build the context data for Han->Pinyin reading choice (Locales/zh/pinyin/cedict_*.tsv)
and check the hand-written rules (Locales/zh/pinyin/context_rules.tsv).

What this adds to chars.tsv/words.tsv (see build_pinyin.py)
------------------------------------------------------------
The engine cuts each Han run into lexicon phrases and single characters (fewest
pieces; ties broken by the word segmenter's boundaries).  A character that no
phrase covers used to get its first chars.tsv reading (Unihan kMandarin), which
is right only about 3 times in 4 for polyphonic characters.  Three things now
decide instead:

  1. (optional, --emit-words) a second, lower-precedence phrase lexicon from
     CC-CEDICT (cedict_words.tsv) for the same DP as words.tsv.  Measured on the
     CPP dev set it adds 4 items in 9,893 on top of 2 and 3, while the 84k extra
     phrases slow loading (0.8 s -> 2.0 s) and transliteration (~20%), so it is
     not shipped by default;
  2. hand-written context rules (context_rules.tsv, not generated here, only
     validated: every reading must be one of the character's chars.tsv readings);
  3. fallback tables computed here from all lexicon phrases, words.tsv and the
     filtered CC-CEDICT phrases together (cedict_fallback.tsv):
       D  char  reading          the char's reading when nothing else decides,
                                 where it differs from the first chars.tsv reading
       L  AB    reading  count   B not covered by a phrase and preceded by A:
                                 the reading B most often has in phrases right after A
       R  AB    reading  count   A not covered and followed by B: likewise.
     Only entries that differ from the char's default are written.

Why CC-CEDICT data lives in files of its own
--------------------------------------------
cc_cedict.txt (in mozillazg/phrase-pinyin-data) is derived from CC-CEDICT,
licensed CC BY-SA 4.0.  Everything computed from it (phrases, and the fallback
tables, which count those phrases) is therefore kept in files named cedict_*,
each with an attribution/licence header, separate from the MIT files.  The
engine works without them (it then falls back to chars.tsv order).

How the tables are computed (all deterministic, sorted output)
-------------------------------------------------------------
* CC-CEDICT phrases (counted for the tables; written to cedict_words.tsv only
  with --emit-words): cc_cedict.txt lines "phrase: syllables"; tone marks to tone
  numbers exactly as build_pinyin.py does.  Dropped: non-Han phrases, syllable
  count mismatches, unconvertible syllables, phrases longer than --max-length
  (the engine's DP cost grows with the longest phrase), phrases with two or more
  different readings in CC-CEDICT (cannot be chosen without context), phrases
  already in words.tsv (words.tsv wins), and phrases using a reading that is not
  among the character's chars.tsv readings (mostly CC-CEDICT's neutral-tone
  conventions such as 上个 shang4 ge5; measured: keeping them is slightly worse).
* Counting: over the union of words.tsv and the filtered CC-CEDICT phrases, for each
  character with two or more chars.tsv readings (except 一 and 不, whose extra
  readings are tone sandhi), count the readings it has in
  phrases (only readings listed in chars.tsv), overall and per left/right
  neighbour inside the phrase.
* Default D(c) = argmax over c's readings r of count(c, r), where the first
  chars.tsv reading gets a bonus of --prior (0.1) x the total count of c; ties go
  to the earlier chars.tsv reading.
* Neighbour entries: for each (neighbour pair, side) the reading r with the
  highest count(pair, r) + --smoothing (2) x share(c, r), where share is c's
  overall distribution (the D scores normalised), so a single phrase cannot
  overrule a strongly skewed character; ties: D(c) first, then chars.tsv order.
  Written only if it is not D(c); the count column is the raw count(pair, r).

Usage
-----
  python3 Scripts/locales/build_pinyin_context.py \
      --chars Locales/zh/pinyin/chars.tsv --words Locales/zh/pinyin/words.tsv \
      --cedict PATH/phrase-pinyin-data/cc_cedict.txt \
      --rules Locales/zh/pinyin/context_rules.tsv --out Locales/zh/pinyin
  (add --emit-words to also write cedict_words.tsv)
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_pinyin as bp  # noqa: E402  (same tone-number conversion and Han test)

GENERATOR = "Scripts/locales/build_pinyin_context.py"

# 一 and 不 have several readings in chars.tsv only because of tone sandhi
# (yi2/yi4, bu2), which the phrase data applies inconsistently.  Sandhi is not
# a choice between readings, so a lone 一/不 keeps its first (citation) reading.
SANDHI_ONLY = {"\u4e00", "\u4e0d"}
CEDICT_HEADER = (
    "source: CC-CEDICT (https://cc-cedict.org/, MDBG), via mozillazg/phrase-pinyin-data %s "
    "cc_cedict.txt; licence: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/), "
    "share-alike applies to this file; %s; generated by %s"
)


def load_tsv(path):
    rows = {}
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            if line.startswith("#") or not line.strip():
                continue
            key, value = line.rstrip("\n").split("\t")[:2]
            rows[key] = value
    return rows


def load_cedict(path, chars, words, max_length, stats):
    readings = collections.OrderedDict()
    for _number, key, value in bp.read_lines(path):
        if "_" in key:
            stats["alternate keys"] += 1
            continue
        if not all(bp.is_han(ch) for ch in key):
            stats["non-Han"] += 1
            continue
        syllables = [bp.to_tone_number(s) for s in value.split()]
        if len(syllables) != len(key):
            stats["count mismatch"] += 1
            continue
        if None in syllables:
            stats["unconvertible syllable"] += 1
            continue
        readings.setdefault(key, [])
        if syllables not in readings[key]:
            readings[key].append(syllables)
    out = {}
    for phrase, options in readings.items():
        if len(phrase) < 2:
            stats["single character"] += 1
        elif len(phrase) > max_length:
            stats["longer than %d" % max_length] += 1
        elif len(options) > 1:
            stats["ambiguous (2+ readings)"] += 1
        elif phrase in words:
            stats["already in words.tsv"] += 1
        elif any(s not in chars.get(ch, ()) for ch, s in zip(phrase, options[0])):
            stats["reading not in chars.tsv"] += 1
        else:
            out[phrase] = options[0]
    return out


def build_tables(chars, phrases, prior, smoothing):
    poly = {ch for ch, rs in chars.items() if len(rs) > 1 and ch not in SANDHI_ONLY}
    total = collections.defaultdict(collections.Counter)
    pair = collections.defaultdict(collections.Counter)
    for phrase, syllables in phrases.items():
        for k, ch in enumerate(phrase):
            r = syllables[k]
            if ch not in poly or r not in chars[ch]:
                continue
            total[ch][r] += 1
            if k > 0:
                pair[("L", phrase[k - 1] + ch)][r] += 1
            if k + 1 < len(phrase):
                pair[("R", ch + phrase[k + 1])][r] += 1
    default, share = {}, {}
    for ch in poly:
        cands = chars[ch]
        n = sum(total[ch].values())
        score = {r: total[ch][r] + (prior * n if i == 0 else 0) for i, r in enumerate(cands)}
        default[ch] = max(cands, key=lambda r: (score[r], -cands.index(r)))
        z = sum(score.values())
        share[ch] = {r: (score[r] / z if z else float(r == default[ch])) for r in cands}
    entries = {}
    for (side, key), counts in pair.items():
        ch = key[1] if side == "L" else key[0]
        cands = chars[ch]
        # Additive smoothing towards the char's overall distribution, so that one
        # phrase does not overturn a strongly skewed character (色的 -> shai3).
        smoothed = {r: counts[r] + smoothing * share[ch][r] for r in cands}
        best = max(cands, key=lambda r: (smoothed[r], r == default[ch], -cands.index(r)))
        if best != default[ch]:
            entries[(side, key)] = (best, counts[best])
    return default, entries


RULE_SIDES = {"L", "R", "L2", "R2"}


def check_rules(path, chars):
    """Validate context_rules.tsv; returns (rule count, problems)."""
    classes, problems, count = {}, [], 0
    with open(path, encoding="utf-8") as fp:
        lines = list(enumerate(fp, 1))
    for number, line in lines:
        line = line.rstrip("\n")
        if line.startswith("@"):
            cols = line.split("\t")
            if len(cols) < 2 or not cols[1]:
                problems.append("%d: empty class" % number)
            classes[cols[0]] = cols[1] if len(cols) > 1 else ""
    for number, line in lines:
        line = line.rstrip("\n")
        if not line or line.startswith("#") or line.startswith("@"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            problems.append("%d: needs char, condition, reading" % number)
            continue
        ch, cond, reading = cols[:3]
        count += 1
        if len(ch) != 1 or not bp.is_han(ch):
            problems.append("%d: %r is not one Han character" % (number, ch))
        if reading not in chars.get(ch, ()):
            problems.append("%d: %s %s is not a chars.tsv reading (%s)"
                            % (number, ch, reading, ",".join(chars.get(ch, ()))))
        if cond == "*":
            continue
        for test in cond.split(" "):
            side, _, value = test.partition("=")
            if side not in RULE_SIDES or not value:
                problems.append("%d: bad test %r" % (number, test))
                continue
            for part in value.split("|"):
                if part.startswith("@") and part not in classes:
                    problems.append("%d: unknown class %s" % (number, part))
                elif part in ("^", "$"):
                    if (part == "^") != side.startswith("L"):
                        problems.append("%d: %s used on the wrong side" % (number, part))
                elif not part:
                    problems.append("%d: empty alternative in %r" % (number, test))
    return count, problems


def write(path, header, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write("# " + header + "\n")
        for line in lines:
            fp.write(line + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chars", required=True, help="Locales/zh/pinyin/chars.tsv")
    parser.add_argument("--words", required=True, help="Locales/zh/pinyin/words.tsv")
    parser.add_argument("--cedict", required=True, help="phrase-pinyin-data/cc_cedict.txt")
    parser.add_argument("--rules", help="context_rules.tsv to validate (optional)")
    parser.add_argument("--out", required=True, help="output folder, e.g. Locales/zh/pinyin")
    parser.add_argument("--emit-words", action="store_true",
                        help="also write cedict_words.tsv (the filtered CC-CEDICT phrases) for use as a "
                             "second DP lexicon; not needed by default, see SOURCES.md")
    parser.add_argument("--max-length", type=int, default=10,
                        help="longest CC-CEDICT phrase kept (default 10, the longest in words.tsv)")
    parser.add_argument("--prior", type=float, default=0.1,
                        help="bonus for the first chars.tsv reading, as a share of the char's phrase count")
    parser.add_argument("--smoothing", type=float, default=2.0,
                        help="pseudo-count spread over a char's readings by its overall distribution "
                             "before a neighbour pair may overrule the default (default 2)")
    args = parser.parse_args(argv)

    chars = {k: v.split(",") for k, v in load_tsv(args.chars).items()}
    words = {k: v.split() for k, v in load_tsv(args.words).items()}
    stats = collections.Counter()
    cedict = load_cedict(args.cedict, chars, words, args.max_length, stats)
    version = bp.header_version(os.path.join(os.path.dirname(args.cedict), "pinyin.txt"))

    union = dict(cedict)
    union.update(words)
    default, entries = build_tables(chars, union, args.prior, args.smoothing)

    os.makedirs(args.out, exist_ok=True)
    if args.emit_words:
        write(os.path.join(args.out, "cedict_words.tsv"),
              CEDICT_HEADER % (version, "phrase<TAB>syllables; lower precedence than words.tsv", GENERATOR),
              ("%s\t%s" % (p, " ".join(cedict[p])) for p in sorted(cedict)))
    fallback = ["D\t%s\t%s" % (ch, default[ch]) for ch in sorted(default) if default[ch] != chars[ch][0]]
    for side in ("L", "R"):
        fallback += ["%s\t%s\t%s\t%d" % (side, key, r, n)
                     for (s, key), (r, n) in sorted(entries.items()) if s == side]
    write(os.path.join(args.out, "cedict_fallback.tsv"),
          CEDICT_HEADER % (version, "counts over words.tsv + filtered CC-CEDICT phrases; "
                           "D<TAB>char<TAB>reading | L<TAB>prev+char<TAB>reading<TAB>count | "
                           "R<TAB>char+next<TAB>reading<TAB>count", GENERATOR),
          fallback)

    log = sys.stderr
    print("CC-CEDICT phrases kept: %d%s" % (len(cedict), " (written to cedict_words.tsv)" if args.emit_words else ""), file=log)
    for reason, n in sorted(stats.items()):
        print("  dropped, %s: %d" % (reason, n), file=log)
    n_default = sum(1 for ch in default if default[ch] != chars[ch][0])
    print("cedict_fallback.tsv: %d D, %d L, %d R lines" % (
        n_default, sum(1 for s, _ in entries if s == "L"), sum(1 for s, _ in entries if s == "R")), file=log)
    if args.rules:
        count, problems = check_rules(args.rules, chars)
        print("%s: %d rules, %d problems" % (args.rules, count, len(problems)), file=log)
        for p in problems:
            print("  " + p, file=log)
        if problems:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
