# tree --html in a real browser: the monitor records a workload whose
# image path holds <script>alert(1)</script> and whose arguments hold
# quotes, an ampersand and control bytes; headless Chromium (started here
# with a private profile, and always killed) loads the page from file://,
# and the DOM it rendered must hold every process of the tree as a row,
# the hostile strings as text and no element they could inject; the same
# for report --html. The screenshots are kept:
# $BUILD/test-artifacts/html/tree.png and report.png.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch html
ART=$BUILD/test-artifacts/html
CHR=
CHROMIUM=$(command -v chromium || command -v chromium-browser)
# Chromium and its helpers run in a session of their own: killed as one.
stop_chromium() {
	[ -n "$CHR" ] && kill -KILL -- "-$CHR" 2>/dev/null
	CHR=
}
trap 'stop_chromium; [ -n "${KEEP:-}" ] || suite_cleanup' EXIT
if ! is_root || [ -z "$CHROMIUM" ]; then
	skip "tree --html in Chromium (needs root for the monitor, and chromium: scripts/install-deps.sh)"
	finish
	exit
fi

# Runs chromium headless on a page with the given arguments; its output in
# $D/chromium.out. A minute at most, whatever happens.
chromium_run() {
	local page=$1
	shift
	setsid timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --disable-background-networking \
		--user-data-dir="$D/profile" "$@" "file://$page" >"$D/chromium.out" 2>"$D/chromium.err" &
	CHR=$!
	wait "$CHR"
	local rc=$?
	[ $rc = 0 ] || { echo "chromium: exit $rc"; tail -3 "$D/chromium.err"; }
	# Nothing of that session may outlive it (helpers it left behind).
	stop_chromium
	return $rc
}

chmod 755 "$D"
mkdir -p -m 755 "$D/bin/<script>alert(1)<"
HOSTILE="$D/bin/<script>alert(1)</script>"
cp /bin/true "$HOSTILE"
cp /bin/bash "$D/bin/pn-sh"
cp /bin/false "$D/bin/pn-fail"
cp /bin/sleep "$D/bin/pn-sleep"
cat >"$D/work" <<EOF
echo \$\$ >"$D/root.pid"
"$HOSTILE" 'a"b' "c'd" 'e&f' \$'\\x1b[31m\\x01'
$D/bin/pn-fail
$D/bin/pn-sleep 30 & s=\$!
until [ /proc/\$s/exe -ef $D/bin/pn-sleep ]; do :; done
kill -KILL \$s; wait
exit 0
EOF

record() {
	monitor_ready --db "$D/log.db" -o /dev/null || return 1
	"$D/bin/pn-sh" "$D/work" 2>/dev/null
	kill -INT "$MON" && wait "$MON"
	local rc=$?
	MON=
	return $rc
}
check "the monitor records the workload" record
ROOT=$(cat "$D/root.pid")
check "tree --html writes the page" "$PN" tree --db "$D/log.db" --html "$D/tree.html" "$ROOT"
"$PN" tree --db "$D/log.db" --json "$ROOT" >"$D/tree.json" 2>/dev/null
NPROC=$(grep -o '"pid":' "$D/tree.json" | wc -l)
check "... a page of the $NPROC processes of the tree, mode 0600" \
	test "$NPROC" -ge 4 -a "$(stat -c %a "$D/tree.html")" = 600

ln -s "$D/target" "$D/link.html"
echo keep >"$D/target"
check "--html through a symbolic link: refused (exit 1), the target untouched" \
	test "$("$PN" tree --db "$D/log.db" --html "$D/link.html" "$ROOT" 2>/dev/null; echo $?)-$(cat "$D/target")" = 1-keep
check "--html - writes the page to standard output" \
	cmp -s <("$PN" tree --db "$D/log.db" --html - "$ROOT" 2>/dev/null) "$D/tree.html"

check "the page's policy names the hash of its script" python3 - "$D/tree.html" <<'EOF'
import base64, hashlib, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
want = "sha256-" + base64.b64encode(hashlib.sha256(scripts[-1].encode()).digest()).decode()
policy = re.search(r'script-src \'([^\']*)\'', page).group(1)
if policy != want:
    print(f"the script's hash is {want}: set TREE_SCRIPT_HASH in src/lib/fmt/html_tree.c")
sys.exit(policy != want)
EOF

