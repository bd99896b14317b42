"""Exec enforcement end to end: deny rules on real execs, through the
monitor (`procnotify --rule 'deny ...'`) and through the library's own
callback (build/tests/enforce_probe).

Every deny rule here names a private temporary directory, a file only this
test creates (its hash: random bytes make it unique), or the descendants of
such a file, so no other process on the host is refused. Every enforcing
process dies with this test (PR_SET_PDEATHSIG), at its own hard deadline (a
timer) and at exit (atexit): nothing can stay enforcing.
"""
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import (BIN, BUILD, SCOPED_BIN, Monitor, Results, parse_jsonl,  # noqa: E402
                     refusing)

SHIM = os.path.abspath(os.path.join(BUILD, "tests", "fail_libbpf.so"))

PROBE = os.path.abspath(os.path.join(BUILD, "tests", "enforce_probe"))
HARD_LIMIT_S = 60
r = Results()


def die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


class Enforcer(Monitor):
    """An enforcing process, killed after HARD_LIMIT_S whatever happens.
    Its deadline is long (5 s) unless the test sets one: on a busy machine a
    decision may wait for a CPU longer than the default 100 ms, and a late
    decision allows."""

    def __init__(self, *args, probe=False, env=None, binary=BIN):
        if probe:
            binary = PROBE
            if "--deadline-ms" not in args:
                args = (*args, "--deadline-ms", "5000")
        else:
            args = ("--json", "-t", "deny", *args)
            if "--deny-deadline" not in args:
                args = (*args, "--deny-deadline", "5000")
        super().__init__(*args, binary=binary, env=env, preexec_fn=die_with_parent)
        self.timer = threading.Timer(HARD_LIMIT_S, self._kill)
        self.timer.daemon = True
        self.timer.start()

    def finish(self):
        """Stops it: (exit code, deny events, bad lines, stderr)."""
        self.timer.cancel()
        rc, out, err = self.stop(signal.SIGTERM)
        events, bad = parse_jsonl(out)
        return rc, [e for e in events if e["type"] == "deny"], bad, err


def probe_stats(err):
    return next((json.loads(line) for line in err.splitlines() if line.startswith("{")), {})


SUMMARY_RE = re.compile(r"enforcement: (\d+) execs asked, (\d+) denied, (\d+) allowed, "
                        r"(\d+) allowed late \(deadline\), (\d+) allowed on error")


def summary(err):
    """The monitor's enforcement line at exit, as numbers by name."""
    m = SUMMARY_RE.search(err)
    return dict(zip(("asked", "denied", "allowed", "late", "error"), map(int, m.groups()))) \
        if m else {}


def sandboxed(pid):
    """Every thread: CapEff exactly CAP_SYS_ADMIN (21) and CAP_SYS_PTRACE
    (19), no_new_privs, a seccomp filter (README, Exec enforcement)."""
    want = (1 << 21) | (1 << 19)
    for tid in os.listdir(f"/proc/{pid}/task"):
        status = dict(line.split(":", 1) for line in
                      open(f"/proc/{pid}/task/{tid}/status").read().splitlines() if ":" in line)
        if (int(status["CapEff"], 16) != want or int(status["CapPrm"], 16) != want or
                status["NoNewPrivs"].strip() != "1" or status["Seccomp"].strip() != "2"):
            return False
    return True


def exec_errno(path, argv=None):
    """The errno execve gave the caller (0: it ran), and the exit status."""
    try:
        p = subprocess.run(argv or [path], executable=path, timeout=20)
        return 0, p.returncode
    except OSError as e:
        return e.errno, None


