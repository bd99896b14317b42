"""The command line of every subcommand: help, one name per option, and values.

Needs no privilege but for one check: every other stops at the options,
before any monitoring starts (a run that goes further is bounded by a
timeout and counted as a failure). Prints "N passed, N failed, N skipped".
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import BIN, BUILD, Results

R = Results()
GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden")
SUBCOMMANDS = ("", "query", "tree", "report")


def cli(*args, timeout=10, env=None):
    """(exit code, stdout, stderr); a run still going after timeout is exit None."""
    try:
        p = subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode(errors="replace"), \
            (e.stderr or b"").decode(errors="replace")
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def sub(name, *args):
    return ([name] if name else []) + list(args)


def help_options(name):
    """{long name: (short letter or None, argument name or None)} from --help."""
    rc, out, _ = cli(*sub(name, "--help"))
    opts = {}
    for m in re.finditer(r"^  (?:-(\w), |    )--([\w-]+)(?: ([A-Z|]+))?", out, re.M):
        opts[m.group(2)] = (m.group(1), m.group(3))
    return rc, opts


def value_error(args, option, timeout=10):
    """The value is refused at once: exit 2 and one line naming the option."""
    rc, _, err = cli(*args, timeout=timeout)
    lines = err.strip().split("\n")
    ok = rc == 2 and len(lines) == 1 and lines[0].startswith("procnotify: ") and \
        option in lines[0]
    R.check(f"{' '.join(args)}: exit 2, one line naming {option}", ok,
            f"rc={rc} stderr={err.strip()!r}")


def check_help():
    rc, out, _ = cli("--help")
    with open(os.path.join(GOLDEN, "help.txt")) as f:
        want = f.read()
    R.check("--help exits 0 and matches tests/golden/help.txt", rc == 0 and out == want)
    seen = {}
    for name in SUBCOMMANDS:
        rc, opts = help_options(name)
        R.check(f"{name or 'monitor'} --help exits 0 and lists its options",
                rc == 0 and "help" in opts and "json" in opts, f"rc={rc} {opts}")
        rows = re.findall(r"^  (?:-(\w), |    )--([\w-]+)", cli(*sub(name, "--help"))[1], re.M)
        longs = [l for _, l in rows]
        shorts = [k for k, _ in rows if k]
        R.check(f"{name or 'monitor'}: no long or short option is listed twice",
                len(rows) > 2 and len(set(longs)) == len(longs) and
                len(set(shorts)) == len(shorts), rows)
        for long, shape in opts.items():
            seen.setdefault(long, {})[name or "monitor"] = shape
    # One name per concept: an option that several subcommands share is
    # spelled, abbreviated and given an argument the same way everywhere.
    shared = {k: v for k, v in seen.items() if len(v) > 1}
    R.check("options shared by subcommands: json, db, types, no-header, help",
            {"json", "db", "types", "no-header", "help"} <= set(shared), sorted(shared))
    for long, shapes in shared.items():
        R.check(f"--{long} has one short name and argument in every subcommand",
                len(set(shapes.values())) == 1, shapes)


def check_syntax_errors():
    for name in SUBCOMMANDS:
        for bad in (["--bogus"], ["--db"], ["a", "b"]):
            rc, _, err = cli(*sub(name, *bad))
            hint = f"Try 'procnotify{' ' + name if name else ''} --help'"
            R.check(f"{name or 'monitor'} {' '.join(bad)}: exit 2 with the hint {hint}",
                    rc == 2 and hint in err, f"rc={rc} {err}")


def check_values():
    # Each of these ran (or never stopped) instead of being refused. A value
    # that is accepted starts the monitor, so -d 1 bounds those runs.
    value_error(["-d", "2147484"], "--duration")
    value_error(["-d", "inf"], "--duration")
    value_error(["-d", "1e400"], "--duration")
    value_error(["-d", "nan"], "--duration", timeout=5)
    value_error(["-d", "0"], "--duration")
    value_error(["-d", "x"], "--duration")
    value_error(["-d", "1", "--ring-size", "17592186044417M"], "--ring-size")
    value_error(["-d", "1", "--ring-size", "3"], "--ring-size")
    value_error(["-d", "1", "--ring-size", "12288"], "--ring-size")
    value_error(["-d", "1", "--ring-size", "4G"], "--ring-size")
    value_error(["-d", "1", "--netlink-rcvbuf", "4294967295"], "--netlink-rcvbuf")
    value_error(["-d", "1", "--netlink-rcvbuf", "0"], "--netlink-rcvbuf")
    value_error(["-d", "1", "--flush-ms", "0"], "--flush-ms")
    value_error(["-d", "1", "--backend", "dtrace"], "--backend")
    value_error(["-d", "1", "--types", "fork,spawn"], "--types")
    value_error(["-d", "1", "--db-max-age", "0s"], "--db-max-age")
    value_error(["-d", "1", "--syslog=ftp://collector"], "--syslog")
    value_error(["-d", "1", "--syslog=tcp://collector:65536"], "--syslog")
    value_error(["-d", "1", "--syslog-priority", "authpriv.loud"], "--syslog-priority")
    value_error(["-d", "1", "--output-queue", "1K"], "--output-queue")
    value_error(["query", "--db", "/nonexistent.db", "--since", "2300-01-01"], "--since")
    value_error(["query", "--db", "/nonexistent.db", "--until", "2262-04-12"], "--until")
    value_error(["query", "--db", "/nonexistent.db", "--since", "1677-09-21"], "--since")
    value_error(["query", "--db", "/nonexistent.db", "--pid", "4294967296"], "--pid")
    # Exit codes are unsigned 32 bits, Windows' statuses included (3221225477).
    value_error(["query", "--db", "/nonexistent.db", "--exit-code", "4294967296"], "--exit-code")
    value_error(["query", "--db", "/nonexistent.db", "--exit-code", "-1"], "--exit-code")
    # The ends of the ranges are taken.
    for args in (["-d", "2147483"], ["--ring-size", "2048M"], ["--ring-size", "4096"],
                 ["--netlink-rcvbuf", "1073741823"]):
        rc, _, err = cli(*args, "--help")
        R.check(f"{' '.join(args)} is accepted", rc == 0, f"rc={rc} {err}")


def golden_log(path):
    env = dict(os.environ, PN_GOLDEN_DB=path)
    subprocess.run([os.path.join(BUILD, "tests", "test_format_golden")], env=env,
                   stdout=subprocess.DEVNULL, check=True)


def check_filters():
    """Repeated filters: never silently the last one. One filter's values
    are alternatives (OR), different filters must all hold (AND)."""
    rc, _, err = cli("query", "--db", "/nonexistent.db", "--since", "1h", "--since", "2h")
    R.check("query --since 1h --since 2h: exit 2, one line saying it was given twice",
            rc == 2 and len(err.strip().split("\n")) == 1 and "twice" in err, f"rc={rc} {err}")
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "golden.db")
        golden_log(db)

        def seqs(*args):
            rc, out, err = cli("query", "--db", db, "--json", *args)
            return {json.loads(l)["seq"] for l in out.splitlines() if '"type":"lost"' not in l}
        ls, sudo, both = seqs("--name", "ls"), seqs("--name", "sudo"), seqs("--name", "ls", "--name", "sudo")
        R.check("query --name ls --name sudo: the events of either name",
                ls and sudo and both == ls | sudo and not ls & sudo, (ls, sudo, both))
        R.check("query --name ls --name sudo --exit-code 3: and exits 3",
                len(seqs("--name", "ls", "--name", "sudo", "--exit-code", "3")) == 1)
        R.check("query --name ls --pid 1: both must hold, nothing does",
                seqs("--name", "ls", "--pid", "1") == set())
        types = {}
        for args in (["--type", "exec", "--type", "exit"], ["--types", "exec,exit"],
                     ["-t", "exec", "-t", "exit"]):
            rc, out, err = cli("query", "--db", db, "--json", *args)
            types[" ".join(args)] = (rc, sorted({json.loads(l)["type"] for l in out.splitlines()}))
        want = (0, ["exec", "exit", "lost"])
        R.check("repeated --types add up, under either spelling",
                all(v == want for v in types.values()), types)
    rc, _, err = cli("--type", "exec", "--help")
    R.check("the monitor takes --type as well as --types", rc == 0, f"rc={rc} {err}")


ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
EXAMPLE = os.path.join(ROOT, "packaging", "procnotify.conf")
COMPLETION = os.path.join(ROOT, "packaging", "bash-completion", "procnotify")
DEFAULT_CONFIG = "/etc/procnotify/procnotify.conf"


def check_version():
    for name in SUBCOMMANDS:
        for flag in ("--version", "-V"):
            rc, out, err = cli(*sub(name, flag))
            R.check(f"{name or 'monitor'} {flag} prints 'procnotify 1.0.0' and exits 0",
                    rc == 0 and out == "procnotify 1.0.0\n" and not err, f"rc={rc} {out!r} {err!r}")


def config_keys():
    """The monitor's long options that are config keys: all but these three."""
    return set(help_options("")[1]) - {"help", "version", "config", "check-config"}


