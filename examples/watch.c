/*
 * A small libprocnotify consumer: counts the process events of a few
 * seconds and prints each exec, escaped. Built against an installed
 * library through pkg-config (see examples/Makefile):
 *
 *   cc -o watch watch.c $(pkg-config --cflags --libs libprocnotify)
 *   sudo ./watch 2          # watch for two seconds
 *   ./watch --version       # the library's version, no privilege needed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <procnotify.h>
#include <procnotify/format.h>

struct counts {
	unsigned long long by_type[PN_EVENT_TYPE_MAX];
	pn_buf line;
};

/* Called by pn_poll() on this thread; strings live only until we return. */
static void on_event(const pn_event *ev, void *user)
{
	struct counts *c = user;

	c->by_type[ev->type]++;
	if (ev->type != PN_EVENT_EXEC)
		return;
	pn_buf_reset(&c->line);
	pn_buf_printf(&c->line, "exec %u ", ev->pid);
	pn_esc_table(&c->line, ev->image.ptr, ev->image.len, 0);
	pn_buf_putc(&c->line, '\n');
	fwrite(c->line.data, 1, c->line.len, stdout);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	pn_options opt = PN_OPTIONS_INIT;
	pn_stats st = PN_STATS_INIT;
	struct counts c;
	pn_handle *h;
	long long end;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "--version")) {
		/* Compiled against, and running with. */
		printf("header %s library %s\n", PN_VERSION_STRING, pn_version());
		return 0;
	}
	memset(&c, 0, sizeof(c));
	rc = pn_open(&h, &opt);
	if (rc) {
		fprintf(stderr, "watch: %s\n", opt.errmsg);
		return 1;
	}
	pn_register(h, PN_MASK_ALL, on_event, &c);
	end = now_ms() + (argc > 1 ? atoi(argv[1]) : 2) * 1000LL;
	while (now_ms() < end && (rc = pn_poll(h, (int)(end - now_ms()))) >= 0)
		;
	pn_get_stats(h, &st);
	printf("backend %s: fork %llu exec %llu exit %llu, lost %llu\n", pn_backend_name(h),
	       c.by_type[PN_EVENT_FORK], c.by_type[PN_EVENT_EXEC], c.by_type[PN_EVENT_EXIT],
	       (unsigned long long)st.lost);
	pn_close(h);
	pn_buf_free(&c.line);
	return 0;
}
