# The library's boundary: libprocnotify.so exports the public API (pn_*)
# and none of the pn__ internals, and every public header compiles alone,
# as C and as C++, so a consumer needs nothing but the header it includes.
. tests/lib.sh
so=$BUILD/libprocnotify.so

# The public API: every function a public header declares with PN_EXPORT.
api=$(cat include/procnotify.h include/procnotify/*.h |
	sed -n 's/^PN_EXPORT .*[^a-z_0-9]\(pn_[a-z_0-9]*\)(.*/\1/p' | sort -u)
if [ -f "$so" ] && [ -n "$api" ]; then
	syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {sub(/@.*/, "", $3); print $3}' |
		sort -u)
	internal=$(grep '^pn__' <<<"$syms" | head -5 | tr '\n' ' ')
	unmarked=$(comm -23 <(echo "$syms") <(echo "$api") | grep -v '^_\(init\|fini\)$' |
		head -5 | tr '\n' ' ')
	missing=$(comm -13 <(echo "$syms") <(echo "$api") | head -5 | tr '\n' ' ')
	[ -z "$internal" ] && pass "exports no pn__ internal" || fail "exports internals: $internal"
	[ -z "$unmarked" ] && pass "exports only PN_EXPORT functions" || fail "exports: $unmarked"
	[ -z "$missing" ] && pass "exports every PN_EXPORT function ($(wc -l <<<"$api"))" ||
		fail "does not export: $missing"
else
	fail "no $so, or no PN_EXPORT declaration found"
fi

# One file per header and language: each includes only that header.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in include/procnotify.h include/procnotify/*.h; do
	rel=${h#include/}
	printf '#include "%s"\ntypedef int pn_test_not_empty;\n' "$rel" > "$tmp/h.c"
	cp "$tmp/h.c" "$tmp/h.cc"
	check "$rel compiles as C11" gcc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude \
		-fsyntax-only "$tmp/h.c"
	check "$rel compiles as C++11" g++ -std=c++11 -Wall -Wextra -Werror -Iinclude \
		-fsyntax-only "$tmp/h.cc"
done
finish
