#!/usr/bin/env python3
"""Builds Locales/zh/align/cedict-en.tsv (Simplified headword -> English keyword stems) from CC-CEDICT,
stemming with the rules in Locales/en/align/english.txt (the aligner applies the same rules at run time).

usage: Scripts/locales/build_align_lexicon.py cedict_1_0_ts_utf-8_mdbg.txt [out.tsv]
"""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class EnNorm:
    def __init__(self, path=os.path.join(ROOT, 'Locales/en/align/english.txt')):
        self.stop, self.irr, self.suf, self.final = set(), {}, [], []
        sec = None
        for line in open(path, encoding='utf-8'):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            if line.startswith('['):
                sec = line.strip('[]')
                continue
            if sec == 'stopwords':
                self.stop.add(line.strip())
            elif sec == 'irregular':
                a, b = line.split('\t')
                self.irr[a] = b
            elif sec == 'suffixes':
                a, b, m = line.split('\t')
                self.suf.append((a, '' if b == '(none)' else b, int(m)))
            elif sec == 'final':
                self.final.append(line.strip())
        self.cache = {}

    def stem(self, w):
        """w: lowercased ASCII word, not a stop-word."""
        r = self.cache.get(w)
        if r is not None:
            return r
        x = self.irr.get(w, w)
        if len(x) >= 4:
            for suf, rep, mn in self.suf:
                if x.endswith(suf) and len(x) - len(suf) >= mn:
                    x = x[:len(x) - len(suf)] + rep
                    break
        for f in self.final:
            if f == 'undouble':
                if len(x) >= 3 and x[-1] == x[-2] and x[-1] not in 'aeiouylsz':
                    x = x[:-1]
            elif f == 'drop-e':
                if len(x) > 3 and x[-1] == 'e':
                    x = x[:-1]
            elif f == 'y-to-i':
                if len(x) > 2 and x[-1] == 'y':
                    x = x[:-1] + 'i'
        self.cache[w] = x
        return x


WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def en_words(text):
    """Lowercase, normalise apostrophes, split into [a-z0-9]+ words, drop possessive 's / trailing '."""
    t = text.lower().replace('\u2019', "'").replace('\u2018', "'")
    out = []
    for m in WORD_RE.finditer(t):
        w = m.group(0)
        if "'" in w:
            a, b = w.split("'", 1)
            w = a  # drop 's, 't, 'll, 've ... (clitics are function words)
            if b == 't' and a.endswith('n'):
                w = a[:-1]  # don't -> do, can't -> ca (stop-ish)
        if w:
            out.append(w)
    return out
MAX_KW = 8          # keywords kept per headword
MAX_GLOSS_WORDS = 4  # glosses with more content words are descriptions, not translations
MAX_HEAD_LEN = 8     # longer headwords are idioms/phrases of little use for segmentation

LINE = re.compile(r'^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$')
DROP_GLOSS = re.compile(r'^(cl:|classifier|variant of|old variant|archaic variant|japanese variant|'
                        r'surname|see |see also|used in|abbr\.? for|also written|also pr\.|'
                        r'taiwan pr\.|erhua variant|pr\. |radical|kangxi radical|component in|'
                        r'(old|lit\.|fig\.)? ?\(?onom|onomatopoeia|unofficial variant|'
                        r'korean variant|same as|equivalent of|translit)', re.I)
PAREN = re.compile(r'\([^()]*\)|\[[^\[\]]*\]')
NONASCII = re.compile(r'[^\x00-\x7f]')


def gloss_keywords(g, norm):
    g = g.strip()
    # drop parenthetical notes (repeat for nesting) and pinyin in brackets
    for _ in range(3):
        g = PAREN.sub(' ', g)
    g = g.strip()
    if not g or DROP_GLOSS.match(g) or g.startswith('-') or 'radical' in g.lower() or 'particle' in g.lower():
        return None
    if NONASCII.search(g):
        # cross references like 中國|中国[...] remain: drop the non-ASCII words only
        g = ' '.join(w for w in g.split() if not NONASCII.search(w))
    words = [w for w in en_words(g) if w not in norm.stop and not w.isdigit() and len(w) > 1]
    if not words or len(words) > MAX_GLOSS_WORDS:
        return None
    return [norm.stem(w) for w in words]


def main():
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'Locales/zh/align/cedict-en.tsv')
    norm = EnNorm()
    entries = {}   # simp -> list of (pinyin, [glosses])
    order = []
    for line in open(src, encoding='utf-8'):
        if line.startswith('#'):
            continue
        m = LINE.match(line.rstrip('\n'))
        if not m:
            continue
        trad, simp, pin, body = m.groups()
        if len(simp) > MAX_HEAD_LEN or NONASCII.search(simp) is None:
            continue  # skip over-long phrases and pure-ASCII headwords
        glosses = []
        for g in body.split('/'):
            for sub in g.split(';'):
                kw = gloss_keywords(sub, norm)
                if kw:
                    glosses.append(kw)
        if simp not in entries:
            entries[simp] = []
            order.append(simp)
        if glosses:
            entries[simp].append(glosses)
    n = 0
    with open(out, 'w', encoding='utf-8') as f:
        f.write('# source: CC-CEDICT (https://www.mdbg.net/chinese/dictionary?page=cedict); '
                'licence: CC BY-SA 4.0; generated by Scripts/locales/build_align_lexicon.py '
                '(word<TAB>English keyword stems, stemmed with Locales/en/align/english.txt)\n')
        for simp in order:
            ents = sorted(entries[simp], key=lambda e: -len(e))  # the reading with most senses first
            kws = []
            # round robin over readings, gloss by gloss, word by word
            depth = max((len(e) for e in ents), default=0)
            for k in range(depth):
                for e in ents:
                    if k < len(e):
                        for w in e[k]:
                            if w not in kws:
                                kws.append(w)
            kws = kws[:MAX_KW]
            if kws:
                f.write(simp + '\t' + ' '.join(kws) + '\n')
                n += 1
    print(f'{n} headwords -> {out} ({os.path.getsize(out)} bytes)', file=sys.stderr)


if __name__ == '__main__':
    main()
