#!/usr/bin/env python3
"""Benchmark of the whole pipeline (issue: batch at scale). Not a test: it reports.

Builds a deterministic corpus of 1,000+ pages (about 30 MB; UTF-8, GB18030 and Big5;
list pages, forum threads, articles and bilingual pages; about 10 statements per page; at
least 25,000 Han characters per MB of HTML, so boilerplate cannot inflate MB/s), then runs
`declproc extract` on it with full records, with --jobs 1 and with all cores, and reports
pages/s, MB/s of HTML, Han characters/s, peak resident memory and start-up time. When the
peers are importable (lxml+opencc+jieba+pypinyin; trafilatura; resiliparse) it runs them on
the same corpus and prints ratios; when they are not, it says so. With resiliparse
installed it also compares extraction alone on real pages (Tests/Fixtures/readability-zh,
copied 40 times): the corpus is dense with statements, real pages are mostly markup.
The peers are not part of Scripts/setup (they are measured, not used); on a fresh machine:
`python3 -m pip install lxml lxml_html_clean opencc jieba pypinyin trafilatura resiliparse`
(trafilatura needs lxml_html_clean since lxml 5.2 moved its cleaner out).

With --web the pages are as crawled sites serve them, about 30 KB each: the same
statements inside a style sheet, scripts, menus, a sidebar, forms and footers (built in
/tmp/declproc-bench-corpus-web, some 1,000 pages; still over 25,000 Han characters per
MB). The default corpus is the dense one every session's figures were measured on.

With --scale MB it measures memory at scale instead: it grows the corpus to MB megabytes
(copies of its pages, each copy's declarants and dates changed so that every statement is
distinct, the worst case for the deduplicator's index) and runs `declproc extract` once
with all cores, reporting time, peak resident memory and the run's accounting.

The ratios (two cores against one, declproc against each peer) come from alternating
rounds: each round runs every measurement once, and the fastest of each counts
(ROUNDS, default 2), since this machine class drifts from one minute to the next.

Usage: [ROUNDS=N] Scripts/bench-pipeline.py [--web] [--scale MB] [DECLPROC] (default .build/release/declproc)
"""
import codecs, json, os, random, re, resource, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
arguments = sys.argv[1:]
scale = None
# --web: pages as crawled sites serve them (see web_furniture), in a corpus of their own.
web = arguments[:1] == ["--web"]
if web:
    arguments = arguments[1:]
if arguments[:1] == ["--scale"]:
    scale = int(arguments[1])
    arguments = arguments[2:]
binary = arguments[0] if arguments else os.path.join(root, ".build/release/declproc")
corpus_dir = "/tmp/declproc-bench-corpus-web" if web else "/tmp/declproc-bench-corpus"
SEED = 20261129
ROUNDS = max(1, int(os.environ.get("ROUNDS", "2")))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文辉海燕红梅晓东宏伟永红建华春梅玉兰金凤德明国庆立新晓明"
ORGS = [("中国共产党", "party", "the Chinese Communist Party"), ("共青团", "youth_league", "the Communist Youth League"),
        ("少先队", "young_pioneers", "the Young Pioneers")]

def places():
    rows = []
    for line in open(os.path.join(root, "Locales/zh/places.tsv"), encoding="utf-8"):
        if line.startswith("#"):
            continue
        name, province, kind = line.rstrip("\n").split("\t")[:3]
        if kind == "city" and province != name:
            rows.append(province + name)
    return rows

def filler_sentences():
    """Chinese prose from the repository's fixtures, for article bodies."""
    out = []
    for line in open(os.path.join(root, "Tests/Fixtures/ud-zh-gsdsimp/test.txt"), encoding="utf-8"):
        line = line.strip()
        if 15 <= len(line) <= 80:
            out.append(line)
    return out