def unique_true(path):
    """A copy of /bin/true whose hash no other file on the host has: random
    bytes after the ELF image change the hash, not what it runs."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copy("/bin/true", path)
    with open(path, "ab") as f:
        f.write(os.urandom(64))
    os.chmod(path, 0o755)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_deny_image(d):
    """The issue's rule as written, an image glob under a private directory;
    the deny event in JSON, and in the activity log (JSON and table)."""
    mine, other = f"{d}/deny/mytrue", f"{d}/other/mytrue"
    unique_true(mine)
    os.makedirs(os.path.dirname(other))
    shutil.copy(mine, other)
    m = Enforcer("--rule", f"deny image={d}/deny/**", "--db", f"{d}/log.db")
    if not r.check("monitor with `deny image=DIR/**` starts", m.ready, m.ready):
        m.finish()
        return
    r.check("every thread of the enforcing monitor keeps CAP_SYS_ADMIN and CAP_SYS_PTRACE "
            "only, under seccomp", sandboxed(m.proc.pid), open(f"/proc/{m.proc.pid}/status").read())
    err, _ = exec_errno(mine, ["mytrue", "two words", "x\ny"])
    r.check("exec of a file under DIR fails with EPERM in the caller", err == errno.EPERM,
            f"errno {err}")
    r.check("/bin/true runs", exec_errno("/bin/true") == (0, 0))
    r.check("the same file elsewhere runs", exec_errno(other) == (0, 0))
    rc, denies, bad, errtext = m.finish()
    r.check("the monitor stops cleanly", rc == 0 and not bad, f"rc {rc} {errtext}")
    r.check("one deny event", len(denies) == 1, denies)
    if denies:
        e = denies[0]
        r.check("deny event: the rule by its place, image, argv, parent",
                e["rules"] == ["--rule:1"] and e["image"] == mine and
                e["argv"] == ["mytrue", "two words", "x\ny"] and e["ppid"] == os.getpid() and
                e["parent_image"] == os.path.realpath(sys.executable) and
                e["image_ino"] == os.stat(mine).st_ino and e["key"] and e["parent_key"], e)
    s = summary(errtext)
    r.check("exit summary: 1 denied, none late", s.get("denied") == 1 and s.get("late") == 0,
            errtext)
    q = subprocess.run([BIN, "query", "--db", f"{d}/log.db", "-t", "deny", "--json"],
                       capture_output=True)
    stored = [json.loads(x) for x in q.stdout.splitlines()]
    r.check("the log holds the deny event: rule, image, argv",
            len(stored) == 1 and stored[0]["rules"] == ["--rule:1"] and
            stored[0]["image"] == mine and stored[0]["argv"] == ["mytrue", "two words", "x\ny"],
            stored)
    q = subprocess.run([BIN, "query", "--db", f"{d}/log.db", "-t", "deny"],
                       capture_output=True, text=True)
    rows = [x for x in q.stdout.splitlines() if "| deny " in x]
    r.check("the log's table shows it: image, arguments, rule",
            len(rows) == 1 and mine in rows[0] and "[rules --rule:1]" in rows[0] and
            '"two words"' in rows[0] and "x\\ny" in rows[0], q.stdout)


def test_hash_survives_rename(d):
    """`deny image_sha256=HEX` from a rules file, with a name: renaming,
    touching or copying the file keeps it denied; changing it does not."""
    first = f"{d}/hashed"
    digest = unique_true(first)
    with open(f"{d}/rules", "w") as f:
        f.write(f"# only this test's file\ndeny mine: image_sha256={digest}\n")
    m = Enforcer("--rules", f"{d}/rules")
    if not r.check("monitor with a hash rule from a file starts", m.ready):
        m.finish()
        return
    r.check("a file with the denied hash fails with EPERM", exec_errno(first)[0] == errno.EPERM)
    os.utime(first, (1, 1))  # new mtime and ctime: hashed again, same content
    r.check("touched, it is still denied", exec_errno(first)[0] == errno.EPERM)
    renamed = f"{d}/sub/renamed"
    os.makedirs(os.path.dirname(renamed))
    os.rename(first, renamed)
    r.check("renamed, it is still denied", exec_errno(renamed)[0] == errno.EPERM)
    copy = f"{d}/copy"
    shutil.copy(renamed, copy)
    r.check("a copy (another inode, same content) is denied too",
            exec_errno(copy)[0] == errno.EPERM)
    with open(copy, "ab") as f:
        f.write(b"x")
    r.check("the copy changed (size, mtime, ctime) runs: hashed again",
            exec_errno(copy) == (0, 0))
    r.check("/bin/true runs", exec_errno("/bin/true") == (0, 0))
    rc, denies, bad, errtext = m.finish()
    r.check("four deny events, each named and with the hash",
            [e["image"] for e in denies] == [first, first, renamed, copy] and
            all(e["image_sha256"] == digest and e["rules"] == ["mine"] for e in denies), denies)
    r.check("no decision was late", summary(errtext).get("late") == 0, errtext)


def test_ancestor_and_script(d):
    """ancestor.image reaches what a private program starts; an argv rule on
    the interpreter reaches a script fanotify never sees as an exec."""
    wrapper, script = f"{d}/wrapper", f"{d}/script.sh"
    shutil.copy("/bin/sh", wrapper)
    with open(script, "w") as f:
        f.write("exit 0\n")
    m = Enforcer("--rule", f"deny under-wrapper: ancestor.image={wrapper} and image=/usr/bin/true",
                 "--rule", f"deny script: argv*={script}")
    if not r.check("monitor with ancestor and argv rules starts", m.ready):
        m.finish()
        return
    p = subprocess.run([wrapper, "-c", "/usr/bin/true; echo $?"], capture_output=True, text=True)
    r.check("/usr/bin/true under the private wrapper is denied (126)",
            p.stdout.strip() == "126", p.stdout + p.stderr)
    r.check("/usr/bin/true elsewhere runs", exec_errno("/usr/bin/true") == (0, 0))
    r.check("sh SCRIPT is denied by the argv rule", exec_errno("/bin/sh", ["sh", script])[0] ==
            errno.EPERM)
    r.check("sh with another script runs", exec_errno("/bin/sh", ["sh", "-c", "exit 0"]) == (0, 0))
    rc, denies, bad, errtext = m.finish()
    r.check("deny events name each rule",
            sorted(e["rules"][0] for e in denies) == ["script", "under-wrapper"], denies)


def test_reload(d):
    """SIGHUP swaps the deny rules of a running enforcer."""
    a, b = f"{d}/a/t", f"{d}/b/t"
    unique_true(a)
    unique_true(b)
    rules = f"{d}/reload.rules"
    with open(rules, "w") as f:
        f.write(f"deny image={d}/a/**\n")
    m = Enforcer("--rules", rules)
    if not r.check("monitor with a rules file starts", m.ready):
        m.finish()
        return
    r.check("before the reload: a denied, b runs",
            exec_errno(a)[0] == errno.EPERM and exec_errno(b) == (0, 0))
    with open(rules, "w") as f:
        f.write(f"deny image={d}/b/**\n")
    m.proc.send_signal(signal.SIGHUP)
    ok = False
    for _ in range(100):
        if exec_errno(b)[0] == errno.EPERM:
            ok = True
            break
        time.sleep(0.05)
    r.check("after SIGHUP: b denied, a runs", ok and exec_errno(a) == (0, 0))
    m.finish()


def stalled_enforcer(rule, what, stall_ms):
    """The test build of the monitor (the released one ignores
    PN_TEST_DENY_STALL_MS), each denial held stall_ms, the deadline 100 ms;
    None (a failure) when it does not start."""
    env = dict(os.environ, PN_TEST_DENY_STALL_MS=str(stall_ms))
    m = Enforcer("--rule", rule, "--deny-deadline", "100", env=env, binary=SCOPED_BIN)
    if r.check(f"monitor with {what} starts", m.ready):
        return m
    m.finish()
    return None


def late_exec(target, what):
    """Execs target, whose denial is held 1.5 s: allowed at the deadline."""
    t0 = time.monotonic()
    res = exec_errno(target)
    took = time.monotonic() - t0
    r.check(f"{what}: allowed at the deadline, not after the stall",
            res == (0, 0) and took < 1.4, f"{res} {took:.3f}s")


def test_deadline(d):
    target = f"{d}/late/mytrue"
    unique_true(target)
    m = stalled_enforcer(f"deny image={d}/late/**", "a stalled decider", 1500)
    if not m:
        return
    late_exec(target, "a decision past the deadline")
    time.sleep(1.6)  # let the stalled decider finish
    # Idle over a second, the watchdog sleeps until a batch wakes it (on a
    # quiet host; other execs keep it awake on a busy one): the deadline
    # holds either way.
    late_exec(target, "again, after the decider was idle")
    time.sleep(1.6)
    rc, denies, bad, errtext = m.finish()
    r.check("counted as allowed late, no deny event",
            summary(errtext).get("late", 0) >= 2 and not denies, errtext)


def test_deferred_deadline(d):
    """A hash rule's decision is the hasher's: held past the deadline there
    too (the test build stalls every denial), the exec is allowed."""
    target = f"{d}/late/mytrue"
    digest = unique_true(target)
    m = stalled_enforcer(f"deny image_sha256={digest}", "a hash rule, a stalled hasher", 1500)
    if not m:
        return
    late_exec(target, "a hash decision past the deadline")
    time.sleep(1.6)  # let the stalled hasher finish
    rc, denies, bad, errtext = m.finish()
    r.check("the deferred exec counted as allowed late, no deny event",
            summary(errtext).get("late", 0) >= 1 and not denies, errtext)


def test_deferred_full(d):
    """While the hasher is held on one file, files never hashed queue for
    it; past the 64 the queue holds, an exec is allowed at once (fail open)
    and counted as allowed on error."""
    held = f"{d}/held/mytrue"
    digest = unique_true(held)
    copies = []
    for i in range(100):  # each its own inode: each must be hashed
        copies.append(f"{d}/many/{i}")
        unique_true(copies[-1])
    m = stalled_enforcer(f"deny image_sha256={digest}", "a hash rule, a hasher held 6 s", 6000)
    if not m:
        return
    # The held file first (the hasher stalls on its denial), then all the
    # others at once, by a shell: each exec waits in its own child.
    script = f"('{held}' || echo failed held) & sleep 0.2; " + \
        "".join(f"('{c}' || echo failed {c}) & " for c in copies) + "wait"
    p = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    r.check("the held exec, and every exec queued behind it, runs", p.returncode == 0 and
            "failed" not in p.stdout, p.stdout + p.stderr)
    time.sleep(6.2)  # the held denial ends
    rc, denies, bad, errtext = m.finish()
    s = summary(errtext)
    r.check("a full queue of hashes to make: execs allowed on error, the held one late",
            s.get("error", 0) >= 1 and s.get("late", 0) >= 1 and not denies, errtext)


def test_setup_failures(d):
    """Each step of the enforcer's start refused by the kernel (a seccomp
    filter in the monitor's process), or by libc (the shim): exit 1, one
    line giving the step and the reason; nothing enforces."""
    argv = [BIN, "-d", "0.5", "--rule", f"deny image={d}/none/**"]
    for what, refuse, words in (
            ("fanotify_init", refusing("fanotify_init"),
             "cannot start exec enforcement (fanotify): Operation not permitted "
             "(needs CAP_SYS_ADMIN)"),
            ("fanotify_init, with EMFILE", refusing("fanotify_init", errno=errno.EMFILE),
             "cannot start exec enforcement (fanotify): Too many open files"),
            ("eventfd2", refusing("eventfd2"),
             "cannot start exec enforcement: Operation not permitted"),
            ("fanotify_mark", refusing("fanotify_mark"),
             "cannot watch execs on the root file system: Operation not permitted"),
            ("statx (other mount namespaces)", refusing("statx"),
             "cannot watch execs in other mount namespaces: Operation not permitted"),
            ("clone3", refusing("clone3"), "cannot start exec enforcement: ")):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30, preexec_fn=refuse)
        check_one_line(what, p, words)
    # The second and third threads (watchdog, hasher): a shim fails the call.
    for n in (2, 3):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, LD_PRELOAD=SHIM,
                                    PN_FAIL_LIBBPF=f"pthread_create:{n}"))
        check_one_line(f"pthread_create #{n}", p,
                       "cannot start exec enforcement: Resource temporarily unavailable")


def check_one_line(what, p, words):
    """A monitor that could not start: exit 1, and one line, the reason."""
    lines = p.stderr.strip().split("\n")
    r.check(f"{what} refused: exit 1, one line: {words}",
            p.returncode == 1 and len(lines) == 1 and lines[0].startswith("procnotify: " + words),
            f"rc={p.returncode} {p.stderr}")


def test_misuse(d):
    """The library's enforcement calls refuse what they cannot do; a denial
    not delivered when the handle closes is freed with it (the sanitizer
    build's leak check fails the probe otherwise)."""
    target = f"{d}/misuse/t"
    unique_true(target)
    p = subprocess.run([PROBE, "--misuse", target], capture_output=True, text=True, timeout=60,
                       preexec_fn=die_with_parent)
    r.check("enforce_probe --misuse: every refusal as documented, its file denied",
            p.returncode == 0 and re.search(r"\b[1-9]\d* passed, 0 failed", p.stdout),
            p.stdout + p.stderr)


def test_new_mount(d):
    mnt = f"{d}/mnt"
    os.makedirs(mnt)
    m = Enforcer("--rule", f"deny image={mnt}/**")
    try:
        if not r.check("monitor starts before the mount", m.ready):
            return
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "pn-enforce", mnt], check=True)
        unique_true(f"{mnt}/mytrue")
        err = None
        for _ in range(50):  # the rescan follows the mount table's POLLPRI
            err, _ = exec_errno(f"{mnt}/mytrue")
            if err == errno.EPERM:
                break
            time.sleep(0.1)
        r.check("a file system mounted after the start is enforced", err == errno.EPERM,
                f"errno {err}")
    finally:
        m.finish()
        subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL)