check "Chromium renders the page" chromium_run "$D/tree.html" --dump-dom
cp "$D/chromium.out" "$D/dom.html"
check "... the script ran under the page's policy" grep -q 'data-render-ms="' "$D/dom.html"
check "... one row per process ($NPROC)" test "$(grep -o '<div class="row ' "$D/dom.html" | wc -l)" = "$NPROC"
check "... the hostile image shown as text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;</span>' "$D/dom.html"
check "... no element injected: two scripts, no other" \
	test "$(grep -o '<script' "$D/dom.html" | wc -l)-$(grep -c 'alert(1)</script>' "$D/dom.html")" = 2-0
check "... arguments with quotes, an ampersand and control bytes, visible" \
	grep -qF '&lt;/script&gt; "a\"b" c'"'"'d e&amp;f \x1b[31m\x01</span>' "$D/dom.html"
check "... outcomes coloured: a signal, a non-zero exit, exit 0" \
	test "$(grep -o 'class="row sig' "$D/dom.html" | wc -l)$(grep -o 'class="row fail' "$D/dom.html" | wc -l)" = 11 -a \
	"$(grep -o 'class="row ok' "$D/dom.html" | wc -l)" -ge 2
check "... the timeline's view set (zoom 1x over the run's times)" \
	grep -qE 'id="pn-tree" style="--z0: 0; --zk: 1;".*id="pn-axis"|id="pn-axis">[0-9-]+ [0-9:.]+ UTC' "$D/dom.html"
check "... the selected row folds (a toggle on its children)" \
	grep -qE 'class="row [a-z]+ sel par"[^>]*><div class="lab"[^>]*><span class="tw">'"$(printf '\u25be')" "$D/dom.html"
check "... the process asked for is selected" grep -qE "class=\"row [a-z]+ sel par\"" "$D/dom.html"

mkdir -p "$ART"
rm -f "$ART/tree.png"
check "Chromium takes a screenshot of the page ($ART/tree.png)" \
	chromium_run "$D/tree.html" --hide-scrollbars --window-size=1400,900 --screenshot="$ART/tree.png"
check "... a PNG" test "$(head -c 8 "$ART/tree.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
# A chain of 40,000 processes (see 40-store): the page streams out node by
# node, in bounded memory, one node a line.
PN_CHAIN_DB="$D/chain.db" PN_CHAIN_LEN=40000 "$BUILD/tests/test_store" >/dev/null
chain_page() {
	/usr/bin/time -f %M -o "$D/chain.rss" "$PN" tree --db "$D/chain.db" --html "$D/chain.html" 1000 \
		2>/dev/null
}
check "tree --html of a 40000-level chain" chain_page
check "... 40000 nodes, the deepest at depth 39999" \
	test "$(grep -c '^\[[0-9]*,' "$D/chain.html")-$(grep -c '^\[39999,' "$D/chain.html")" = 40000-1
check "... in under 48 MiB (peak RSS $(cat "$D/chain.rss" 2>/dev/null) KiB)" \
	test "$(cat "$D/chain.rss")" -lt 49152

# report --html of the same log: tables the browser shows as they are,
# the hostile image as text, and no script at all.
check "report --html writes the page" "$PN" report --db "$D/log.db" --top 0 --html "$D/report.html"
check "Chromium renders the report" chromium_run "$D/report.html" --dump-dom
cp "$D/chromium.out" "$D/report-dom.html"
check "... its seven sections" test "$(grep -o '<section id="' "$D/report-dom.html" | wc -l)" = 7
check "... the hostile image as text in the images and new images tables" \
	test "$(grep -o '<td>[^<]*/bin/&lt;script&gt;alert(1)&lt;/script&gt;</td>' "$D/report-dom.html" | wc -l)" = 2
check "... no script, no element injected" \
	test "$(grep -c '<script\|<img\|alert(1)</script>' "$D/report-dom.html")" = 0
check "Chromium takes a screenshot of the report ($ART/report.png)" \
	chromium_run "$D/report.html" --hide-scrollbars --window-size=1200,1600 --screenshot="$ART/report.png"
# A killed process takes a moment to go: give them a few seconds.
chromium_gone() {
	for _ in $(seq 50); do
		[ -z "$(pgrep -f -- "--user-data-dir=$D/profile")" ] && return 0
		sleep 0.1
	done
	return 1
}
check "no Chromium process is left" chromium_gone
finish
