#!/usr/bin/env python3
"""Build the compact Pinyin lexicons in Locales/zh/pinyin/ from upstream open data.

Why this script exists
----------------------
ICU can transliterate Han to Latin, but it knows one reading per character and
nothing about words, so 银行 and 行长 come out wrong.  declproc therefore ships
two small lexicons of its own: per-character readings (chars.tsv) and
per-phrase readings (words.tsv).  They are *derived* data; this script is the
single place that says how, so that anybody can regenerate them from a newer
upstream release and get byte-identical output for identical input (no
timestamps, everything sorted).

Why tone numbers (zhong1, lv4, de5)
-----------------------------------
Tone-marked Pinyin has several Unicode spellings (precomposed vs combining
marks, ü vs u+diaeresis) and cannot be compared or matched cheaply.  Tone-number
form is plain ASCII, one canonical spelling per syllable, and trivially turned
back into tone marks at render time.  Readings that have no faithful ASCII
spelling (the interjection ê with tones) are dropped rather than silently
turned into another syllable; the count is printed.

Why these sources and not others
--------------------------------
Only MIT-licensed, hand-curated files are read:
  * pinyin-data/pinyin.txt             (characters; merged Unihan data)
  * phrase-pinyin-data/pinyin.txt      (phrases)
  * phrase-pinyin-data/overwrite.txt   (manual corrections)
  * phrase-pinyin-data/di.txt          (phrases ending in adverbial 地 = de)
cc_cedict.txt is CC BY-SA 4.0 (share-alike would bind the whole data set) and
zdic_*.txt are scraped from a third-party web dictionary with no licence grant
of their own, so neither is ever opened.  See Locales/zh/pinyin/SOURCES.md.

Why the reading order is kept as upstream gives it
--------------------------------------------------
In pinyin-data/pinyin.txt the first reading is Unihan kMandarin ("the most
customary reading") with upstream's manual fixes; an engine's fallback uses the
first reading, so it must stay first.  kXHC1983/kTGHZ2013 were considered for
re-ranking but list readings in alphabetical order (base, then tone), so they
carry no frequency information and would make e.g. 长 cháng, 绿 lù first.

Why this precedence for phrases
-------------------------------
Upstream's own merge rule is "first line wins inside a file, later file wins
across files".  We keep the first half (a later line for the same phrase in one
file is an alternative reading; words.tsv keeps one reading per phrase, and
`朝阳_2`-style keys are alternates, ignored).  Across files:
overwrite.txt > pinyin.txt > di.txt.  overwrite.txt holds the maintainers'
corrections, so it wins.  di.txt only fills gaps: where it disagrees with the
curated pinyin.txt it is wrong (落地灯 luò *de* dēng, 德配天地 ... *de*).

Usage
-----
  python3 Scripts/locales/build_pinyin.py \
      --pinyin-data PATH/pinyin-data --phrase-data PATH/phrase-pinyin-data \
      --out Locales/zh/pinyin
"""

import argparse
import os
import re
import shutil
import sys
import unicodedata

GENERATOR = "Scripts/locales/build_pinyin.py"

# Combining marks after NFD -> tone number.
TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
DIAERESIS = "\u0308"

# Structural check of a toneless syllable (initial + final, or a syllabic
# nasal interjection).  Its job is to catch garbage such as a stray "xh" or a
# missing space, not to police rare but real Unihan syllables (biang, fiao).
_SYLLABLE = re.compile(
    r"(?:hm|hng|m|n|ng|"
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:a|ai|an|ang|ao|e|ei|en|eng|er|o|ong|ou|"
    r"i|ia|ian|iang|iao|ie|in|ing|iong|iu|"
    r"u|ua|uai|uan|uang|ue|ui|un|uo|v|ve|van|vn))"
)

# Code points counted as Han characters in a phrase (Script=Han ideographs of
# Unicode 16).  Ranges are spelled out so that the result does not depend on
# the unicodedata version of the Python running the script.
_HAN_RANGES = (
    (0x3005, 0x3005),  # 々
    (0x3007, 0x3007),  # 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3038, 0x303B),
    (0x3400, 0x4DBF),  # Ext A
    (0x4E00, 0x9FFF),  # URO
    (0xF900, 0xFAFF),  # Compatibility ideographs
    (0x20000, 0x2FA1F),  # Ext B-F, I, Compatibility supplement
    (0x30000, 0x323AF),  # Ext G, H
)