NS_EXEC = 'mount -t tmpfs -o size=4m pn-mntns /mnt && {copy} && chmod 755 /mnt/t && {wait}/mnt/t; echo "rc=$?"'


def test_other_namespace(d):
    """A file system mounted only in another mount namespace is enforced: one
    that exists when the monitor starts, and one mounted after, by a user
    without privilege in a namespace of its own (unshare -rm). The rule is on
    the hash: the copy on the tmpfs is the test's own file."""
    binary = f"{d}/t"
    digest = unique_true(binary)
    os.chmod(d, 0o755)
    # A namespace and its tmpfs made before the monitor starts; it runs the
    # copy once told to.
    early = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c",
         NS_EXEC.format(copy=f"cp {binary} /mnt/t", wait="echo ready && read go && ")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    m = None
    try:
        ready = early.stdout.readline().strip()
        m = Enforcer("--rule", f"deny image_sha256={digest}")
        if not r.check("a namespace with its own tmpfs is ready, then the monitor starts",
                       ready == "ready" and m.ready, ready):
            return
        out, _ = early.communicate("go\n", timeout=20)
        r.check("the copy on a tmpfs of a namespace older than the monitor is denied (126)",
                out.strip() == "rc=126", out)
        with open(binary, "rb") as src:
            p = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "unshare", "-rm",
                 "sh", "-c", NS_EXEC.format(copy="cat > /mnt/t", wait="")],
                stdin=src, capture_output=True, text=True, timeout=20)
        r.check("the copy on a tmpfs mounted by a user in a namespace of its own, after the "
                "start, is denied (126)", p.stdout.strip() == "rc=126", p.stdout + p.stderr)
        # Namespaces come and go: the monitor forgets those gone.
        for _ in range(80):
            subprocess.run(["unshare", "-m", "/bin/true"], check=True)
    finally:
        early.kill()
        early.wait()
        if m:
            rc, denies, bad, errtext = m.finish()
            r.check("two deny events, each with the hash",
                    len(denies) == 2 and all(e["image_sha256"] == digest for e in denies),
                    denies)
            ns = re.search(r"enforcement: \d+ file systems marked \(\d+ refusing permission "
                           r"events\), \d+ more in (\d+) other mount namespaces", errtext)
            r.check("the exit summary counts the other mount namespaces, not the 80 gone",
                    ns and int(ns.group(1)) < 80, errtext)


