# --format ecs: Elastic Common Schema documents. Each document of the
# golden events (every type, hostile names and host, lost records) is read
# back with a JSON parser and checked against the event's own JSON, field
# by field: each ECS field has the JSON field's exact value, every other
# JSON field is under "procnotify.", nothing unknown is written as null.
# With root, the live monitor's --format ecs of a known workload.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch ecs
G=tests/golden/events.jsonl

"$PN" import --db "$D/g.db" "$G" 2>/dev/null
"$PN" query --db "$D/g.db" --numeric --format ecs >"$D/g.ecs"
check "query --format ecs writes one document per event" \
	test "$(wc -l <"$D/g.ecs")" = "$(wc -l <"$G")"

cat >"$D/check.py" <<'PY'
import json, sys

# JSON member -> ECS path (fields.h PN_FIELD_ECS_MAP, and the hand-written ones).
ECS = {"pid": "process.pid", "ppid": "process.parent.pid", "tid": "process.thread.id",
       "uid": "user.id", "gid": "group.id", "euid": "user.effective.id",
       "comm": "process.name", "image": "process.executable", "key": "process.entity_id",
       "parent_key": "process.parent.entity_id", "argv": "process.args",
       "cwd": "process.working_directory", "sid": "process.session_leader.pid",
       "host": "host.name", "rules": "tags", "exit_code": "process.exit_code",
       "container_id": "container.id", "parent_image": "process.parent.executable",
       "image_sha256": "process.hash.sha256",
       "seq": "event.sequence", "time": "@timestamp", "type": "event.action"}
KEYWORDS = {"uid", "gid", "euid"}
START = {"fork", "exec", "create"}

def get(doc, path):
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return KeyError
        doc = doc[part]
    return doc

def nulls(doc):
    if isinstance(doc, dict):
        return any(v is None or nulls(v) for v in doc.values())
    return isinstance(doc, list) and any(nulls(v) for v in doc)

bad = []
for n, (j, e) in enumerate(zip(open(sys.argv[1], encoding="utf-8", errors="surrogateescape"),
                               open(sys.argv[2], encoding="utf-8", errors="surrogateescape")), 1):
    ev, doc = json.loads(j), json.loads(e)
    if nulls(doc):
        bad.append((n, "a null"))
    for k, v in ev.items():
        if k in ("count", "by_type", "reason") and ev["type"] == "lost":
            path = "procnotify.lost." + k
            v = "producer" if k == "reason" and v is None else v
        elif k == "nt_status":
            path, v = "procnotify.nt_status", int(v, 16)
        else:
            path = ECS.get(k, "procnotify." + k)
        if k in KEYWORDS and v is not None:
            v = str(v)
        if k == "exit_code" and v is None:
            continue
        got = get(doc, path)
        if v is None or v == []:
            if got is not KeyError:
                bad.append((n, path, "unknown, yet written"))
        elif k == "count" and v is None:
            pass
        elif got != v:
            bad.append((n, path, got, v))
    want_type = None if ev["type"] == "lost" else (
        ["start"] if ev["type"] in START else ["end"] if ev["type"] == "exit" else
        ["info"] if ev["type"] == "coredump" else ["change"])
    if get(doc, "event.type") != (KeyError if want_type is None else want_type):
        bad.append((n, "event.type", get(doc, "event.type")))
    want_kind = "pipeline_error" if ev["type"] == "lost" else "event"
    if get(doc, "event.kind") != want_kind or get(doc, "ecs.version") is KeyError:
        bad.append((n, "event.kind or ecs.version"))
    if ev.get("argv") and get(doc, "process.command_line") != " ".join(ev["argv"]):
        bad.append((n, "process.command_line"))
    if ev.get("argv") is not None and get(doc, "process.args_count") != len(ev["argv"]):
        bad.append((n, "process.args_count"))
for b in bad[:10]:
    print(b)
sys.exit(1 if bad or n < 10 else 0)
PY
check "every golden event's ECS document holds its JSON fields, exactly" \
	python3 "$D/check.py" "$G" "$D/g.ecs"
check "the hostile host and names come out escaped, one line each" \
	test "$(grep -c $'\x1b' "$D/g.ecs")" = 0
n=$("$PN" query --db "$D/g.db" --format ecs --host nowhere | wc -l)
check "query --format ecs --host filters like the other formats" test "$n" = 0

if is_root; then
	"$PN" --format ecs --hostname ecs-1 --db "$D/live.db" -o "$D/live.ecs" 2>"$D/mon.err" &
	MON=$!
	for _ in $(seq 100); do grep -q ready "$D/mon.err" && break; sleep 0.1; done
	/bin/sh -c 'echo $$ >"$1"; exec /bin/true ecs-marker' sh "$D/pid"
	sleep 0.5
	kill -INT "$MON"; wait "$MON"; MON=
	check "the live --format ecs documents are JSON, one a line" \
		python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$D/live.ecs"
	P=$(cat "$D/pid")
	check "the workload's exec is there with its args, host and machine id" python3 - "$D/live.ecs" "$P" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
mine = [d for d in docs if d.get("process", {}).get("pid") == int(sys.argv[2])
        and d["event"]["action"] == "exec" and d["process"].get("args") == ["/bin/true", "ecs-marker"]]
machine = open("/etc/machine-id").read().strip()
sys.exit(not (len(mine) == 1 and mine[0]["host"]["name"] == "ecs-1"
              and mine[0]["host"].get("id") == machine
              and mine[0]["process"]["executable"] == "/usr/bin/true"))
PY
	# The log keeps host names, not machine ids (README, "ECS output"):
	# a stored event's document is the live one without host.id.
	"$PN" query --db "$D/live.db" --numeric --format ecs --pid "$P" -t exec >"$D/stored.ecs"
	check "query --format ecs of the logged exec is the live document but host.id" \
		python3 - "$D/live.ecs" "$D/stored.ecs" "$P" <<'PY'
import json, sys
def execs(path):
    docs = (json.loads(l) for l in open(path))
    return {d["event"]["sequence"]: d for d in docs
            if d["event"]["action"] == "exec" and d["process"]["pid"] == int(sys.argv[3])}
live, stored = execs(sys.argv[1]), execs(sys.argv[2])
assert stored and set(stored) <= set(live), (sorted(live), sorted(stored))
for seq, doc in stored.items():
    want = live[seq]
    assert want["host"].pop("id") and want["host"] == {"name": "ecs-1"}, want["host"]
    assert doc == want, (doc, want)
PY
else
	skip "the live --format ecs stream (needs root)"
fi
finish
