"""Exec enforcement end to end: fanotify permission decisions on real execs.

Every deny rule here names a private temporary directory or the hash of a
file only this test creates, so no other process on the host is refused.
Every enforcing process dies with this test (PR_SET_PDEATHSIG), at its own
hard deadline (a timer), and at exit (atexit): nothing can stay enforcing.

ENFORCER names the program under test and its arguments before the rule:
the library's own probe (build/tests/enforce_probe) or the monitor.
"""
import ctypes
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import BUILD, Monitor, Results, parse_jsonl  # noqa: E402

PROBE = os.path.abspath(os.path.join(BUILD, "tests", "enforce_probe"))
HARD_LIMIT_S = 60
r = Results()


def die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def enforcer(*args, env=None):
    """The probe, enforcing; killed after HARD_LIMIT_S whatever happens.
    Its deadline is long (5 s) unless the test sets one: on a busy machine
    a decision may wait for a CPU longer than the default 100 ms, and a
    late decision allows."""
    if "--deadline-ms" not in args:
        args = (*args, "--deadline-ms", "5000")
    m = Monitor(*args, binary=PROBE, env=env, preexec_fn=die_with_parent)
    timer = threading.Timer(HARD_LIMIT_S, m._kill)
    timer.daemon = True
    timer.start()
    m.timer = timer
    return m


def stop(m):
    m.timer.cancel()
    rc, out, err = m.stop(signal.SIGTERM)
    stats = {}
    for line in err.splitlines():
        if line.startswith("{"):
            import json
            stats = json.loads(line)
    events, bad = parse_jsonl(out)
    return rc, events, bad, stats


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
    shutil.copy("/bin/true", path)
    with open(path, "ab") as f:
        f.write(os.urandom(64))
    os.chmod(path, 0o755)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_deny_dir(d, *extra):
    mine = os.path.join(d, "deny", "mytrue")
    other = os.path.join(d, "other", "mytrue")
    os.makedirs(os.path.dirname(mine))
    os.makedirs(os.path.dirname(other))
    unique_true(mine)
    shutil.copy(mine, other)
    m = enforcer("--deny-dir", os.path.join(d, "deny"), *extra)
    if not r.check(f"enforcer {' '.join(extra)} starts", m.ready, m.ready):
        stop(m)
        return
    err, _ = exec_errno(mine, ["mytrue", "two words", "x\ny"])
    r.check("exec of a file in the denied directory fails with EPERM in the caller",
            err == errno.EPERM, f"errno {err}")
    r.check("/bin/true runs", exec_errno("/bin/true") == (0, 0))
    r.check("the same file elsewhere runs", exec_errno(other) == (0, 0))
    rc, events, bad, stats = stop(m)
    denies = [e for e in events if e["type"] == "deny"]
    r.check("the enforcer stops cleanly", rc == 0 and not bad, f"rc {rc}")
    r.check("one deny event", len(denies) == 1, events)
    if denies:
        e = denies[0]
        r.check("deny event: rule, image, argv, parent",
                e["rules"] == ["probe-dir"] and e["image"] == mine and
                e["argv"] == ["mytrue", "two words", "x\ny"] and e["ppid"] == os.getpid() and
                e["parent_image"] == os.path.realpath(sys.executable) and
                e["image_ino"] == os.stat(mine).st_ino, e)
    r.check("counters: one denied, nothing late or failed",
            stats.get("denied") == 1 and stats.get("deadline_allowed") == 0 and
            stats.get("error_allowed") == 0 and stats.get("filesystems", 0) >= 1, stats)


