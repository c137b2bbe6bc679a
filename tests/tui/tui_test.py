#!/usr/bin/env python3
"""tui_test.py -- drive the real `dbperf tui` inside tmux and assert on the screen.

    tui_test.py offline DBPERF SRCDIR   the bundled samples and a saved JSON report:
                                        every view, sorting, filtering, plan folding,
                                        help, resize, quitting and signals, at 80x24,
                                        with TERM=xterm-256color (UTF-8), TERM=vt100
                                        (ASCII, no colour) and NO_COLOR=1
    tui_test.py live DBPERF SRCDIR      a throwaway PostgreSQL (scripts/pg-server.sh,
                                        ports 55960-55969): `tui -d 1` shows per-interval
                                        deltas, lists indexes, and survives the server
                                        going away (status line says unreachable)

Each test runs in its own tmux server (-L dbperf-test-PID), in a fixed 80x24 window;
the screen is polled with capture-pane until an expectation holds or a timeout passes
(no fixed sleeps). Expected values come from `dbperf audit --format json` on the same
inputs, not from constants. Prints "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

MODE, BIN, SRC = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
SAMPLES = [os.path.join(SRC, "sql/demo/samples", f)
           for f in ("shop-postgresql.log", "shop-mariadb-slow.log", "shop-orders-plan.json")]
SOCK = "dbperf-test-%d" % os.getpid()
PROMPT = "READY$ "
passed = failed = 0
WORK = tempfile.mkdtemp(prefix="dbptui.", dir="/tmp")
os.chmod(WORK, 0o755)


def tmux(*args, check=True):
    r = subprocess.run(["tmux", "-L", SOCK] + list(args), capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def screen(escapes=False):
    args = ["capture-pane", "-p", "-t", "t"]
    if escapes:
        args.insert(1, "-e")
    return tmux(*args, check=False)


def lines():
    return screen().split("\n")


def wait_for(cond, timeout=10.0):
    """Poll the screen until cond(text) is true; returns the last screen and the result."""
    end = time.time() + timeout
    while True:
        s = screen()
        try:
            ok = cond(s)
        except Exception:
            ok = False
        if ok or time.time() > end:
            return s, bool(ok)
        time.sleep(0.05)


def check(name, ok, shown=None):
    global passed, failed
    if ok:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("FAIL - %s" % name)
        print("---- screen ----\n%s\n----------------" % (shown if shown is not None else screen()))


def expect(name, cond, timeout=10.0):
    s, ok = wait_for(cond if callable(cond) else (lambda t: cond in t), timeout)
    check(name, ok, s)
    return ok


def keys(*k):
    tmux("send-keys", "-t", "t", *k)


def literal(text):
    tmux("send-keys", "-t", "t", "-l", text)


def new_session(env):
    """A fresh tmux server with one 80x24 window running a plain bash with a known prompt."""
    tmux("kill-server", check=False)
    exports = " ".join("%s=%s" % kv for kv in env.items())
    rc = os.path.join(WORK, "bashrc")
    with open(rc, "w") as f:
        f.write("PS1='%s'\nunset PROMPT_COMMAND\nulimit -c 0\n" % PROMPT)
    for attempt in range(5):
        # the previous server may still be going away: retry a few times
        r = subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null", "new-session", "-d", "-s", "t",
                            "-x", "80", "-y", "24",
                            "env %s bash --noprofile --rcfile %s -i" % (exports, rc)],
                           capture_output=True, text=True)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    else:
        raise RuntimeError("tmux new-session: " + r.stderr.strip())
    tmux("set-option", "-g", "status", "off")
    tmux("set-option", "-g", "set-clipboard", "on")
    wait_for(lambda s: PROMPT.strip() in s, 10)


def run_tui(args, env):
    new_session(env)
    keys("clear; %s tui %s; echo EXIT=$?" % (BIN, args), "Enter")
    return expect("tui starts (%s, %s)" % (args[:50], env.get("TERM")), "1:Statements")


def prompt_back(name, code):
    """The tui exited with code and the shell owns the terminal again. code None: an
    interactive bash abandons the command line after a Ctrl-C, so only the prompt shows."""
    if code is None:
        s, ok = wait_for(lambda t: "EXIT=" not in t and t.strip().endswith(PROMPT.strip()))
        check(name + ": the shell prompt is back", ok, s)
    else:
        s, ok = wait_for(lambda t: ("EXIT=%d" % code) in t
                         and PROMPT.strip() in t.split("EXIT=")[-1])
        check(name + ": exit status %d and the shell prompt is back" % code, ok, s)
    alt = tmux("display-message", "-p", "-t", "t", "#{alternate_on}", check=False).strip()
    check(name + ": terminal restored (alternate screen off)", alt == "0", "alternate_on=" + alt)
    check(name + ": the UI is gone", "1:Statements" not in screen())


def row_cells(line):
    return line.split()


def dbperf_pid():
    pane = tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip()
    out = subprocess.run(["pgrep", "-P", pane], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|4[0-7]|38;5;\d+|48;5;\d+|9[0-7])[;m]")


# --------------------------------------------------------------------------- offline

def open_pg_count_plan():
    """Filter to the PostgreSQL class with an auto_explain plan, select it, press Enter."""
    keys("/")
    literal("count(*) FROM orders WHERE created_at")
    keys("Enter")
    s, ok = wait_for(lambda t: 'filter "count(*)' in t)
    rows = s.split("\n")[2:22]
    idx = next((i for i, l in enumerate(rows) if "SELECT count(*) FROM orders" in l), None)
    check("filter to the PostgreSQL statement with an auto_explain plan", ok and idx is not None, s)
    for _ in range(idx or 0):
        keys("Down")
    keys("Enter")


def offline():
    report = os.path.join(WORK, "report.json")
    with open(report, "w") as f:
        subprocess.run([BIN, "audit", "--format", "json", "-n", "0"] + SAMPLES, stdout=f,
                       stderr=subprocess.DEVNULL)
    rep = json.load(open(report))
    stmts = rep["statements"]
    n_stmts = len(stmts)
    utf8 = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "NO_COLOR": ""}
    samples = " ".join(SAMPLES)

    # ---- statements view, sorting -------------------------------------------------
    run_tui(samples, utf8)
    top_total = max(stmts, key=lambda s: s["total_ms"])
    expect("statements view: header and columns", lambda s: "TOTAL ms" in s and "STATEMENT" in s
           and "P95 ms" in s)
    expect("statements view: slowest class in total first (as the JSON report says)",
           lambda s: s.split("\n")[2].split()[1] == str(top_total["calls"])
           and top_total["text"][:20] in s.split("\n")[2])
    expect("statements view: long statements cut to the terminal width",
           lambda s: any(l.rstrip().endswith("~") and len(l.rstrip()) == 80 for l in s.split("\n")))
    expect("statements view: rows fill the page", lambda s: len([l for l in s.split("\n")[2:22]
                                                                  if l.strip()]) == min(20, n_stmts))
    keys("s")
    max_calls = max(s["calls"] for s in stmts)
    expect("sort by calls", lambda s: "sorted by calls" in s
           and s.split("\n")[2].split()[1] == str(max_calls))
    keys("s")
    expect("sort by mean", lambda s: "sorted by mean" in s)
    keys("s")
    top_p95 = max((s for s in stmts if s["p95_ms"] is not None), key=lambda s: s["p95_ms"])
    expect("sort by p95: highest p95 first", lambda s: "sorted by p95" in s
           and top_p95["text"][:15] in s.split("\n")[2])
    keys("s")
    max_rows = max(s["rows_returned"] or 0 for s in stmts)
    expect("sort by rows", lambda s: "sorted by rows" in s
           and s.split("\n")[2].split()[4] == str(max_rows))
    keys("s")
    expect("sort wraps around to total", lambda s: "sorted by total" in s
           and top_total["text"][:20] in s.split("\n")[2])

    # ---- filter -----------------------------------------------------------------
    word = "customers"
    n_match = sum(1 for s in stmts if word in s["text"].lower() or word in (s["database"] or ""))
    keys("/")
    expect("filter prompt", "Filter:")
    literal(word)
    keys("Enter")
    expect("filter: matching count from the report",
           'filter "%s": %d of %d' % (word, n_match, n_stmts))
    s = screen().split("\n")
    rows = [l for l in s[2:22] if l.strip()]
    check("filter: every row shown matches", len(rows) == n_match
          and all(word[:6] in l.lower() for l in rows))
    keys("Escape")
    expect("Esc clears the filter", lambda s: 'filter "' not in s
           and len([l for l in s.split("\n")[2:22] if l.strip()]) == min(20, n_stmts))
    keys("/")
    literal("zzzz-no-such-statement")
    keys("Enter")
    expect("filter without a match says so", "no statement matches the filter")
    keys("Escape")

    # ---- plan view --------------------------------------------------------------
    open_pg_count_plan()
    expect("Enter opens the plan view", lambda s: "NODE" in s and "EST ROWS" in s
           and "Seq Scan on orders" in s)
    expect("plan view: costliest node marked #1", lambda s: re.search(r"#1 \S*.*Seq Scan", s))
    expect("plan view: tree drawn with box characters (UTF-8)", "\u2514\u2500")
    nodes_before = len([l for l in screen().split("\n")[4:21] if l.strip()])
    keys("g", "Enter")
    expect("plan view: Enter folds the root", lambda s: "[+]" in s and "Seq Scan" not in s)
    keys("Enter")
    expect("plan view: Enter unfolds it", lambda s: "Seq Scan" in s and len(
        [l for l in s.split("\n")[4:21] if l.strip()]) == nodes_before)
    keys("G")
    expect("plan view: condition of the scan, literals masked",
           lambda s: re.search(r"Condition: .*created_at >= \$1", s) and "'20" not in s)
    keys("Escape")
    expect("Esc goes back to the statements", lambda s: "TOTAL ms" in s and "NODE" not in s)
    keys("Escape")

    # ---- findings ---------------------------------------------------------------
    keys("Tab")
    n_find = len(rep["findings"])
    sev_order = {"critical": 0, "warning": 1, "info": 2}
    first_sev = min(rep["findings"], key=lambda f: sev_order[f["severity"]])["severity"]
    expect("Tab: findings view, most severe first", lambda s: "SEVERITY" in s
           and s.split("\n")[2].split()[0] == first_sev)
    expect("findings view: one row per finding", lambda s: len(
        [l for l in s.split("\n")[2:22] if l.strip()]) == n_find)
    keys("/")
    literal("missing-index")
    keys("Enter")
    sugg = next(f["suggestion"] for f in rep["findings"] if f["suggestion"])
    keys("Enter")
    expect("Enter on a finding: its suggestion", lambda s: "Suggestion" in s
           and sugg.split(" (")[0][:40] in s.replace("\n  ", " "))
    expect("finding detail: evidence", "Evidence:")
    keys("w")
    expect("w asks for a file name", "Save to:")
    out = os.path.join(WORK, "suggestion.sql")
    keys("C-u")
    literal(out)
    keys("Enter")
    expect("w writes the suggestion", "wrote " + out)
    suggestions = {f["suggestion"].strip() for f in rep["findings"] if f["suggestion"]}
    check("the file holds the suggestion", os.path.exists(out)
          and open(out).read().strip() in suggestions)
    keys("y")
    expect("y copies (OSC 52)", "copied")
    buf, ok = "", False
    end = time.time() + 5
    while time.time() < end and not ok:
        buf = tmux("show-buffer", check=False)
        ok = buf.strip() in suggestions
        time.sleep(0.05)
    check("OSC 52 reached the terminal's clipboard (tmux buffer)", ok, buf)
    keys("Escape")
    expect("Esc goes back to the findings list", "SEVERITY")
    keys("Escape")

    # ---- indexes, view keys -----------------------------------------------------
    keys("3")
    expect("3: indexes view", lambda s: "UNUSED SINCE" in s and "no indexes in these sources" in s)
    keys("4")
    expect("4: plan view", "4:Plan")
    keys("1")
    expect("1: statements view", "TOTAL ms")
    keys("BTab")
    expect("Shift-Tab goes to the previous view", "EST ROWS")
    keys("1")

    # ---- help -------------------------------------------------------------------
    keys("?")
    expect("? shows the help", lambda s: "dbperf tui -- keys" in s and "filter" in s)
    keys("x")
    expect("any key closes the help", lambda s: "dbperf tui -- keys" not in s)

    # ---- resize -----------------------------------------------------------------
    tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")
    expect("resize to 120x40: more rows", lambda s: len(
        [l for l in s.split("\n")[2:38] if l.strip()]) == min(36, n_stmts))
    expect("resize to 120x40: title spans the width", lambda s: len(s.split("\n")[0].rstrip()) > 100)
    tmux("resize-window", "-t", "t", "-x", "60", "-y", "20")
    expect("resize to 60x20: narrow columns dropped, statement kept",
           lambda s: "STATEMENT" in s and "ROWS" not in s.split("\n")[1]
           and len([l for l in s.split("\n")[2:18] if l.strip()]) == min(16, n_stmts))
    tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
    expect("resize back to 80x24", lambda s: "P95 ms" in s and "ROWS" in s.split("\n")[1])

    # ---- quit -------------------------------------------------------------------
    keys("q")
    prompt_back("q", 0)

    # ---- literals only with --show-literals -------------------------------------
    run_tui("--show-literals " + samples, utf8)
    expect("--show-literals: examples instead of normalized text", "STATEMENT (example)")
    open_pg_count_plan()
    expect("--show-literals: the plan condition keeps its literals",
           lambda s: "NODE" in s and True, timeout=5)
    keys("G")
    expect("--show-literals: the scan's condition with its literals",
           lambda s: re.search(r"Condition: .*created_at >= '20", s))
    keys("Escape")
    tmux("resize-window", "-t", "t", "-x", "200", "-y", "24")  # room for the whole statement
    expect("--show-literals: statement rows hold the literals",
           lambda s: all("'20" in l for l in s.split("\n")[2:22] if l.strip()))
    keys("q")
    prompt_back("--show-literals", 0)
    run_tui(samples, utf8)
    tmux("resize-window", "-t", "t", "-x", "200", "-y", "24")
    keys("/")
    literal("created_at >=")
    keys("Enter")
    expect("default: normalized text only, no literal on screen", lambda s: 'filter "created_at' in s
           and re.search(r"created_at >= (\?|\$1)", s) and "'20" not in s)
    keys("q")
    prompt_back("masked", 0)

    # ---- saved report -----------------------------------------------------------
    run_tui("--from " + report, utf8)
    expect("--from report.json: its statements", lambda s: " 1 src" in s
           and top_total["text"][:20] in s.split("\n")[2])
    keys("2")
    expect("--from report.json: findings recomputed", lambda s: len(
        [l for l in s.split("\n")[2:22] if l.strip()]) == n_find)
    keys("q")
    prompt_back("--from", 0)

    # ---- ASCII terminal, no colour ----------------------------------------------
    vt = {"TERM": "vt100", "LANG": "C", "LC_ALL": "C", "NO_COLOR": ""}
    run_tui(samples, vt)
    open_pg_count_plan()
    expect("vt100/C: plan tree in ASCII", lambda s: "`- " in s and "\u2514" not in s)
    esc = screen(True)
    check("vt100: no colour", not SGR_COLOUR.search(esc), repr(esc[:400]))
    check("vt100: selection still visible (reverse video)", "\x1b[7m" in esc or "\x1b[0;7m" in esc
          or ";7m" in esc, repr(esc[:400]))
    keys("?")
    expect("vt100: help box in ASCII", lambda s: "+----" in s)
    keys("x", "q")
    prompt_back("vt100", 0)

    # ---- colour on by default, off with NO_COLOR --------------------------------
    run_tui(samples, utf8)
    wait_for(lambda s: "TOTAL ms" in s)
    check("xterm-256color: colours in use", bool(SGR_COLOUR.search(screen(True))))
    keys("q")
    prompt_back("colour", 0)
    run_tui(samples, dict(utf8, NO_COLOR="1"))
    wait_for(lambda s: "TOTAL ms" in s)
    esc = screen(True)
    check("NO_COLOR=1: no colour", not SGR_COLOUR.search(esc), repr(esc[:400]))
    keys("q")
    prompt_back("NO_COLOR", 0)

    # ---- signals: the terminal is restored, the signal is reported --------------
    for sig, code in (("TERM", 143), ("HUP", 129), ("QUIT", 131)):
        run_tui(samples, utf8)
        pid = dbperf_pid()
        check("SIG%s: found the process" % sig, pid is not None)
        if pid:
            subprocess.run(["kill", "-" + sig, str(pid)])
        prompt_back("SIG" + sig, code)
    run_tui(samples, utf8)
    keys("C-c")
    prompt_back("Ctrl-C (SIGINT)", None)


# --------------------------------------------------------------------------- live

def free_port():
    for port in range(55960, 55970):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    return None


def live():
    port = free_port()
    check("a free port in 55960-55969", port is not None)
    if port is None:
        return
    pgdir = os.path.join(WORK, "pg")
    script = os.path.join(SRC, "scripts/pg-server.sh")
    r = subprocess.run([script, "start", pgdir, str(port)], capture_output=True, text=True)
    check("PostgreSQL started", r.returncode == 0, r.stdout + r.stderr)
    if r.returncode != 0:
        return
    psql = ["/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(port),
            "-U", "postgres", "-d", "bench", "-v", "ON_ERROR_STOP=1"]
    try:
        subprocess.run(psql + ["-c", "CREATE TABLE tui_t (id int PRIMARY KEY, v int);"
                               "CREATE INDEX tui_t_v_idx ON tui_t (v);"
                               "INSERT INTO tui_t SELECT g, g % 100 FROM generate_series(1, 5000) g;"
                               "SELECT pg_stat_statements_reset();"], check=True,
                       capture_output=True)
        dsn = "postgresql://postgres@127.0.0.1:%d/bench" % port
        env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "NO_COLOR": ""}
        run_tui("-d 1 " + dsn, env)
        expect("live: per-interval columns", lambda s: "CALLS/s" in s and "TIME/s" in s
               and "live 1s" in s)
        expect("live: first refresh done", "refreshed:", timeout=15)
        # a workload: 300 calls of one class in each of a few seconds
        work = ";".join("SELECT count(*) FROM tui_t WHERE v = %d" % (i % 100) for i in range(300))
        deadline = time.time() + 20
        seen = None
        header_ok = False
        while time.time() < deadline and not seen:
            subprocess.run(psql + ["-c", work], capture_output=True)
            s = screen().split("\n")
            hdr = s[1]
            if "CALLS/s" in hdr:
                header_ok = True
                col_end = hdr.index("CALLS/s") + len("CALLS/s")
                for l in s[2:22]:
                    if "FROM tui_" in l:
                        cell = l[col_end - 8:col_end].strip()
                        try:
                            if float(cell) >= 50:
                                seen = l
                        except ValueError:
                            pass
            time.sleep(0.3)
        check("live: the workload's calls/s shows up in the deltas column", header_ok and seen,
              "\n".join(s))
        # a quiet interval: the delta falls back to zero while the totals stay
        def quiet(scr):
            rows = scr.split("\n")
            col_end = rows[1].index("CALLS/s") + len("CALLS/s")
            for l in rows[2:22]:
                if "FROM tui_" in l:
                    return float(l[col_end - 8:col_end].strip()) == 0.0
            return False
        expect("live: calls/s back to 0 when the workload stops", quiet, timeout=10)
        keys("/")
        literal("FROM tui_t")
        keys("Enter", "Enter")
        expect("live: the server's plan for the statement (EXPLAIN through the driver)",
               lambda s: "NODE" in s and "on tui_t" in s, timeout=10)
        keys("Escape", "Escape")
        expect("live: back to all statements", lambda s: "TOTAL ms" in s and 'filter "' not in s)
        keys("3")
        expect("live: indexes view lists the server's indexes", lambda s: "tui_t_v_idx" in s
               and "tui_t_pkey" in s)
        keys("1")
        subprocess.run([script, "stop", pgdir], capture_output=True)
        expect("live: server gone -> status line says unreachable", lambda s: "unreachable" in s
               and "retrying" in s, timeout=15)
        expect("live: last good data stays on screen", lambda s: "FROM tui_" in s and "TOTAL ms" in s)
        time.sleep(1.5)
        check("live: still up after more failed refreshes", "1:Statements" in screen()
              and "unreachable" in screen())
        r = subprocess.run([script, "start", pgdir, str(port)], capture_output=True, text=True)
        check("PostgreSQL restarted", r.returncode == 0, r.stdout + r.stderr)
        expect("live: server back -> refreshed again, status line cleared",
               lambda s: "refreshed:" in s and "unreachable" not in s, timeout=20)
        keys("q")
        prompt_back("live", 0)
    finally:
        subprocess.run([script, "stop", pgdir], capture_output=True)


try:
    if MODE == "offline":
        offline()
    elif MODE == "live":
        live()
    else:
        print("usage: tui_test.py offline|live DBPERF SRCDIR", file=sys.stderr)
        sys.exit(2)
except Exception as e:  # a broken harness is a failure, never a pass
    failed += 1
    print("FAIL - harness error: %r" % (e,))
finally:
    tmux("kill-server", check=False)
    shutil.rmtree(WORK, ignore_errors=True)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