def config_run(text, *args, timeout=10):
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
        f.write(text)
        f.flush()
        rc, out, err = cli("--config", f.name, *args, timeout=timeout)
        return rc, out, err.replace(f.name, "FILE")


def config_error(text, want):
    rc, _, err = config_run(text, "--check-config")
    lines = err.strip().split("\n")
    R.check(f"config {text.strip()!r}: exit 2, one line {want!r}",
            rc == 2 and len(lines) == 1 and lines[0].startswith(want), f"rc={rc} {err!r}")


def check_config():
    with open(EXAMPLE) as f:
        example = f.read()
    rc, out, _ = cli("--generate", "config")
    R.check("packaging/procnotify.conf is what the option table gives", rc == 0 and out == example,
            "regenerate it with: build/procnotify --generate config >packaging/procnotify.conf")
    keys = set(re.findall(r"^#([a-z-]+) = ", example, re.M))
    R.check("the example config has every long option of the monitor as a key",
            keys == config_keys() and len(keys) >= 12, sorted(keys ^ config_keys()))
    every = re.sub(r"^#([a-z-]+ = )", r"\1", example, flags=re.M)
    # The rules file it names is read by --check-config: an installed
    # system has it; here an empty one stands in.
    with tempfile.NamedTemporaryFile("w", suffix=".rules") as rules:
        every = re.sub(r"^rules = .*$", "rules = " + rules.name, every, flags=re.M)
        rc, _, err = config_run(every, "--check-config")
    R.check("the example with every key set passes --check-config", rc == 0, f"rc={rc} {err}")
    rc, _, err = config_run("# a comment\n\n  json = yes  \nno-header=false\n", "--check-config")
    R.check("comments, blank lines, spaces and yes/false are taken", rc == 0, f"rc={rc} {err}")
    config_error("json = true\nbogus = 1\n", "FILE:2: unknown key 'bogus'")
    config_error("duration = 2147484\n", "FILE:1: duration '2147484'")
    config_error("ring-size = 3\n", "FILE:1: ring-size '3'")
    config_error("json = maybe\n", "FILE:1: json 'maybe'")
    config_error("json\n", "FILE:1: expected 'key = value'")
    config_error("config = /etc/other.conf\n", "FILE:1: unknown key 'config'")
    rc, _, err = cli("--config", "/nonexistent/procnotify.conf", "--check-config")
    R.check("a missing --config file: exit 2, one line naming it",
            rc == 2 and err.count("\n") == 1 and "/nonexistent/procnotify.conf" in err,
            f"rc={rc} {err}")
    if os.path.exists(DEFAULT_CONFIG):
        print(f"# {DEFAULT_CONFIG} exists: the missing-default check is not run")
    else:
        rc, _, err = cli("--check-config")
        R.check(f"no {DEFAULT_CONFIG}: no error", rc == 0, f"rc={rc} {err}")


