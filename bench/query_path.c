/*
 * Where the time of `procnotify query` goes (make bench-query; issue 16,
 * item 3): the same window of an existing log read in four ways, each the
 * best of RUNS in CPU time (user + system, so that other programs on a
 * shared machine count for little):
 *
 *   store   pn_store_query_where() with a visitor that does nothing: the
 *           rows read from SQLite and rebuilt as events;
 *   table, json, numeric json, csv, ecs
 *           the same, each event rendered FORMAT_REPEAT times by the
 *           formatter `query` uses, into a buffer never written: the
 *           formatter is the difference from the store's time, over
 *           FORMAT_REPEAT (a difference of two runs of the store alone
 *           swamps a formatter's time: a microsecond in ten);
 *   CLI     `procnotify query --db LOG --since T [--json|--format F...]`
 *           run with its output a pipe this program drains: all of it
 *           (process start, names, output written).
 *
 * and prints each per row, with what is not the store's (the formatter,
 * the CLI) apart. Usage: query_path -d LOG [-s SINCE] [-r RUNS] [-p PROCNOTIFY]
 * (SINCE as `query --since` takes it, default 1h; -p default build/procnotify).
 * A log to read: build/bench/store_scale -n 2000000 -d 2 -o LOG -k -w.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/csv.h"
#include "procnotify/format.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define FLUSH_BYTES (1 << 20) /* as the CLI's sink */
#define FORMAT_REPEAT 10

enum form { FORM_NONE, FORM_TABLE, FORM_JSON, FORM_NUMERIC_JSON, FORM_CSV, FORM_ECS };

struct visit {
	enum form form;
	pn_buf out;
	long rows;
};

static void die(const char *what)
{
	fprintf(stderr, "query_path: %s\n", what);
	exit(1);
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The names are what query's cache hands back after the first row: fixed
 * strings, so that the formatter alone is timed. */
static void format(struct visit *v, const pn_event *ev)
{
	if (v->form == FORM_TABLE)
		pn_fmt_table_row_dated(&v->out, ev, &(pn_fmt_table_extra){ 3600 * NS, "root", "root" });
	else if (v->form == FORM_JSON)
		pn_fmt_json_named(&v->out, ev, "root", "root");
	else if (v->form == FORM_NUMERIC_JSON)
		pn_fmt_json(&v->out, ev);
	else if (v->form == FORM_CSV)
		pn__fmt_csv(&v->out, ev);
	else
		pn_fmt_ecs(&v->out, ev, &(pn_fmt_ecs_extra){ NULL, "root", "root" });
}

/* Each event formatted FORMAT_REPEAT times, written over but the last. */
static int visit_row(const pn_event *ev, void *user)
{
	struct visit *v = user;

	v->rows++;
	for (int i = 0; v->form != FORM_NONE && i < FORMAT_REPEAT; i++) {
		size_t at = v->out.len;

		format(v, ev);
		if (i + 1 < FORMAT_REPEAT)
			v->out.len = at;
	}
	if (v->out.len > FLUSH_BYTES)
		pn_buf_reset(&v->out);
	return 0;
}

/* One read of the window in-process: CPU seconds; the row count in *rows. */
static double run_lib(const char *path, int64_t since_ns, enum form form, long *rows)
{
	pn_store_where w = { .since_ns = since_ns };
	struct visit v = { .form = form };
	double t = cpu_s();
	char err[256];
	pn_store *s;

	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)))
		die(err);
	if (pn_store_query_where(s, &w, visit_row, &v) < 0)
		die(pn_store_errmsg(s));
	pn_store_close(s);
	t = cpu_s() - t;
	pn_buf_free(&v.out);
	*rows = v.rows;
	return t;
}

/* One run of the CLI, its output drained from a pipe: the child's CPU
 * seconds (wait4), its bytes out in *bytes. */