REUSE = r'''
import ctypes, os, shutil, sys
libc = ctypes.CDLL(None, use_errno=True)
if (libc.unshare(0x00020000) or libc.mount(b"none", b"/", None, 0x40000 | 0x4000, None) or
        libc.mount(b"pn-reuse", b"/mnt", b"tmpfs", 0, b"size=4m")):
    sys.exit(3)
print(os.stat("/mnt").st_dev, flush=True)
shutil.copy(sys.argv[1], "/mnt/t")
os.chmod("/mnt/t", 0o755)
os.execv("/bin/sh", ["sh", "-c", '/mnt/t; echo "rc=$?"'])
'''


def test_reused_device(d):
    """A tmpfs of a namespace gone, and one of a namespace first seen after:
    the kernel gives the second the first's device number, and it is
    marked all the same (it is another file system)."""
    binary = f"{d}/t"
    digest = unique_true(binary)
    with open(f"{d}/reuse.py", "w") as f:
        f.write(REUSE)
    m = Enforcer("--rule", f"deny image_sha256={digest}")
    try:
        if not r.check("monitor starts", m.ready):
            return
        outs = []
        for _ in range(5):  # another mount on the host may take the number first
            first = subprocess.run(
                ["unshare", "-m", "sh", "-c", 'mount -t tmpfs pn-first /mnt && '
                 'stat -c %d /mnt && /bin/true'], capture_output=True, text=True, timeout=20)
            second = subprocess.run(["python3", f"{d}/reuse.py", binary], capture_output=True,
                                    text=True, timeout=20)
            outs.append((first.stdout.split(), second.stdout.split()))
            dev_first, dev_second = first.stdout.split()[:1], second.stdout.split()[:1]
            if dev_first and dev_first == dev_second:
                break
        r.check("a tmpfs with a number a gone one had is enforced (126)",
                dev_first and dev_first == dev_second and second.stdout.split()[-1:] == ["rc=126"],
                outs)
    finally:
        m.finish()


