/*
 * `procnotify tree --html`: one page holding the tree as a JSON data
 * island, written node by node as the walk visits them, and a script that
 * draws it: a row per process (collapsible under its parent) with its
 * image, arguments, user and exit status coloured by outcome, beside a bar
 * from its start to its exit on a timeline that zooms. The script builds
 * every element with textContent, never markup.
 */
#include <inttypes.h>
#include "fmt_internal.h"
#include "procnotify/html.h"

static const char tree_style[] =
	"body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#222;background:#fff}\n"
	"header{position:sticky;top:0;z-index:1;background:#f3f3f3;border-bottom:1px solid #ccc;padding:6px 10px}\n"
	"header h1{font-size:15px;margin:0 0 4px}\n"
	"header button{font:inherit;margin-right:2px}\n"
	"#pn-axis{margin-left:1em;color:#555;font-family:monospace}\n"
	".legend span{margin-left:1em;padding:0 .4em;border-radius:3px;color:#fff}\n"
	"#pn-tree{--z0:0;--zk:1}\n"
	".row{display:flex;height:20px;content-visibility:auto;contain-intrinsic-size:auto 20px;border-bottom:1px solid #f0f0f0;white-space:nowrap}\n"
	".row.hid{display:none}\n"
	".row.sel{background:#fff5c2}\n"
	".lab{flex:0 0 55%;overflow:hidden;text-overflow:ellipsis;box-sizing:border-box}\n"
	".lane{flex:1 1 auto;position:relative;overflow:hidden;background:#fafafa;border-left:1px solid #ddd}\n"
	".bar{position:absolute;top:4px;height:12px;min-width:2px;left:calc((var(--s) - var(--z0)) * var(--zk) * 100%);width:calc(var(--w) * var(--zk) * 100%)}\n"
	".tw{display:inline-block;width:1.1em;color:#888}\n"
	".par>.lab>.tw{cursor:pointer;color:#222}\n"
	".pid{color:#777;margin-right:.5em;font-family:monospace}\n"
	".name{font-weight:600}\n"
	".args,.user,.st{margin-left:.6em}\n"
	".args{color:#555;font-family:monospace}\n"
	".user{color:#36c}\n"
	".deep{color:#a50}\n"
	".ok .bar,.legend .ok{background:#3a8f3a}.ok .st{color:#2a7a2a}\n"
	".fail .bar,.legend .fail{background:#e07b00}.fail .st{color:#b35f00}\n"
	".sig .bar,.legend .sig{background:#d02b2b}.sig .st{color:#b01c1c}\n"
	".core .bar,.legend .core{background:#7b1fa2}.core .st{color:#6a1b9a}\n"
	".run .bar,.legend .run{background:repeating-linear-gradient(45deg,#888 0 4px,#bbb 4px 8px)}.run .st{color:#666}\n";

/* The script, and its hash in the page's policy: a change to the one needs
 * the other (tests/suites/43-html.sh checks them, and prints the hash). */
