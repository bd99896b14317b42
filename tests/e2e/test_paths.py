"""End-to-end: an exec's image path says what it means (issue 10).

A hostile local user must not be able to make the log name the wrong file:
each scenario execs a copy of the workload where a bare path would mislead
(a chroot, a private mount namespace, a memfd, an unlinked file, a path 130
directories deep, a path over 4096 bytes) and checks the exact fields that
tell the reader what the path means, in JSON and as marks in the table.

Run as root. PN_BACKEND (bpf, netlink) picks the backend; where the netlink
backend cannot know a field (a path longer than the kernel will print), the
field must be null. Prints "N passed, N failed, N skipped".
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import BUILD, WORKLOAD, Monitor, Results, parse_jsonl, run_gated

R = Results()
BACKEND = os.environ.get("PN_BACKEND", "bpf")
STATIC = os.path.abspath(os.path.join(BUILD, "tests", "workload-static"))
MARK = f"pn-paths-{os.getpid()}"
HOST_MNT = os.stat("/proc/self/ns/mnt").st_ino
HOST_PID = os.stat("/proc/self/ns/pid").st_ino


def dev(st):
    return f"{os.major(st.st_dev)}:{os.minor(st.st_dev)}"


# The monitors a run waits for (set by main).
WATCHED = []


def run(argv, execs, **kw):
    """Runs argv, which ends by exec'ing the workload as the execs-th exec
    of its process; the workload lingers until the monitors have shown
    that many execs of it (the netlink backend reads /proc then). A count,
    not the workload's arguments: an earlier exec read late from /proc
    shows them too."""
    return run_gated(WATCHED, argv, (execs,), **kw)[0]


def chroot_jail(tmp):
    """The issue's report: uid 65534 in a user namespace of its own chroots
    into a directory holding its own /usr/bin/sudo."""
    jail = os.path.join(tmp, "jail")
    os.makedirs(os.path.join(jail, "usr", "bin"))
    for d in (tmp, jail, os.path.join(jail, "usr"), os.path.join(jail, "usr", "bin")):
        os.chmod(d, 0o755)
    exe = os.path.join(jail, "usr", "bin", "sudo")
    shutil.copy(STATIC, exe)
    # unshare, chroot, then the workload: three execs.
    pid = run(["unshare", "-r", "chroot", jail, "/usr/bin/sudo", "linger", MARK], 3,
              preexec_fn=lambda: (os.setgroups([]), os.setgid(65534), os.setuid(65534)))
    return pid, dict(image="/usr/bin/sudo", root=jail, cwd="/", st=os.stat(exe))


def private_mount(tmp):
    """A tmpfs over a directory, in a mount namespace of its own: the path
    names a file no other namespace can see."""
    over = os.path.join(tmp, "over")
    os.mkdir(over)
    idfile = os.path.join(tmp, "over.id")
    script = (f'mount -t tmpfs none "$1" && cp "$2" "$1/sudo" && '
              f'stat -c "%d %i" "$1/sudo" > "$3" && exec "$1/sudo" linger {MARK}')
    # unshare, sh, then the workload (mount, cp and stat are sh's children).
    pid = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", over,
               WORKLOAD, idfile], 3)
    with open(idfile) as f:
        d, ino = (int(x) for x in f.read().split())
    return pid, dict(image=os.path.join(over, "sudo"), dev=f"{os.major(d)}:{os.minor(d)}",
                     ino=ino)


# A child that execs the workload through a file descriptor, after saying
# which file that is: a memfd holding a copy, or a copy it has unlinked.
FEXEC = r"""
import os, sys
kind, src, out, mark = sys.argv[1:5]
data = open(src, "rb").read()
if kind == "memfd":
    fd = os.memfd_create("payload", 0)
    os.write(fd, data)
else:
    fd = os.open(out + ".victim", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o755)
    os.write(fd, data)
    os.close(fd)
    fd = os.open(out + ".victim", os.O_RDONLY)
    os.unlink(out + ".victim")
st = os.fstat(fd)
with open(out, "w") as f:
    f.write(f"{os.major(st.st_dev)}:{os.minor(st.st_dev)} {st.st_ino}")
os.execve(fd, ["payload", "linger", mark], {"PN_LINGER_STDIN": "1"})
"""


def fexec(tmp, kind):
    out = os.path.join(tmp, kind + ".id")
    pid = run([sys.executable, "-c", FEXEC, kind, WORKLOAD, out, MARK], 2)
    with open(out) as f:
        d, ino = f.read().split()
    return pid, dict(image="memfd:payload" if kind == "memfd" else out + ".victim",
                     dev=d, ino=int(ino))


def deep(tmp, name, levels, part):
    """A copy of the workload `levels` directories down, run from there.
    Made and reached one directory at a time: the whole path may be longer
    than a system call takes."""
    fd = os.open(tmp, os.O_RDONLY | os.O_DIRECTORY)
    for d in [name] + [part] * levels:
        os.mkdir(d, dir_fd=fd)
        down = os.open(d, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = down
    out = os.open("sudo", os.O_WRONLY | os.O_CREAT, 0o755, dir_fd=fd)
    with open(WORKLOAD, "rb") as f:
        os.write(out, f.read())
    os.close(out)
    st = os.stat("sudo", dir_fd=fd)
    pid = run(["./sudo", "linger", MARK], 1, pass_fds=[fd], preexec_fn=lambda: os.fchdir(fd))
    os.close(fd)
    where = os.path.join(tmp, name, *[part] * levels)
    return pid, dict(image=os.path.join(where, "sudo"), cwd=where, st=st)


def scenarios(tmp):
    got = {}
    got["chroot"] = chroot_jail(tmp)
    got["mntns"] = private_mount(tmp)
    got["memfd"] = fexec(tmp, "memfd")
    got["deleted"] = fexec(tmp, "deleted")
    got["deep130"] = deep(tmp, "deep", 130, "d")
    # 20 components of 250 bytes: 5,000 bytes and more, past PN_PATH_MAX.
    got["long5000"] = deep(tmp, "long", 20, "Q" * 250)
    return got


def exec_of(events, pid):
    """The workload's exec: the last of its process (unshare, chroot, sh or
    python ran first in it), with the workload's arguments."""
    x = [e for e in events if e["type"] == "exec" and e["pid"] == pid]
    return x[-1] if x and x[-1]["argv"] and x[-1]["argv"][1:] == ["linger", MARK] else None


