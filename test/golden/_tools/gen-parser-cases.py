#!/usr/bin/env python3
"""Golden cases for the scenarios that read Palisade's own log types (hand oracle: CrowdSec
1.4.6 cannot produce these events). Deterministic; run from the repository root:
python3 test/golden/_tools/gen-parser-cases.py. Each case's README.md gives the arithmetic."""
import os
from datetime import datetime, timedelta

ROOT = os.path.join(os.path.dirname(__file__), "..")
T0 = datetime(2026, 3, 3, 10, 0, 0)


def syslog(t, host, prog, msg):
    return f"{t.strftime('%b')} {t.day:2d} {t.strftime('%H:%M:%S')} {host} {prog}: {msg}"


def write(case, lines):
    d = os.path.join(ROOT, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input.log"), "w") as f:
        f.write("\n".join(l for _, l in sorted(lines, key=lambda x: x[0])) + "\n")


def at(s):
    return T0 + timedelta(seconds=s)


def ssh_scanner_noise():
    out = []
    # A scanner: 8 connections in 35 s that never identify (two forms), pid per connection.
    for i in range(8):
        t, pid = at(i * 5), 3000 + i
        if i % 2 == 0:
            out.append((t, syslog(t, "bastion", f"sshd[{pid}]", "Did not receive identification string from 203.0.113.190 port %d" % (40000 + i))))
        else:
            out.append((t, syslog(t, "bastion", f"sshd[{pid}]", "error: kex_exchange_identification: Connection closed by remote host")))
            out.append((t, syslog(t, "bastion", f"sshd[{pid}]", "Connection closed by 203.0.113.190 port %d" % (40000 + i))))
    # A guesser's one connection: 4 attempts, then sshd's summaries of them.
    pid, ip = 3100, "198.51.100.191"
    out.append((at(100), syslog(at(100), "bastion", f"sshd[{pid}]", f"Connection from {ip} port 51514 on 192.0.2.1 port 22")))
    for k in range(4):
        t = at(101 + k)
        out.append((t, syslog(t, "bastion", f"sshd[{pid}]", f"Failed password for root from {ip} port 51514 ssh2")))
    t = at(105)
    out.append((t, syslog(t, "bastion", f"sshd[{pid}]", f"error: maximum authentication attempts exceeded for root from {ip} port 51514 ssh2 [preauth]")))
    out.append((t, syslog(t, "bastion", f"sshd[{pid}]", "Disconnecting: Too many authentication failures [preauth]")))
    out.append((t, syslog(t, "bastion", f"sshd[{pid}]", f"PAM 3 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user=root")))
    out.append((at(106), syslog(at(106), "bastion", f"sshd[{pid}]", f"Received disconnect from {ip} port 51514:11:  [preauth]")))
    # A monitoring client with an outdated key exchange, once a minute for 10 minutes.
    for m in range(10):
        t = at(200 + m * 60)
        out.append((t, syslog(t, "bastion", f"sshd[{3200 + m}]", "Unable to negotiate with 192.0.2.192 port %d: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]" % (50000 + m))))
    write("ssh-scanner-noise", out)


def apache(t, frac, module, pid, client, msg):
    stamp = t.strftime("%a %b %d %H:%M:%S") + (f".{frac:06d}" if frac is not None else "") + t.strftime(" %Y")
    if module is None:
        return f"[{stamp}] [error] [client {client}] {msg}"
    return f"[{stamp}] [{module}] [pid {pid}] [client {client}] {msg}"


def http_error_apache():
    out = []
    users = ["admin", "root", "test", "user", "guest", "oracle", "backup", "www"]
    for i, u in enumerate(users):  # 8 refused credentials, 2 s apart (Apache 2.2)
        t = at(i * 2)
        msg = f"user {u} not found: /private" if i % 2 else f'user {u}: authentication failure for "/private": Password Mismatch'
        out.append((t, apache(t, None, None, 0, "203.0.113.200", msg)))
    paths = ["phpmyadmin", "pma", "mysql", "webmail", "roundcube", "admin.php", "wp-login.php", "xmlrpc.php", "cgi-bin/test.cgi", "shell.php", "backup.zip", "old", "db.sql", "config.bak"]
    for i, p in enumerate(paths):  # 14 distinct missing paths, 0.5 s apart (2.4 and 2.2)
        t = at(30 + i // 2)
        if i % 3 == 0:
            out.append((t, apache(t, 100000 + i, "core:info", 4101, f"203.0.113.201:{46000 + i}", f"AH00128: File does not exist: /var/www/html/{p}")))
        elif i % 3 == 1:
            out.append((t, apache(t, None, None, 0, "203.0.113.201", f"File does not exist: /var/www/html/{p}")))
        else:
            out.append((t, apache(t, 200000 + i, "cgi:error", 4102, f"203.0.113.201:{47000 + i}", f"AH02811: script not found or unable to stat: /var/www/html/{p}")))
    for i in range(2):  # 2 unparseable requests 20 s apart (one hub-read, one Apache 2.2)
        t = at(60 + i * 20)
        if i == 0:
            out.append((t, apache(t, 105212, "core:error", 17408, "203.0.113.202:55280", "AH00126: Invalid URI in request GET /static/../../../a/../../../../etc/passwd HTTP/1.1")))
        else:
            out.append((t, apache(t, None, None, 0, "203.0.113.202", "request failed: URI too long (longer than 8190)")))
    for i in range(3):  # a browser: the missing favicon on three pages
        t = at(100 + i * 7)
        out.append((t, apache(t, None, None, 0, "192.0.2.203", "File does not exist: /var/www/html/favicon.ico, referer: https://www.example.org/")))
    out.append((at(110), apache(at(110), None, None, 0, "192.0.2.203", 'user alice: authentication failure for "/private": Password Mismatch')))
    for i in range(2):  # a visitor sent away from an admin area twice
        t = at(120 + i * 30)
        out.append((t, apache(t, 8606, "authz_core:error", 10691, f"192.0.2.204:{44271 + i}", "AH01630: client denied by server configuration: /var/www/html/server-status")))
    write("http-error-apache", out)


def nginx(t, msg, client, req="GET / HTTP/1.1"):
    return f"{t.strftime('%Y/%m/%d %H:%M:%S')} [error] 1925#1925: *{int(t.timestamp()) % 100000} {msg}, client: {client}, server: www.example.org, request: \"{req}\", host: \"www.example.org\""


def http_error_nginx():
    out = []
    for i in range(7):  # 7 wrong passwords, 2 s apart
        t = at(i * 2)
        out.append((t, nginx(t, 'user "admin": password mismatch', "203.0.113.210", "GET /admin/ HTTP/1.1")))
    for i in range(12):  # 12 distinct missing files, 0.5 s apart
        t = at(30 + i // 2)
        p = f"probe{i}.php"
        out.append((t, nginx(t, f'open() "/usr/share/nginx/html/{p}" failed (2: No such file or directory)', "203.0.113.211", f"GET /{p} HTTP/1.1")))
    for i in range(5):  # a browser's Basic-auth challenges, then one mistyped password
        t = at(60 + i * 10)
        out.append((t, nginx(t, "no user/password was provided for basic authentication", "192.0.2.212", "GET /admin/ HTTP/1.1")))
    out.append((at(65), nginx(at(65), 'user "alice": password mismatch', "192.0.2.212", "GET /admin/ HTTP/1.1")))
    for i in range(4):  # stale favicon links
        t = at(70 + i * 3)
        out.append((t, nginx(t, 'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)', "192.0.2.213", "GET /favicon.ico HTTP/1.1")))
    write("http-error-nginx", out)


def mail_rejects():
    out = []
    for i in range(15):  # a harvester: 15 unknown recipients in 56 s
        t = at(i * 4)
        out.append((t, syslog(t, "mx1", f"postfix/smtpd[{5000 + i}]", f"NOQUEUE: reject: RCPT from unknown[203.0.113.220]: 550 5.1.1 <user{i}@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<x@example.net> to=<user{i}@example.org> proto=ESMTP helo=<x.example.net>")))
    for i in range(7):  # SASL guessing, the client's port in the line
        t = at(100 + i * 5)
        out.append((t, syslog(t, "mx1", "postfix/submission/smtpd[5100]", f"warning: unknown[203.0.113.221]:{55000 + i}: SASL LOGIN authentication failed: authentication failure")))
    for i in range(7):  # IMAP guessing through PAM, reported by the auth process
        t = at(200 + i * 5)
        out.append((t, syslog(t, "mx1", "dovecot", f"auth: pam(user{i},198.51.100.222): pam_authenticate() failed: Authentication failure (password mismatch?)")))
    for i in range(2):  # a real server's two mistyped recipients
        t = at(300 + i * 20)
        out.append((t, syslog(t, "mx1", f"postfix/smtpd[{5200 + i}]", f"NOQUEUE: reject: RCPT from mail.example.net[192.0.2.223]: 550 5.1.1 <bob{i}@example.org>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@example.net> to=<bob{i}@example.org> proto=ESMTP helo=<mail.example.net>")))
    for i in range(6):  # the SASL backend down: not the client's fault
        t = at(400 + i * 2)
        out.append((t, syslog(t, "mx1", "postfix/smtpd[5300]", "warning: unknown[192.0.2.224]: SASL LOGIN authentication failed: Connection lost to authentication server")))
    write("mail-rejects", out)


ssh_scanner_noise()
http_error_apache()
http_error_nginx()
mail_rejects()