static const char tree_script[] =
	"'use strict';\n"
	"(function () {\n"
	"  var t0 = performance.now();\n"
	"  var nodes = JSON.parse(document.getElementById('pn-data').textContent);\n"
	"  var list = document.getElementById('pn-tree');\n"
	"  var n = nodes.length, lo = Infinity, hi = -Infinity, i;\n"
	"  /* A node: [depth, pid, selected, name, args, user, start us, end us or\n"
	"   * null, status, outcome, key]. */\n"
	"  for (i = 0; i < n; i++) {\n"
	"    lo = Math.min(lo, nodes[i][6]);\n"
	"    hi = Math.max(hi, nodes[i][7] === null ? nodes[i][6] : nodes[i][7]);\n"
	"  }\n"
	"  if (!(hi > lo)) hi = lo + 1;\n"
	"  var span = hi - lo, rows = new Array(n), folded = new Uint8Array(n);\n"
	"  function el(tag, cls, text) {\n"
	"    var e = document.createElement(tag);\n"
	"    e.className = cls;\n"
	"    if (text !== undefined) e.textContent = text;\n"
	"    return e;\n"
	"  }\n"
	"  function when(us) {\n"
	"    return new Date(us / 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');\n"
	"  }\n"
	"  var frag = document.createDocumentFragment();\n"
	"  for (i = 0; i < n; i++) {\n"
	"    var d = nodes[i], end = d[7] === null ? hi : d[7];\n"
	"    var parent = i + 1 < n && nodes[i + 1][0] > d[0];\n"
	"    var row = el('div', 'row ' + d[9] + (d[2] ? ' sel' : '') + (parent ? ' par' : ''));\n"
	"    var lab = el('div', 'lab');\n"
	"    lab.style.paddingLeft = (Math.min(d[0], 32) * 14 + 4) + 'px';\n"
	"    lab.title = d[10];\n"
	"    lab.appendChild(el('span', 'tw', parent ? '\\u25be' : '\\u00b7'));\n"
	"    if (d[0] > 32) lab.appendChild(el('span', 'deep', '[depth ' + d[0] + '] '));\n"
	"    lab.appendChild(el('span', 'pid', String(d[1])));\n"
	"    lab.appendChild(el('span', 'name', d[3]));\n"
	"    lab.appendChild(el('span', 'st', d[8]));\n"
	"    lab.appendChild(el('span', 'user', d[5]));\n"
	"    if (d[4]) lab.appendChild(el('span', 'args', d[4]));\n"
	"    var lane = el('div', 'lane'), bar = el('div', 'bar');\n"
	"    bar.style.setProperty('--s', String((d[6] - lo) / span));\n"
	"    bar.style.setProperty('--w', String((end - d[6]) / span));\n"
	"    bar.title = when(d[6]) + ' \\u2192 ' + (d[7] === null ? 'no exit recorded' : when(d[7]));\n"
	"    lane.appendChild(bar);\n"
	"    row.appendChild(lab);\n"
	"    row.appendChild(lane);\n"
	"    row.dataset.i = i;\n"
	"    rows[i] = row;\n"
	"    frag.appendChild(row);\n"
	"  }\n"
	"  list.appendChild(frag);\n"
	"\n"
	"  /* Shows the rows from..to that no folded ancestor hides: in tree order\n"
	"   * a row is hidden while it is deeper than the shallowest folded row\n"
	"   * above it on its path. */\n"
	"  function refresh(from, to) {\n"
	"    var cut = Infinity;\n"
	"    for (var j = from; j < to; j++) {\n"
	"      var dj = nodes[j][0];\n"
	"      if (dj <= cut) cut = Infinity;\n"
	"      var hidden = dj > cut;\n"
	"      rows[j].classList.toggle('hid', hidden);\n"
	"      if (!hidden && folded[j]) cut = dj;\n"
	"    }\n"
	"  }\n"
	"  function subtreeEnd(i) {\n"
	"    var j = i + 1;\n"
	"    while (j < n && nodes[j][0] > nodes[i][0]) j++;\n"
	"    return j;\n"
	"  }\n"
	"  list.addEventListener('click', function (ev) {\n"
	"    var t = ev.target;\n"
	"    if (!t.classList.contains('tw')) return;\n"
	"    var i = Number(t.parentNode.parentNode.dataset.i);\n"
	"    if (!rows[i].classList.contains('par')) return;\n"
	"    folded[i] ^= 1;\n"
	"    t.textContent = folded[i] ? '\\u25b8' : '\\u25be';\n"
	"    rows[i].classList.toggle('fold', folded[i] === 1);\n"
	"    refresh(i, subtreeEnd(i));\n"
	"  });\n"
	"  function foldAll(v) {\n"
	"    for (var j = 0; j < n; j++) {\n"
	"      if (!rows[j].classList.contains('par')) continue;\n"
	"      folded[j] = v;\n"
	"      rows[j].firstChild.firstChild.textContent = v ? '\\u25b8' : '\\u25be';\n"
	"      rows[j].classList.toggle('fold', v === 1);\n"
	"    }\n"
	"    refresh(0, n);\n"
	"  }\n"
	"  document.getElementById('pn-expand').onclick = function () { foldAll(0); };\n"
	"  document.getElementById('pn-collapse').onclick = function () { foldAll(1); };\n"
	"\n"
	"  /* The timeline shows [z0, z0 + zw) of the whole span: the bars are\n"
	"   * placed by CSS from --z0 and --zk = 1 / zw, so a zoom changes two\n"
	"   * properties, not a style per bar. */\n"
	"  var z0 = 0, zw = 1, axis = document.getElementById('pn-axis');\n"
	"  function view() {\n"
	"    zw = Math.min(1, Math.max(zw, 1e-9));\n"
	"    z0 = Math.min(1 - zw, Math.max(0, z0));\n"
	"    list.style.setProperty('--z0', String(z0));\n"
	"    list.style.setProperty('--zk', String(1 / zw));\n"
	"    axis.textContent = when(lo + z0 * span) + '  \\u2026  ' + when(lo + (z0 + zw) * span) +\n"
	"      '  (\\u00d7' + (1 / zw).toFixed(1) + ')';\n"
	"  }\n"
	"  function zoom(f, at) {\n"
	"    var c = z0 + zw * at;\n"
	"    zw /= f;\n"
	"    z0 = c - zw * at;\n"
	"    view();\n"
	"  }\n"
	"  document.getElementById('pn-in').onclick = function () { zoom(2, 0.5); };\n"
	"  document.getElementById('pn-out').onclick = function () { zoom(0.5, 0.5); };\n"
	"  document.getElementById('pn-left').onclick = function () { z0 -= zw / 4; view(); };\n"
	"  document.getElementById('pn-right').onclick = function () { z0 += zw / 4; view(); };\n"
	"  document.getElementById('pn-reset').onclick = function () { z0 = 0; zw = 1; view(); };\n"
	"  list.addEventListener('wheel', function (ev) {\n"
	"    var lane = ev.target.closest('.lane');\n"
	"    if (!lane || !(ev.ctrlKey || ev.altKey || ev.shiftKey)) return;\n"
	"    ev.preventDefault();\n"
	"    var r = lane.getBoundingClientRect();\n"
	"    if (ev.shiftKey) { z0 += zw * ev.deltaY / 1000; view(); return; }\n"
	"    zoom(ev.deltaY < 0 ? 1.25 : 0.8, (ev.clientX - r.left) / r.width);\n"
	"  }, { passive: false });\n"
	"  view();\n"
	"  var sel = nodes.findIndex(function (d) { return d[2]; });\n"
	"  if (sel >= 0) {\n"
	"    document.getElementById('pn-what').textContent = nodes[sel][3] + ' (pid ' + nodes[sel][1] + ')';\n"
	"    rows[sel].scrollIntoView({ block: 'center' });\n"
	"  }\n"
	"  document.getElementById('pn-count').textContent = n + ' processes';\n"
	"  /* For the benchmark: the time from the start of the navigation to a\n"
	"   * laid out page, and this script's share of it. */\n"
	"  void document.body.offsetHeight;\n"
	"  document.body.dataset.renderMs = performance.now().toFixed(1);\n"
	"  document.body.dataset.scriptMs = (performance.now() - t0).toFixed(1);\n"
	"})();\n";
