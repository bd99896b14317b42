# The man pages: roff that groff formats without a warning, and option
# lists that match the program's own: every option of `procnotify --help`,
# `procnotify query --help`, `procnotify tree --help` and
# `procnotify report --help` is documented in its
# section of procnotify(8) and nothing more, every monitor option that is a
# config key in procnotify.conf(5), every JSON field of the golden events.
. tests/lib.sh
PN=$BUILD/procnotify
for page in man/procnotify.8 man/procnotify.conf.5 man/procnotify-rules.7 man/libprocnotify.3; do
	warnings=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 "$page" 2>&1 >/dev/null)
	check "groff -ww formats $page without a warning" test -z "$warnings"
	[ -n "$warnings" ] && echo "$warnings" | head -5
done
T=$(mktemp -d /tmp/pn-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$PN" --help >"$T/monitor.help"
"$PN" query --help >"$T/query.help"
"$PN" tree --help >"$T/tree.help"
"$PN" report --help >"$T/report.help"
"$PN" import --help >"$T/import.help"
python3 - "$T" >"$T/out" 2>&1 <<'EOF'
import json, re, sys
t = sys.argv[1]

def section(page, title):
    text = open(page).read()
    m = re.search(r"^\.SH " + re.escape(title) + r"\n(.*?)(?=^\.SH |\Z)", text, re.S | re.M)
    assert m, f"{page}: no section {title}"
    return m.group(1).replace("\\-", "-")

def help_options(path):
    """{long: short or None} from the option lines of a --help."""
    opts = {}
    for line in open(path):
        m = re.match(r"^\s+(?:-(\w), )?--([a-z][a-z0-9-]*)", line)
        if m:
            opts[m.group(2)] = m.group(1)
    assert opts, f"no option in {path}"
    return opts

def tagged(sec):
    """The long options named in the .TP tags of a section."""
    return set(re.findall(r"^\.TP\n[^\n]*?--([a-z][a-z0-9-]*)", sec, re.M))

failures = 0
def check(what, ok):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what)
    failures += not ok

for cmd, title in [("monitor", "MONITOR OPTIONS"), ("query", "QUERY OPTIONS"), ("tree", "TREE OPTIONS"),
                   ("report", "REPORT OPTIONS"),
                   ("import", "IMPORT OPTIONS")]:
    opts = help_options(f"{t}/{cmd}.help")
    sec = section("man/procnotify.8", title)
    lines = sec.splitlines()
    for name, short in opts.items():
        has = [l for l in lines if re.search(r"--" + re.escape(name) + r"(?![a-z0-9-])", l)]
        check(f"procnotify(8) {title}: --{name}", bool(has))
        if short and has:
            check(f"procnotify(8) {title}: -{short} with --{name}",
                  any(re.search(r"(?<![\w-])-" + short + r"(?!\w)", l) for l in has))
    extra = tagged(sec) - set(opts)
    check(f"procnotify(8) {title}: no option the program lacks {sorted(extra)}", not extra)

# Config keys: every monitor option but those only the command line has.
cli_only = {"help", "version", "config", "check-config"}
keys = set(re.findall(r"^\.B ([a-z][a-z0-9-]*)$", section("man/procnotify.conf.5", "KEYS"), re.M))
want = set(help_options(f"{t}/monitor.help")) - cli_only
check(f"procnotify.conf(5) KEYS: every config option {sorted(want - keys)}", not want - keys)
check(f"procnotify.conf(5) KEYS: no key the program lacks {sorted(keys - want)}", not keys - want)

fields = set()
for line in open("tests/golden/events.jsonl"):
    fields |= set(json.loads(line))
sec = section("man/procnotify.8", "JSON FIELDS")
documented = set(re.findall(r"\.BR? ([a-z_]+)", sec)) | set(re.findall(r'" ([a-z_]+)(?= |$)', sec, re.M))
check(f"procnotify(8) JSON FIELDS: every field of the golden events {sorted(fields - documented)}",
      not fields - documented)
sys.exit(1 if failures else 0)
EOF
rc=$?
cat "$T/out"
check "the man pages' option lists match the program's" test "$rc" = 0
finish
