#!/usr/bin/env bash
# Records the WARC fixtures in this folder with wget --warc-file against a loopback
# server (fixture_server.py) serving pages from Samples/, so the archives carry real
# HTTP headers: plain, chunked, gzip- and deflate-encoded responses, a charset in
# Content-Type, a 404, and a non-HTML response. Run from anywhere; needs wget.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
samples=$(cd "$here/../../../Samples" && pwd)
port=${PORT:-8731}
python3 "$here/fixture_server.py" "$samples" "$port" & server=$!
trap 'kill $server' EXIT
sleep 1
base="http://127.0.0.1:$port"
cat > "$here/urls.txt" <<URLS
$base/list-gb18030.html
$base/big5-traditional.html?chunked=1
$base/joint-declaration.html?gzip=1
$base/english-support.html?gzip=1&chunked=1
$base/news-article.html?deflate=1
$base/hongkong-traditional-utf8.html?charset=utf-8
$base/mislabelled-utf8.html?charset=gb2312
$base/missing-page.html
$base/README.md?type=text/markdown
URLS
cd "$here"
rm -f wget-samples.warc.gz
# --no-warc-keep-log keeps wget's own log out of the archive; -O /dev/null: only the WARC matters.
wget --quiet --input-file=urls.txt --warc-file=wget-samples --no-warc-keep-log --no-warc-digests \
     --warc-header="operator: declproc fixtures" -O /dev/null --tries=1 || true
rm -f urls.txt
ls -l wget-samples.warc.gz