#define TREE_SCRIPT_HASH "sha256-sTTCiv+CS5TrL3isp1Tn/x56VxcTIQdZLzaw0Moblis="

static const char tree_header[] =
	"<header><h1>procnotify tree: <span id=\"pn-what\"></span> <small id=\"pn-count\"></small></h1>\n"
	"<button id=\"pn-expand\">expand all</button><button id=\"pn-collapse\">collapse all</button>\n"
	" timeline <button id=\"pn-out\" title=\"zoom out\">\xe2\x88\x92</button>"
	"<button id=\"pn-in\" title=\"zoom in (or Ctrl+wheel on a bar)\">+</button>"
	"<button id=\"pn-left\">\xe2\x97\x80</button><button id=\"pn-right\">\xe2\x96\xb6</button>"
	"<button id=\"pn-reset\">all</button><span id=\"pn-axis\"></span>\n"
	"<span class=\"legend\"><span class=\"ok\">exit 0</span><span class=\"fail\">exit status</span>"
	"<span class=\"sig\">signal</span><span class=\"core\">core dumped</span>"
	"<span class=\"run\">no exit recorded</span></span></header>\n"
	"<noscript>The tree is drawn by this page's script.</noscript>\n"
	"<div id=\"pn-tree\"></div>\n"
	"<script type=\"application/json\" id=\"pn-data\">[";