def test_hash_survives_rename(d):
    first = os.path.join(d, "hashed")
    digest = unique_true(first)
    m = enforcer("--deny-sha256", digest)
    if not r.check("enforcer with a hash rule starts", m.ready):
        stop(m)
        return
    r.check("a file with the denied hash fails with EPERM", exec_errno(first)[0] == errno.EPERM)
    os.utime(first, (1, 1))  # new mtime and ctime: hashed again, same content
    r.check("touched, it is still denied", exec_errno(first)[0] == errno.EPERM)
    renamed = os.path.join(d, "sub", "renamed")
    os.makedirs(os.path.dirname(renamed))
    os.rename(first, renamed)
    r.check("renamed, it is still denied", exec_errno(renamed)[0] == errno.EPERM)
    copy = os.path.join(d, "copy")
    shutil.copy(renamed, copy)
    r.check("a copy (another inode, same content) is denied too",
            exec_errno(copy)[0] == errno.EPERM)
    with open(copy, "ab") as f:
        f.write(b"x")
    r.check("the copy changed (size, mtime, ctime) runs: hashed again",
            exec_errno(copy) == (0, 0))
    r.check("/bin/true runs", exec_errno("/bin/true") == (0, 0))
    rc, events, bad, stats = stop(m)
    denies = [e for e in events if e["type"] == "deny"]
    r.check("four deny events, each with the hash",
            len(denies) == 4 and all(e["image_sha256"] == digest for e in denies) and
            [e["image"] for e in denies] == [first, first, renamed, copy], denies)
    r.check("the hash cache served repeated execs", stats.get("hash_cached", 0) >= 1, stats)
    r.check("no decision was late", stats.get("deadline_allowed") == 0, stats)


def test_deadline(d):
    target = os.path.join(d, "late", "mytrue")
    os.makedirs(os.path.dirname(target))
    unique_true(target)
    env = dict(os.environ, PN_TEST_DENY_STALL_MS="1500")
    m = enforcer("--deny-dir", os.path.dirname(target), "--deadline-ms", "100", env=env)
    if not r.check("enforcer with a stalled decider starts", m.ready):
        stop(m)
        return
    t0 = time.monotonic()
    res = exec_errno(target)
    took = time.monotonic() - t0
    r.check("a decision past the deadline allows the exec", res == (0, 0), res)
    r.check("the exec waited about the deadline, not the stall", took < 1.4, f"{took:.3f}s")
    time.sleep(1.6)  # let the stalled decider finish
    rc, events, bad, stats = stop(m)
    r.check("counted as deadline_allowed, no deny event",
            stats.get("deadline_allowed", 0) >= 1 and
            not [e for e in events if e["type"] == "deny"], stats)


def test_new_mount(d):
    mnt = os.path.join(d, "mnt")
    os.makedirs(mnt)
    m = enforcer("--deny-dir", mnt)
    try:
        if not r.check("enforcer starts before the mount", m.ready):
            return
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "pn-enforce", mnt], check=True)
        unique_true(os.path.join(mnt, "mytrue"))
        err = None
        for _ in range(50):  # the rescan follows the mount table's POLLPRI
            err, _ = exec_errno(os.path.join(mnt, "mytrue"))
            if err == errno.EPERM:
                break
            time.sleep(0.1)
        r.check("a file system mounted after the start is enforced", err == errno.EPERM,
                f"errno {err}")
    finally:
        stop(m)
        subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL)


def test_killed(d):
    target = os.path.join(d, "killed", "mytrue")
    os.makedirs(os.path.dirname(target))
    unique_true(target)
    m = enforcer("--deny-dir", os.path.dirname(target))
    if not r.check("enforcer starts", m.ready):
        stop(m)
        return
    r.check("denied while it runs", exec_errno(target)[0] == errno.EPERM)
    m.proc.kill()
    m.proc.wait()
    stop(m)
    r.check("after kill -9 nothing enforces: the same exec runs", exec_errno(target) == (0, 0))


def main():
    if os.geteuid() != 0:
        r.skip("enforcement", "needs root")
        r.finish()
    d = tempfile.mkdtemp(prefix="pn-enforce.")
    try:
        test_deny_dir(os.path.join(d, "a"))
        test_deny_dir(os.path.join(d, "b"), "--sandbox")
        test_hash_survives_rename(d)
        test_deadline(d)
        test_new_mount(d)
        test_killed(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