def test_killed(d):
    target = f"{d}/killed/mytrue"
    unique_true(target)
    m = Enforcer("--rule", f"deny image={d}/killed/**")
    if not r.check("monitor starts", m.ready):
        m.finish()
        return
    r.check("denied while it runs", exec_errno(target)[0] == errno.EPERM)
    m.proc.kill()
    m.proc.wait()
    m.finish()
    r.check("after kill -9 nothing enforces: the same exec runs", exec_errno(target) == (0, 0))


def test_library_callback(d):
    """pn_enforce() with a callback of the caller's, in the sandbox."""
    mine = f"{d}/lib/deny/t"
    unique_true(mine)
    m = Enforcer("--deny-dir", os.path.dirname(mine), "--sandbox", probe=True)
    if not r.check("probe (library callback, sandboxed) starts", m.ready, m.ready):
        m.finish()
        return
    r.check("its callback denies: EPERM", exec_errno(mine)[0] == errno.EPERM)
    r.check("/bin/true runs", exec_errno("/bin/true") == (0, 0))
    rc, denies, bad, errtext = m.finish()
    st = probe_stats(errtext)
    r.check("one deny event named by the callback",
            len(denies) == 1 and denies[0]["rules"] == ["probe-dir"], denies)
    r.check("counters: one denied, a file system or more marked, nothing late",
            st.get("denied") == 1 and st.get("filesystems", 0) >= 1 and
            st.get("deadline_allowed") == 0 and st.get("p50_ns", 0) > 0, st)


def main():
    if os.geteuid() != 0:
        r.skip("enforcement", "needs root")
        r.finish()
    d = tempfile.mkdtemp(prefix="pn-enforce.")
    try:
        for t in (test_deny_image, test_hash_survives_rename, test_ancestor_and_script,
                  test_reload, test_deadline, test_deferred_deadline, test_deferred_full,
                  test_new_mount, test_other_namespace, test_reused_device, test_killed,
                  test_library_callback, test_setup_failures, test_misuse):
            sub = os.path.join(d, t.__name__)
            os.makedirs(sub)
            t(sub)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