void pn__fmt_html_tree_begin(pn_fmt_html_tree *t, const char *title)
{
	pn__html_head(t->out, title, tree_style, TREE_SCRIPT_HASH);
	pn_buf_puts(t->out, tree_header);
	t->nodes = 0;
}

/* The class of a process's outcome, which the style colours. */
static const char *outcome(const pn_proc_node *p)
{
	if (!p->end_ns)
		return "run";
	if (p->core_dumped)
		return "core";
	if (p->signal)
		return "sig";
	return p->exit_code ? "fail" : "ok";
}

/* Text made by the table's pieces (already escaped), quoted for the island. */
static void put_scratch(pn_fmt_html_tree *t, size_t skip)
{
	size_t n = t->scratch.len > skip ? t->scratch.len - skip : 0;

	pn__html_json_quote(t->out, n ? t->scratch.data + skip : "", n);
	pn_buf_reset(&t->scratch);
}

/* The image, else [comm], else ?: what the table shows. */
static void put_name(pn_fmt_html_tree *t, const pn_proc_node *p)
{
	if (p->have & PN_HAVE_IMAGE) {
		pn__esc_html_json(t->out, p->image.ptr, p->image.len);
		return;
	}
	if (p->have & PN_HAVE_COMM) {
		pn_buf_putc(&t->scratch, '[');
		pn__esc_text(&t->scratch, p->comm.ptr, p->comm.len);
		pn_buf_putc(&t->scratch, ']');
	} else {
		pn_buf_putc(&t->scratch, '?');
	}
	put_scratch(t, 0);
}

static void put_user(pn_fmt_html_tree *t, const pn_proc_node *p, const char *user)
{
	if (!(p->have & PN_HAVE_UID)) {
		pn_buf_puts(t->out, ",\"?\"");
		return;
	}
	if (user) {
		pn__esc_text(&t->scratch, user, strlen(user));
		pn_buf_printf(&t->scratch, " (%" PRIu32 ")", p->uid);
	} else {
		pn_buf_printf(&t->scratch, "uid %" PRIu32, p->uid);
	}
	pn_buf_putc(t->out, ',');
	put_scratch(t, 0);
}

void pn__fmt_html_tree_node(pn_fmt_html_tree *t, const pn_proc_node *p, unsigned depth,
			    int selected, const char *user)
{
	pn_buf *b = t->out;

	pn_buf_printf(b, "%s[%u,%" PRIu32 ",%d,", t->nodes++ ? ",\n" : "\n", depth, p->pid,
		      selected != 0);
	put_name(t, p);
	pn_buf_putc(b, ',');
	if (p->have & PN_HAVE_ARGV)
		pn__table_argv(&t->scratch, &p->argv);
	put_scratch(t, 1); /* pn__table_argv() starts with a space */
	put_user(t, p, user);
	pn_buf_printf(b, ",%" PRId64 ",", p->start_ns / 1000);
	if (p->end_ns)
		pn_buf_printf(b, "%" PRId64 ",", p->end_ns / 1000);
	else
		pn_buf_puts(b, "null,");
	pn__fmt_tree_status(&t->scratch, p);
	put_scratch(t, 0);
	pn_buf_printf(b, ",\"%s\",\"", outcome(p));
	pn_fmt_key(b, &p->key);
	pn_buf_puts(b, "\"]");
}

void pn__fmt_html_tree_end(pn_fmt_html_tree *t)
{
	pn_buf_puts(t->out, "\n]</script>\n<script>");
	pn_buf_puts(t->out, tree_script);
	pn_buf_puts(t->out, "</script>\n");
	pn__html_tail(t->out);
}

void pn__fmt_html_tree_free(pn_fmt_html_tree *t)
{
	pn_buf_free(&t->scratch);
}