def statement(rng, place_list):
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    chosen = rng.sample(ORGS, rng.choice((1, 1, 2, 3)))
    year = rng.randint(1970, 2012)
    date = "%d年%d月%d日" % (rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
    body = rng.choice([
        "我于{y}年加入{o}，当时年少无知，只是随大流。如今看清了它的真面目，郑重声明退出{o}及其一切组织，过去的誓言全部作废。",
        "本人在{y}年上学期间被迫加入{o}。多年来亲眼目睹种种谎言与迫害，良心难安。今天我声明退出{o}，与其彻底决裂，此声明永久有效。",
        "我曾经相信{o}的宣传，{y}年入党入团。后来经历了许多事情，才知道真相。特此声明：退出{o}，从此与其再无任何关系。",
    ]).format(y=year, o="、".join(o[0] for o in chosen))
    english = "I joined %s in %d. I hereby declare my withdrawal from %s. Declarant: %s" % (
        " and ".join(o[2] for o in chosen), year, " and ".join(o[2] for o in chosen), name)
    return body, "声明人：%s %s %s" % (name, rng.choice(place_list), date), english

def page(rng, index, place_list, filler):
    kind = ("list", "forum", "article", "bilingual")[index % 4]
    encoding = ("utf-8", "utf-8", "gb18030", "big5")[index % 4 if index % 8 < 4 else (index + 1) % 4]
    n = rng.randint(8, 12)
    if web:
        head_extra, before, after = web_furniture(rng, index, filler)
    else:
        head_extra, before, after = "", "", ""
    head = '<html lang="zh"><head><meta charset="%s"><title>三退声明 第%d期</title>%s</head><body>' % (encoding, index, head_extra)
    nav = '<div class="nav">' + "".join('<a href="/c/%d">栏目%d</a>' % (k, k) for k in range(12)) + "</div>"
    parts = [head, nav, before]
    if kind == "list":
        parts.append('<div class="content">')
        for _ in range(n):
            body, sig, _ = statement(rng, place_list)
            parts.append("<p>%s<br>%s</p>" % (body, sig))
        parts.append("</div>")
    elif kind == "forum":
        for k in range(n):
            body, sig, _ = statement(rng, place_list)
            parts.append('<div class="post"><div class="author">网友%d</div><div class="message">%s<br>%s</div></div>' % (k, body, sig))
    elif kind == "article":
        parts.append('<div class="article"><h1>各地民众声明退出中共组织</h1>')
        for _ in range(n):
            parts.append("<p>%s</p>" % "".join(rng.choice(filler) for _ in range(2)))
            body, sig, _ = statement(rng, place_list)
            parts.append("<blockquote><p>%s %s</p></blockquote>" % (body, sig))
        parts.append("</div>")
    else:
        parts.append('<div class="content">')
        for _ in range(n):
            body, sig, english = statement(rng, place_list)
            parts.append("<p>%s<br>%s</p><p lang=\"en\">Translation: %s</p>" % (body, sig, english))
        parts.append("</div>")
    parts.append(after)
    parts.append('<div class="footer">版权所有 © 2024 声明网站 | <a href="/about">关于我们</a></div></body></html>')
    html = "\n".join(parts)
    if encoding == "big5":
        html = to_traditional(html)
    return html, encoding

MENU = ("首页 新闻 评论 视频 图片 专题 国际 大陆 港澳 台湾 财经 科技 文化 健康 生活 旅游 体育 娱乐 历史 教育 "
        "人权 法治 社会 军事 读者来信 三退声明 海外 书籍 音乐 订阅").split()
CSS_CLASSES = ("header nav menu item active logo search banner sidebar widget title list meta date author share "
               "comment form button footer links copyright ad container row col main content article tags pager").split()

def web_furniture(rng, index, filler):
    """What a crawled page carries besides its statements, about 27 KB of it: a style
    sheet and scripts in the head, a header with search, a menu, a breadcrumb and an ad
    slot before the content; a share bar, a comment form, a sidebar of popular articles
    and tags, a footer of links and tracking scripts after it. Its Chinese (menu, titles)
    is a small share, so the corpus stays above 25,000 Han characters per MB."""
    def css():
        rules = []
        for _ in range(rng.randint(70, 90)):
            a, b = rng.choice(CSS_CLASSES), rng.choice(CSS_CLASSES)
            rules.append(".%s .%s-%d{margin:%dpx %dpx;padding:%dpx;color:#%06x;font-size:%dpx;line-height:1.%d}"
                         % (a, b, rng.randint(1, 9), rng.randint(0, 20), rng.randint(0, 20), rng.randint(0, 12),
                            rng.randint(0, 0xFFFFFF), rng.randint(12, 18), rng.randint(2, 8)))
        return "<style>\n" + "\n".join(rules) + "\n</style>"
    def script(functions):
        lines = []
        for k in range(functions):
            name = "%s_%s%d" % (rng.choice(CSS_CLASSES), rng.choice(CSS_CLASSES), rng.randint(0, 99))
            lines.append("function %s(el, opts) {\n  var cfg = {id: %d, label: \"%s\", timeout: %d, retry: %s};\n"
                         "  if (!el || el.getAttribute('data-%s') === 'done') { return null; }\n"
                         "  for (var i = 0; i < cfg.timeout / 100; i++) { el.style.opacity = i / 10; }\n"
                         "  return window.track && window.track('%s', cfg, opts || {});\n}"
                         % (name, rng.randint(1000, 99999), rng.choice(MENU), rng.randint(100, 5000),
                            rng.choice(("true", "false")), rng.choice(CSS_CLASSES), name))
        return "<script>\n" + "\n".join(lines) + "\n</script>"
    def title():
        sentence = rng.choice(filler)
        return sentence[:rng.randint(10, min(24, len(sentence)))]
    menu = '<ul class="menu">' + "".join('<li class="item"><a href="/%s/%d.html" title="%s">%s</a></li>'
                                          % (rng.choice(CSS_CLASSES), k, label, label) for k, label in enumerate(MENU)) + "</ul>"
    header = ('<div class="header"><div class="logo"><a href="/"><img src="/static/logo.png" alt="声明网站" width="220" height="60"></a></div>'
              '<form class="search" action="/search" method="get"><input type="text" name="q" placeholder="搜索"><button type="submit">搜索</button></form>'
              '<div class="top-links"><a href="/login">登录</a> | <a href="/register">注册</a> | <a href="/rss">订阅</a></div></div>')
    crumb = '<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/c/3">三退声明</a> &gt; 第%d期</div>' % index
    ad = ('<div class="ad" style="display:none"><ins class="adsbygoogle" style="display:inline-block;width:728px;height:90px" '
          'data-ad-client="ca-pub-%d" data-ad-slot="%d"></ins></div>' % (rng.randint(10**15, 10**16), rng.randint(10**9, 10**10)))
    share = ('<div class="share">分享到：' + "".join('<a class="share-%s" href="https://example.com/share?u=/p/%d&amp;s=%s" rel="nofollow">%s</a>'
                                                    % (site, index, site, label) for site, label in
                                                    (("wechat", "微信"), ("weibo", "微博"), ("facebook", "Facebook"), ("twitter", "Twitter"), ("email", "邮件")))
             + "</div>")
    comments = ('<form class="comment-form" action="/comment" method="post"><label>发表评论</label><textarea name="body" rows="5"></textarea>'
                '<input type="text" name="nick" placeholder="昵称"><button type="submit">发表</button></form>')
    popular = "".join('<li><a href="/n/%d.html">%s</a><span class="date">%d-%02d-%02d</span></li>'
                      % (rng.randint(10**5, 10**6), title(), rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28))
                      for _ in range(rng.randint(12, 16)))
    tags = "".join('<a class="tag" href="/tag/%s">%s</a> ' % (label, label) for label in rng.sample(MENU, 12))
    sidebar = '<aside class="sidebar"><div class="widget"><h3>热门文章</h3><ul class="list">%s</ul></div><div class="widget"><h3>标签</h3>%s</div></aside>' % (popular, tags)
    links = "".join('<li><a href="/%s/index.html">%s</a></li>' % (rng.choice(CSS_CLASSES), label) for label in rng.sample(MENU, 20))
    footer = '<div class="links"><ul>%s</ul></div>' % links
    head_extra = ('<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="keywords" content="三退,声明,退党,退团,退队">'
                  '<link rel="stylesheet" href="/static/css/main.%d.css">' % rng.randint(1, 999) + css() + script(rng.randint(14, 20)))
    return head_extra, header + menu + crumb + ad, share + comments + sidebar + footer + script(rng.randint(8, 12))