def fields(e, keys):
    return {k: e.get(k, "(absent)") for k in keys} if e else None


def expect(name, e, want):
    """Every field of want, exactly; the rest of the new fields as given."""
    got = fields(e, want)
    R.check(f"{name}: {sorted(want)}", got == want, f"got {got}, want {want}")


def check(events, table, got):
    rows = [l for l in table.split("\n") if l.startswith("| ") and "| exec" in l]

    def row(pid):
        r = [l for l in rows if f" {pid} | " in l]
        return r[-1] if r else ""

    base = {"mnt_ns": HOST_MNT, "pid_ns": HOST_PID, "image_truncated": False,
            "cwd_truncated": False, "image_deleted": False, "root": None}

    pid, x = got["chroot"]
    e = exec_of(events, pid)
    expect("chroot as uid 65534: the path as the process saw it, and its root", e,
           dict(base, image=x["image"], root=x["root"], cwd=x["cwd"], image_dev=dev(x["st"]),
                image_ino=x["st"].st_ino))
    R.check("chroot: the table marks the root", f"/usr/bin/sudo [root {x['root']}] :" in row(pid),
            row(pid))

    pid, x = got["mntns"]
    e = exec_of(events, pid)
    expect("private mount namespace: image, its file, the pid namespace", e,
           dict(base, mnt_ns=e and e.get("mnt_ns"), image=x["image"], image_dev=x["dev"],
                image_ino=x["ino"]))
    R.check("private mount namespace: mnt_ns is known and not the host's",
            e and isinstance(e.get("mnt_ns"), int) and e["mnt_ns"] != HOST_MNT, str(fields(e, ["mnt_ns"])))
    R.check("private mount namespace: the table marks it",
            e and f"{x['image']} [mnt ns {e.get('mnt_ns')}] :" in row(pid), row(pid))

    for kind in ("memfd", "deleted"):
        pid, x = got[kind]
        e = exec_of(events, pid)
        expect(f"{kind}: image, deleted mark, the file's device and inode", e,
               dict(base, image=x["image"], image_deleted=True, image_dev=x["dev"],
                    image_ino=x["ino"]))
        R.check(f"{kind}: the table marks it deleted", f"{x['image']} [deleted] :" in row(pid),
                row(pid))

    pid, x = got["deep130"]
    e = exec_of(events, pid)
    expect("130 directories deep: image and cwd whole, not marked", e,
           dict(base, image=x["image"], cwd=x["cwd"], image_dev=dev(x["st"]),
                image_ino=x["st"].st_ino))

    pid, x = got["long5000"]
    e = exec_of(events, pid)
    if BACKEND == "bpf":
        # What fits is kept, the end of the path; the flag says it is cut.
        cut = e and e["image"] and x["image"].endswith(e["image"]) and len(e["image"]) <= 4096
        R.check("over 4096 bytes: the image is the path's end, cut", cut,
                str(e and e["image"] and len(e["image"])))
        expect("over 4096 bytes: image and cwd marked truncated, the file still named", e,
               dict(base, image=e and e["image"], cwd=e and e["cwd"], image_truncated=True,
                    cwd_truncated=True, image_dev=dev(x["st"]), image_ino=x["st"].st_ino))
        R.check("over 4096 bytes: the table marks it", "/sudo [truncated] :" in row(pid),
                row(pid)[:40] + "..." + row(pid)[-80:])
    else:
        # /proc will not print a path that long: unknown, and said to be cut.
        expect("over 4096 bytes: image and cwd null and marked truncated, the file still named",
               e, dict(base, image=None, cwd=None, image_truncated=True, cwd_truncated=True,
                       image_dev=dev(x["st"]), image_ino=x["st"].st_ino))


def main():
    if os.geteuid() != 0:
        R.skip("path meaning", f"needs root ({BACKEND} backend)")
        R.finish()
    jm = Monitor("--json", "-t", "exec", "--backend", BACKEND)
    tm = Monitor("-t", "exec", "--backend", BACKEND)
    if not R.check("both monitors print ready", jm.ready and tm.ready, str(jm.ready)):
        print(jm.stop(), tm.stop())
        R.finish()
    WATCHED.extend((jm, tm))
    with tempfile.TemporaryDirectory() as tmp:
        got = scenarios(tmp)
        rc, data, err = jm.stop()
        trc, tdata, terr = tm.stop(signal.SIGTERM)
    events, bad = parse_jsonl(data)
    R.check("monitors exit 0", rc == 0 and trc == 0, f"{rc} {err} {trc} {terr}")
    R.check("every JSON line parses", not bad, repr(bad[:2]))
    check(events, tdata.decode("utf-8", errors="replace"), got)
    R.finish()


if __name__ == "__main__":
    main()