static double run_cli(char *const argv[], long *bytes)
{
	static char buf[1 << 16];
	struct rusage ru;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	*bytes = 0;
	while ((n = read(fd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		*bytes += n > 0 ? n : 0;
	close(fd[0]);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("procnotify query failed");
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#define NFORMS 5
static const struct {
	const char *what;
	enum form form;
	const char *flags[3];
} forms[NFORMS] = {
	{ "table", FORM_TABLE, { NULL } },
	{ "--json", FORM_JSON, { "--json", NULL } },
	{ "--numeric --json", FORM_NUMERIC_JSON, { "--numeric", "--json", NULL } },
	{ "--format csv", FORM_CSV, { "--format", "csv", NULL } },
	{ "--format ecs", FORM_ECS, { "--format", "ecs", NULL } },
};

static double least(double a, double b)
{
	return a < b ? a : b;
}

/* The runs of each way taken in turn, so that a busy spell of the machine
 * spreads over all of them; the best of each. The first round warms the
 * page cache and is not counted. */
static void measure(const char *path, int64_t since_ns, const char *since_arg, const char *prog,
		    int runs)
{
	double store = 1e9, fmt[NFORMS], cli[NFORMS];
	long rows = 0, n, bytes[NFORMS];

	for (int i = 0; i < NFORMS; i++)
		fmt[i] = cli[i] = 1e9;
	for (int r = 0; r <= runs; r++) {
		double t = run_lib(path, since_ns, FORM_NONE, &rows);

		store = r ? least(store, t) : store;
		for (int i = 0; i < NFORMS; i++) {
			char *argv[9] = { (char *)prog, "query", "--db", (char *)path, "--since",
					  (char *)since_arg }; /* 2 flags at most, and NULL */

			for (int j = 0; forms[i].flags[j]; j++)
				argv[6 + j] = (char *)forms[i].flags[j];
			t = run_lib(path, since_ns, forms[i].form, &n);
			fmt[i] = r ? least(fmt[i], t) : fmt[i];
			t = run_cli(argv, &bytes[i]);
			cli[i] = r ? least(cli[i], t) : cli[i];
		}
	}
	if (!rows)
		die("no rows in the window");
	printf("# query --since %s: %ld rows; per row, CPU (user + system), best of %d\n",
	       since_arg, rows, runs);
	printf("%-18s %8s %10s %11s %10s\n", "", "store", "formatter", "rest of CLI", "CLI total");
	for (int i = 0; i < NFORMS; i++) {
		double f = (fmt[i] - store) / FORMAT_REPEAT;

		printf("%-18s %5.2f us %7.2f us %8.2f us %7.2f us  (%.0f bytes a row)\n",
		       forms[i].what, store / rows * 1e6, f / rows * 1e6,
		       (cli[i] - store - f) / rows * 1e6, cli[i] / rows * 1e6, (double)bytes[i] / rows);
	}
}

static void usage(void)
{
	fputs("usage: query_path -d LOG [-s SINCE] [-r RUNS] [-p PROCNOTIFY]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *since = "1h", *prog = "build/procnotify";
	char since_arg[32];
	int runs = 5, c;
	struct timespec now;
	int64_t since_ns;

	while ((c = getopt(argc, argv, "d:s:r:p:")) != -1) {
		if (c == 'd')
			path = optarg;
		else if (c == 's')
			since = optarg;
		else if (c == 'r')
			runs = atoi(optarg);
		else if (c == 'p')
			prog = optarg;
		else
			usage();
	}
	if (!path || runs < 1)
		usage();
	clock_gettime(CLOCK_REALTIME, &now);
	if (pn_store_parse_when(since, now.tv_sec * NS + now.tv_nsec, 1, &since_ns))
		die("SINCE: expected what query --since takes");
	/* The CLI reads the very window, whatever the clock says by then. */
	snprintf(since_arg, sizeof(since_arg), "@%lld", (long long)(since_ns / NS));
	measure(path, since_ns / NS * NS, since_arg, prog, runs);
	return 0;
}