S2T = None

def to_traditional(text):
    """Simplified to Traditional by the longest phrase of the repository's OpenCC tables
    (STPhrases, then STCharacters' first choice), here rather than by the declproc
    under test: a corpus made with its converter changed whenever the converter did."""
    global S2T
    if S2T is None:
        table, longest = {}, 1
        for name in ("STCharacters.txt", "STPhrases.txt"):
            for line in open(os.path.join(root, "Locales/zh/convert", name), encoding="utf-8"):
                if line.startswith("#") or "\t" not in line:
                    continue
                key, values = line.rstrip("\n").split("\t", 1)
                table[key] = values.split(" ")[0]
                longest = max(longest, len(key))
        S2T = (table, longest)
    table, longest = S2T
    out, i, n = [], 0, len(text)
    while i < n:
        for length in range(min(longest, n - i), 0, -1):
            value = table.get(text[i:i + length])
            if value is not None:
                out.append(value)
                i += length
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)

def build():
    if os.path.exists(os.path.join(corpus_dir, "DONE")):
        return
    shutil.rmtree(corpus_dir, ignore_errors=True)
    os.makedirs(corpus_dir)
    rng, place_list, filler = random.Random(SEED), places(), filler_sentences()
    total = 0
    index = 0
    while index < 1000 or total < 30_000_000:
        html, encoding = page(rng, index, place_list, filler)
        data = html.encode(encoding, errors="xmlcharrefreplace")
        with open(os.path.join(corpus_dir, "page-%05d.html" % index), "wb") as f:
            f.write(data)
        total += len(data)
        index += 1
    open(os.path.join(corpus_dir, "DONE"), "w").close()

