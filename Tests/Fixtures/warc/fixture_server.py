#!/usr/bin/env python3
"""A loopback HTTP server for recording WARC fixtures with real HTTP headers.

Serves files from a folder. Query parameters choose how a response is sent, so one
recorded archive covers what crawlers meet: ?chunked=1 (Transfer-Encoding: chunked),
?gzip=1 (Content-Encoding: gzip), ?deflate=1, ?charset=NAME (in Content-Type),
?type=MIME, ?status=404.
Usage: fixture_server.py FOLDER PORT   (binds 127.0.0.1 only)
"""
import gzip, http.server, os, sys, urllib.parse, zlib

ROOT = sys.argv[1]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        path = os.path.join(ROOT, os.path.basename(url.path))
        status = int(q.get("status", "200"))
        try:
            body = open(path, "rb").read()
        except OSError:
            status, body = 404, b"<html><body><h1>404</h1></body></html>"
        ctype = q.get("type", "text/html")
        if "charset" in q:
            ctype += "; charset=" + q["charset"]
        headers = [("Content-Type", ctype), ("Server", "declproc-fixture")]
        if q.get("gzip"):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        elif q.get("deflate"):
            body = zlib.compress(body)
            headers.append(("Content-Encoding", "deflate"))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if q.get("chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 700):
                part = body[i:i + 700]
                self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