def is_han(ch):
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


def to_tone_number(syllable):
    """Return e.g. 'lv4' for 'lǜ', or None if it has no clean ASCII form."""
    s = unicodedata.normalize("NFD", syllable.strip().lower())
    tone = None
    letters = []
    for ch in s:
        if ch in TONE_MARKS:
            if tone is not None:
                return None  # two tone marks
            tone = TONE_MARKS[ch]
        elif ch == DIAERESIS:
            if not letters or letters[-1] != "u":
                return None
            letters[-1] = "v"
        elif "a" <= ch <= "z":
            letters.append(ch)
        else:
            return None  # ê (U+0302), digits, punctuation, ...
    base = "".join(letters)
    if not _SYLLABLE.fullmatch(base):
        return None
    return base + str(tone if tone is not None else 5)


def read_lines(path):
    """Yield (line_number, key, value) for 'key: value  # comment' lines."""
    with open(path, encoding="utf-8-sig") as fp:
        for number, line in enumerate(fp, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            if ":" not in text:
                raise SystemExit("%s:%d: no ':' in %r" % (path, number, line))
            key, value = text.split(":", 1)
            yield number, key.strip(), value.strip()


def header_version(path):
    """Upstream writes '# version: X.Y.Z' at the top of its pinyin.txt."""
    with open(path, encoding="utf-8-sig") as fp:
        for line in fp:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*version:\s*(\S+)", line)
            if m:
                return m.group(1)
    return "unknown"


def unihan_version(readme_path):
    try:
        with open(readme_path, encoding="utf-8") as fp:
            m = re.search(r"Unicode version:\s*([0-9.]+)", fp.read())
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def build_chars(pinyin_data_dir, stats):
    path = os.path.join(pinyin_data_dir, "pinyin.txt")
    chars = {}
    for number, key, value in read_lines(path):
        if not re.fullmatch(r"U\+[0-9A-F]{4,6}", key):
            raise SystemExit("%s:%d: bad code point %r" % (path, number, key))
        ch = chr(int(key[2:], 16))
        readings = []
        for raw in value.split(","):
            raw = raw.strip()
            if not raw:
                continue
            converted = to_tone_number(raw)
            if converted is None:
                stats["chars_skipped_syllables"].append("%s %s" % (ch, raw))
                continue
            if converted not in readings:
                readings.append(converted)
        if not readings:
            stats["chars_without_reading"].append(ch)
            continue
        if ch in chars:
            # Same rule as upstream merges: first line wins.
            stats["chars_duplicate_lines"] += 1
            continue
        chars[ch] = readings
    return chars


def load_phrase_file(path, stats, label):
    """First line per phrase wins; alternates ('phrase_2') are ignored."""
    entries = {}
    for _number, key, value in read_lines(path):
        if "_" in key:
            stats["words_alternates_ignored"] += 1
            continue
        if key in entries:
            stats["words_later_lines_ignored"] += 1
            continue
        entries[key] = value
    stats["words_read"][label] = len(entries)
    return entries


def build_words(phrase_data_dir, stats):
    # Lowest precedence first; later files override earlier ones.
    order = ["di.txt", "pinyin.txt", "overwrite.txt"]
    merged = {}
    origin = {}
    for name in order:
        entries = load_phrase_file(os.path.join(phrase_data_dir, name), stats, name)
        for phrase, value in entries.items():
            if phrase in merged and merged[phrase] != value:
                stats["words_overridden"]["%s over %s" % (name, origin[phrase])] += 1
            merged[phrase] = value
            origin[phrase] = name

    words = {}
    for phrase, value in merged.items():
        if not all(is_han(ch) for ch in phrase):
            stats["words_dropped_non_han"].append(phrase)
            continue
        syllables = value.split()
        if len(syllables) != len(phrase):
            stats["words_dropped_count_mismatch"].append("%s: %s" % (phrase, value))
            continue
        converted = [to_tone_number(s) for s in syllables]
        if None in converted:
            stats["words_dropped_bad_syllable"].append("%s: %s" % (phrase, value))
            continue
        words[phrase] = converted
    return words


def write_tsv(path, comment, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write("# " + comment + "\n")
        for key, value in rows:
            fp.write(key + "\t" + value + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pinyin-data", required=True,
                        help="checkout of mozillazg/pinyin-data")
    parser.add_argument("--phrase-data", required=True,
                        help="checkout of mozillazg/phrase-pinyin-data")
    parser.add_argument("--out", required=True,
                        help="output folder, e.g. Locales/zh/pinyin")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every skipped or dropped entry")
    args = parser.parse_args(argv)

    from collections import Counter
    stats = {
        "chars_skipped_syllables": [],
        "chars_without_reading": [],
        "chars_duplicate_lines": 0,
        "words_read": {},
        "words_alternates_ignored": 0,
        "words_later_lines_ignored": 0,
        "words_overridden": Counter(),
        "words_dropped_non_han": [],
        "words_dropped_count_mismatch": [],
        "words_dropped_bad_syllable": [],
    }

    chars = build_chars(args.pinyin_data, stats)
    words = build_words(args.phrase_data, stats)

    char_version = header_version(os.path.join(args.pinyin_data, "pinyin.txt"))
    unihan = unihan_version(os.path.join(args.pinyin_data, "README.md"))
    phrase_version = header_version(os.path.join(args.phrase_data, "pinyin.txt"))

    os.makedirs(args.out, exist_ok=True)
    write_tsv(
        os.path.join(args.out, "chars.tsv"),
        "source: mozillazg/pinyin-data %s pinyin.txt (Unihan %s); licence: MIT; "
        "generated by %s" % (char_version, unihan, GENERATOR),
        ((ch, ",".join(chars[ch])) for ch in sorted(chars)),
    )
    write_tsv(
        os.path.join(args.out, "words.tsv"),
        "source: mozillazg/phrase-pinyin-data %s pinyin.txt, overwrite.txt, di.txt; "
        "licence: MIT; generated by %s" % (phrase_version, GENERATOR),
        ((w, " ".join(words[w])) for w in sorted(words)),
    )
    shutil.copyfile(os.path.join(args.pinyin_data, "LICENSE"),
                    os.path.join(args.out, "LICENSE.pinyin-data"))
    shutil.copyfile(os.path.join(args.phrase_data, "LICENSE"),
                    os.path.join(args.out, "LICENSE.phrase-pinyin-data"))

    log = sys.stderr
    print("chars: %d code points written" % len(chars), file=log)
    print("  readings skipped (no clean tone-number form): %d"
          % len(stats["chars_skipped_syllables"]), file=log)
    print("  code points left with no reading (dropped): %d"
          % len(stats["chars_without_reading"]), file=log)
    print("  duplicate code point lines ignored: %d"
          % stats["chars_duplicate_lines"], file=log)
    print("words: %d phrases written" % len(words), file=log)
    print("  phrases read per file: %s" % ", ".join(
        "%s=%d" % kv for kv in sorted(stats["words_read"].items())), file=log)
    print("  alternate readings ignored ('_N' keys): %d, later duplicate lines ignored: %d"
          % (stats["words_alternates_ignored"], stats["words_later_lines_ignored"]), file=log)
    print("  overrides with a different reading: %s" % (", ".join(
        "%s=%d" % kv for kv in sorted(stats["words_overridden"].items())) or "none"), file=log)
    print("  dropped, non-Han characters: %d" % len(stats["words_dropped_non_han"]), file=log)
    print("  dropped, syllable count != character count: %d"
          % len(stats["words_dropped_count_mismatch"]), file=log)
    print("  dropped, syllable with no clean tone-number form: %d"
          % len(stats["words_dropped_bad_syllable"]), file=log)
    for name in ("chars_skipped_syllables", "chars_without_reading",
                 "words_dropped_non_han", "words_dropped_count_mismatch",
                 "words_dropped_bad_syllable"):
        items = stats[name]
        shown = items if args.verbose else items[:10]
        if shown:
            print("  %s: %s%s" % (name, "; ".join(shown),
                                  "" if len(shown) == len(items) else "; ..."), file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