# Characters written the same in Simplified and Traditional (and present in Big5), so a
# changed name reads right on every page of the corpus.
NEUTRAL_SURNAMES = "王李林高何周朱胡郭宋唐田石白方孔金史"
NEUTRAL_GIVEN = "明平文玉英海春立新志德永秀梅芳安宇"
DECLARANT = re.compile("(声明人：|聲明人：|Declarant: )([^\\s<]+)")
DATE = re.compile("(\\d{4})年(\\d{1,2})月(\\d{1,2})日")

def scaled(megabytes):
    """The corpus grown to `megabytes` by copies of its pages: copy k changes every
    declarant (a name drawn from k and the original) and moves every date by k days, so
    no statement repeats another (dates stay valid, 28 days a month, up to 336 copies)."""
    directory = "/tmp/declproc-bench-corpus-%dmb" % megabytes
    if os.path.exists(os.path.join(directory, "DONE")):
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    names = sorted(n for n in os.listdir(corpus_dir) if n.endswith(".html"))
    total, copy = 0, 0
    while total < megabytes * 1_000_000:
        if copy > 335:
            sys.exit("--scale: more than 336 copies would repeat dates")
        for name in names:
            data = open(os.path.join(corpus_dir, name), "rb").read()
            charset = re.search(rb'charset="([^"]+)"', data).group(1).decode()
            text = data.decode(charset)
            if copy:
                def person(match):
                    rng = random.Random("%d %s" % (copy, match.group(2)))
                    return match.group(1) + rng.choice(NEUTRAL_SURNAMES) + "".join(
                        rng.choice(NEUTRAL_GIVEN) for _ in range(rng.choice((1, 2))))
                def moved(match):
                    day = int(match.group(3)) - 1 + copy
                    month = (int(match.group(2)) - 1 + day // 28) % 12 + 1
                    return "%s年%d月%d日" % (match.group(1), month, day % 28 + 1)
                text = DATE.sub(moved, DECLARANT.sub(person, text))
            out = text.encode(charset, errors="xmlcharrefreplace")
            with open(os.path.join(directory, "copy%03d-%s" % (copy, name)), "wb") as f:
                f.write(out)
            total += len(out)
            if total >= megabytes * 1_000_000:
                break
        copy += 1
    open(os.path.join(directory, "DONE"), "w").close()
    return directory

def at_scale(megabytes):
    directory = scaled(megabytes)
    pages = size = 0
    for name in os.listdir(directory):
        if name.endswith(".html"):
            pages += 1
            size += os.path.getsize(os.path.join(directory, name))
    print("corpus: %d pages, %.1f MB of HTML, in %s" % (pages, size / 1e6, directory))
    out = "/tmp/declproc-bench-out-%dmb" % megabytes
    shutil.rmtree(out, ignore_errors=True)
    summary = os.path.join(out, "summary.json")
    seconds, rss, err = run([binary, "extract", directory, "--out-dir", out, "--quiet"])
    if err.startswith("exit status"):
        sys.exit("declproc extract failed: " + err)
    print("declproc extract (all cores): %.1f s, %.2f MB/s of HTML, peak %.0f MB" % (seconds, size / 1e6 / seconds, rss))
    counts = json.load(open(summary))
    print("summary (%s): %s" % (summary, ", ".join("%s %s" % (k, v) for k, v in counts.items() if not isinstance(v, (dict, list)))))

def corpus_stats():
    size = han = pages = 0
    for name in sorted(os.listdir(corpus_dir)):
        if not name.endswith(".html"):
            continue
        data = open(os.path.join(corpus_dir, name), "rb").read()
        charset = re.search(rb'charset="([^"]+)"', data).group(1).decode()
        text = data.decode(charset, errors="replace")
        han += sum(1 for c in text if "\u3400" <= c <= "\u9fff")
        size += len(data)
        pages += 1
    return pages, size, han

MAXRSS = "declproc-bench-maxrss "

def run(argv):
    """Seconds, peak resident MB and stderr of a run. The peak is GNU time's (%M): a
    child's own ru_maxrss starts at its parent's peak (Linux carries the forked copy's
    high-water mark across exec), so read from here it was never below this script's
    own peak, 115 MB in a run that has just built the web corpus."""
    start = time.perf_counter()
    # stderr to a file, read afterwards: a pipe read only after the process ends would
    # stall a peer that writes more than the pipe holds (trafilatura's warnings).
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(["/usr/bin/time", "-f", MAXRSS + "%M"] + argv, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, _ = os.wait4(proc.pid, 0)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    seconds = time.perf_counter() - start
    lines = err.rstrip("\n").split("\n")
    rss = 0.0
    if lines and lines[-1].startswith(MAXRSS):
        rss = int(lines[-1][len(MAXRSS):]) / 1024
        err = "\n".join(lines[:-1])
    if os.WIFSIGNALED(status):
        err = "exit status: killed by signal %d: %s" % (os.WTERMSIG(status), err)
    elif status != 0:
        err = "exit status %d: %s" % (os.WEXITSTATUS(status), err)
    return seconds, rss, err

def machine():
    """The processor the figures were measured on: the project's machines have changed
    under it (docs/batch.md, session 42), and one figure of MB/s means little without it."""
    fields = {}
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        return "machine: unknown (no /proc/cpuinfo)"
    flags = fields.get("flags", "").split()
    vectors = [f for f in ("avx2", "avx512f") if f in flags]
    return "machine: %s, family %s model %s, %d cores, %s" % (
        fields.get("model name", "unknown"), fields.get("cpu family", "?"), fields.get("model", "?"),
        os.cpu_count() or 1, " ".join(vectors) or "no AVX2")

def main():
    if not os.access(binary, os.X_OK):
        sys.exit("build first: Scripts/build")
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("GNU time measures peak memory: run Scripts/setup (apt-get install time)")
    build()
    print(machine())
    if scale:
        return at_scale(scale)
    pages, size, han = corpus_stats()
    print("corpus: %d pages, %.1f MB of HTML, %d Han characters (%.0f per MB), in %s" % (pages, size / 1e6, han, han / (size / 1e6), corpus_dir))
    # The fastest of three: the first run after a while reads Locales/ and the compiled
    # tables from a cold page cache, which says more about the disk than about start-up.
    startup = min(run([binary, "extract", "/dev/null/none", "--out-dir", "/tmp/declproc-bench-empty", "--force", "--quiet"])[0]
                  for _ in range(3))
    print("start-up (Locales loaded, no page; fastest of 3): %.2f s" % startup)
    cores = os.cpu_count() or 1
    # This machine class drifts by tens of percent from one minute to the next, so the
    # ratios are measured in alternating rounds: each round runs --jobs 1, --jobs with
    # all cores, and every installed peer, one after the other, and the fastest run of
    # each counts (as Scripts/bench.py does for the text engine's ratios).
    best = {}
    def keep(name, seconds, rss=0.0, extra=None):
        if name not in best or seconds < best[name][0]:
            best[name] = (seconds, rss, extra)
    installed = {label: spec for label, spec in PEER_SCRIPTS.items() if not missing_modules(spec[0])}
    for label, (modules, _) in PEER_SCRIPTS.items():
        if label not in installed:
            print("%s: not installed (%s), not measured" % (label, ", ".join(missing_modules(modules))))
    def one_and_all():
        for jobs in (1, cores):
            out = "/tmp/declproc-bench-out-%d" % jobs
            shutil.rmtree(out, ignore_errors=True)
            seconds, rss, err = run([binary, "extract", corpus_dir, "--out-dir", out, "--jobs", str(jobs), "--quiet"])
            if err.startswith("exit status"):
                sys.exit("declproc extract --jobs %d failed: %s" % (jobs, err))
            statements = sum(1 for _ in open(os.path.join(out, "records.jsonl")))
            keep("jobs %d" % jobs, seconds, rss, statements)
    for round_number in range(ROUNDS):
        # One core and all cores twice a round (they are quick next to the Python
        # pipeline), so their ratio has twice the chances at a quiet minute.
        one_and_all()
        times = stage_times(cores)
        keep("extraction", times["extraction"], extra=times)
        # Extraction on one job as well: the peers run as one process on one core,
        # while with all cores busy each stage's CPU time also pays for the other
        # threads' use of the shared caches and memory.
        if cores > 1:
            keep("extraction, one job", stage_times(1)["extraction"])
        for label, (_, script) in list(installed.items()):
            seconds, rss, err = run([sys.executable, "-c", script, corpus_dir])
            if err.startswith("exit status"):
                # Reported once and not run again; its earlier rounds are not counted.
                print("%s: failed: %s" % (label, err.strip().splitlines()[-1]))
                del installed[label]
                best.pop(label, None)
                best.pop(label + ", work", None)
                continue
            keep(label, seconds, rss)
            # The extraction peers also time their loop, without the interpreter's
            # start-up and imports: declproc's side of that ratio is CPU seconds of its
            # stages, which leave out its own start-up too.
            work = work_seconds(err)
            if work is not None:
                keep(label + ", work", work)
        one_and_all()
        print("round %d of %d done" % (round_number + 1, ROUNDS), file=sys.stderr)
    one = best["jobs 1"][0]
    for jobs in (1, cores):
        seconds, rss, statements = best["jobs %d" % jobs]
        print("declproc extract --jobs %d (fastest of %d): %.1f s, %.1f pages/s, %.2f MB/s of HTML, %.0f Han chars/s, %d statements, peak %.0f MB%s"
              % (jobs, 2 * ROUNDS, seconds, pages / seconds, size / 1e6 / seconds, han / seconds, statements, rss,
                 "" if jobs == 1 else ", %.2fx one job" % (one / seconds)))
    stages(pages, size, han, cores, best["extraction"][2])
    for label in installed:
        if label not in best:
            continue
        seconds, rss, _ = best[label]
        print("%s (fastest of %d): %.1f s, %.2f MB/s of HTML, %.0f Han chars/s, peak %.0f MB; declproc --jobs 1 is %.2fx its speed"
              % (label, ROUNDS, seconds, size / 1e6 / seconds, han / seconds, rss, seconds / one))
        if "extraction only" in label:
            work = best.get(label + ", work", (seconds,))[0]
            print("  its work alone (CPU seconds of its loop, without the interpreter's start-up and imports): %.2f s" % work)
            print("  declproc's extraction alone (read, decode, parse, extract stages; fastest of %d) is %.2fx its work's speed"
                  " (%.2fx its whole process's)" % (ROUNDS, work / best["extraction"][0], seconds / best["extraction"][0]))
            if "extraction, one job" in best:
                print("  the same with one job (one process on one core, as the peer runs): %.2fx its work's speed (%.2fx its whole process's)"
                      % (work / best["extraction, one job"][0], seconds / best["extraction, one job"][0]))
    if RESILIPARSE in installed:
        real_pages()


def work_seconds(err):
    """The CPU seconds an extraction peer's loop took, as it reports them on stderr."""
    found = re.findall(r"work seconds: ([0-9.]+)", err)
    return float(found[-1]) if found else None

RESILIPARSE = "resiliparse (extraction only)"


REAL_DIR = "/tmp/declproc-bench-real"
REAL_COPIES = 40

def real_pages():
    """Extraction on real pages next to resiliparse's: the benchmark corpus is dense
    with statements and light on markup, while crawled pages are mostly markup
    (navigation, scripts, inline styles, ads). The four real Chinese news and blog
    pages of Tests/Fixtures/readability-zh (140-470 KB each, with their licence there),
    copied REAL_COPIES times. Both sides are CPU seconds of the work alone: declproc's
    extraction stages on one job, resiliparse's loop measured inside its process
    (without the interpreter's start-up and imports)."""
    fixtures = os.path.join(root, "Tests/Fixtures/readability-zh")
    sources = sorted(os.path.join(fixtures, d, "source.html") for d in os.listdir(fixtures)
                     if os.path.exists(os.path.join(fixtures, d, "source.html")))
    if not os.path.exists(os.path.join(REAL_DIR, "DONE")):
        shutil.rmtree(REAL_DIR, ignore_errors=True)
        os.makedirs(REAL_DIR)
        for source in sources:
            name = os.path.basename(os.path.dirname(source))
            for copy in range(REAL_COPIES):
                shutil.copyfile(source, os.path.join(REAL_DIR, "%s-%02d.html" % (name, copy)))
        open(os.path.join(REAL_DIR, "DONE"), "w").close()
    size = sum(os.path.getsize(s) for s in sources) * REAL_COPIES
    mine, theirs = float("inf"), float("inf")
    for _ in range(max(3, ROUNDS)):
        mine = min(mine, stage_times(1, REAL_DIR)["extraction"])
        _, _, err = run([sys.executable, "-c", PEER_SCRIPTS[RESILIPARSE][1], REAL_DIR])
        work = work_seconds(err)
        if err.startswith("exit status") or work is None:
            print("resiliparse on real pages: failed: %s" % err.strip().splitlines()[-1:])
            return
        theirs = min(theirs, work)
    print("real pages (%d pages, %d real ones x%d, %.1f MB; fastest of %d): declproc's extraction alone %.2f s CPU (%.1f MB/s), "
          "resiliparse %.2f s CPU (%.1f MB/s): %.2fx its speed"
          % (len(sources) * REAL_COPIES, len(sources), REAL_COPIES, size / 1e6, max(3, ROUNDS), mine, size / 1e6 / mine,
             theirs, size / 1e6 / theirs, theirs / mine))

STAGES = ["read", "decode", "parse", "extract", "declaration", "normalize", "segment", "transliterate", "convert", "align",
          "records", "deduplicate", "write", "other"]
EXTRACTION = ["read", "decode", "parse", "extract"]

def stage_times(cores, directory=None):
    """CPU seconds per stage from a run with --stage-times, with "extraction" (reading,
    decoding, parsing, finding statements and metadata) added."""
    out = "/tmp/declproc-bench-out-stages"
    shutil.rmtree(out, ignore_errors=True)
    seconds, _, err = run([binary, "extract", directory or corpus_dir, "--out-dir", out, "--jobs", str(cores), "--quiet", "--stage-times"])
    if err.startswith("exit status"):
        sys.exit("declproc extract --stage-times failed: " + err)
    times = json.load(open(os.path.join(out, "summary.json")))["stage_seconds"]
    times["extraction"] = sum(times.get(stage, 0.0) for stage in EXTRACTION)
    return times

def stages(pages, size, han, cores, times):
    """Throughput per stage, from a run with --stage-times (CPU seconds per stage, summed
    over the threads: a stage's figures are what one core does)."""
    times = {k: v for k, v in times.items() if k != "extraction"}
    total = sum(times.values())
    print("per stage (extract --stage-times --jobs %d; CPU seconds, so each stage's rate is one core's):" % cores)
    print("  %-14s %8s %6s %10s %8s %14s" % ("stage", "CPU s", "share", "pages/s", "MB/s", "Han chars/s"))
    def row(name, t):
        rate = (lambda x: x / t) if t > 0 else (lambda x: float("inf"))
        print("  %-14s %8.2f %5.1f%% %10.0f %8.2f %14.0f" % (name, t, 100 * t / total, rate(pages), rate(size / 1e6), rate(han)))
    for stage in STAGES:
        row(stage, times.get(stage, 0.0))
    row("extraction", sum(times.get(stage, 0.0) for stage in EXTRACTION))
    row("end to end", total)

PEER_SCRIPTS = {
    # A Python pipeline doing what declproc does, with the usual libraries: parse (lxml),
    # main text (the paragraphs), convert both ways (OpenCC), segment (jieba), Pinyin
    # (pypinyin, tone marks and numbers), one JSON line per paragraph.
    "python pipeline (lxml, OpenCC, jieba, pypinyin)": ("lxml opencc jieba pypinyin", r"""
import json, os, re, sys
import lxml.html, opencc, jieba, pypinyin
jieba.setLogLevel(60); jieba.initialize()
t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
out = open(os.devnull, "w")
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".html"): continue
    data = open(os.path.join(sys.argv[1], name), "rb").read()
    charset = re.search(rb'charset="([^"]+)"', data).group(1).decode()
    tree = lxml.html.fromstring(data.decode(charset, errors="replace"))
    for p in tree.xpath('//p | //div[@class="message"]'):
        text = p.text_content().strip()
        if len(text) < 20 or not re.search("[一-鿿]", text): continue
        simplified = t2s.convert(text)
        words = list(jieba.cut(simplified))
        out.write(json.dumps({"text": text, "simplified": simplified, "traditional": s2t.convert(simplified), "words": words,
            "pinyin": " ".join(x[0] for x in pypinyin.pinyin(simplified)),
            "pinyin_numbers": " ".join(x[0] for x in pypinyin.pinyin(simplified, style=pypinyin.Style.TONE3))}, ensure_ascii=False) + chr(10))
"""),
    "trafilatura (extraction only)": ("trafilatura", r"""
import os, re, sys, time, trafilatura
start = time.process_time()
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".html"): continue
    data = open(os.path.join(sys.argv[1], name), "rb").read()
    trafilatura.extract(data)
print("work seconds: %f" % (time.process_time() - start), file=sys.stderr)
"""),
    RESILIPARSE: ("resiliparse", r"""
import os, sys, time
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
start = time.process_time()
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".html"): continue
    data = open(os.path.join(sys.argv[1], name), "rb").read()
    extract_plain_text(bytes_to_str(data, detect_encoding(data)), main_content=True)
print("work seconds: %f" % (time.process_time() - start), file=sys.stderr)
"""),
}


def missing_modules(modules):
    return [m for m in modules.split() if not importable(m)]


def importable(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