def check_config_override():
    """The file sets the backend; the command line, when it names one, wins."""
    for args, want in (([], "netlink"), (["--backend", "bpf"], "bpf")):
        rc, _, err = config_run("backend = netlink\nduration = 600\n", "-d", "0.2", *args,
                                timeout=30)
        R.check(f"config backend = netlink, command line {args}: backend {want}, -d wins",
                rc == 0 and f"ready (backend {want})" in err, f"rc={rc} {err}")


def complete(*words):
    """What the completion script offers after the words (the last is the one typed)."""
    script = (f"source {COMPLETION}\nCOMP_WORDS=(procnotify {' '.join(words)})\n"
              f"COMP_CWORD={len(words)}\n_procnotify\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=10)
    return set(p.stdout.split())


def check_completion():
    with open(COMPLETION) as f:
        committed = f.read()
    rc, out, _ = cli("--generate", "bash-completion")
    R.check("packaging/bash-completion/procnotify is what the option tables give",
            rc == 0 and out == committed,
            "regenerate it: build/procnotify --generate bash-completion >packaging/bash-completion/procnotify")
    for name in SUBCOMMANDS:
        want = {"--" + o for o in help_options(name)[1]}
        got = complete(*sub(name, "''"))
        R.check(f"completion offers every option of {name or 'the monitor'}'s --help",
                len(want) > 2 and want <= got, sorted(want - got))
    R.check("completion offers the subcommands first", {"query", "tree", "monitor"} <= complete("''"))
    R.check("completion of --backend", complete("--backend", "''") == {"auto", "bpf", "netlink"})
    R.check("completion of a type list's last item",
            complete("query", "-t", "exec,ex") == {"exec,exec", "exec,exit"})


def main():
    check_help()
    check_syntax_errors()
    check_values()
    check_filters()
    check_version()
    check_config()
    check_completion()
    if os.geteuid() == 0:
        check_config_override()
    else:
        R.skip("config overridden by the command line", "needs root to start the monitor")
    R.finish()


main()
