/* The monitor's outputs: see outputs.h and include/procnotify/output.h. */
#include <stdio.h>
#include <string.h>
#include "outputs.h"

static void note(const char *what, void *user)
{
	fprintf(stderr, "procnotify: %s\n", what);
}

static int open_one(struct pn_cli_outputs *outs, const pn__output_ops *ops, const char *target,
		    const struct monitor_opts *o)
{
	pn_output_options opt = {
		.queue_bytes = o->output_queue,
		.hostname = o->lib.host, /* --hostname: the name the events carry */
		.facility = o->syslog_facility,
		.severity = o->syslog_severity,
		.note = note,
	};
	char err[512];

	if (pn__output_open(&outs->out[outs->n], ops, target, &opt, err, sizeof(err))) {
		fprintf(stderr, "procnotify: %s\n", err);
		return -1;
	}
	outs->n++;
	return 0;
}

int pn_cli_outputs_open(struct pn_cli_outputs *outs, const struct monitor_opts *o)
{
	memset(outs, 0, sizeof(*outs));
	if (o->syslog && open_one(outs, &pn__output_syslog, o->syslog, o))
		return -1;
	if (o->journal && open_one(outs, &pn__output_journal, o->journal, o))
		return -1;
	return 0;
}

void pn_cli_outputs_register(struct pn_cli_outputs *outs, pn_handle *h, uint32_t mask)
{
	for (size_t i = 0; i < outs->n; i++)
		pn_register(h, mask, pn__output_event, outs->out[i]);
}

void pn_cli_outputs_unregister(struct pn_cli_outputs *outs, pn_handle *h)
{
	for (size_t i = 0; i < outs->n; i++)
		pn_unregister(h, pn__output_event, outs->out[i]);
}

int pn_cli_outputs_start(struct pn_cli_outputs *outs)
{
	for (size_t i = 0; i < outs->n; i++) {
		int rc = pn__output_start(outs->out[i]);

		if (rc) {
			fprintf(stderr, "procnotify: %s: cannot start its thread: %s\n",
				pn__output_label(outs->out[i]), strerror(-rc));
			return -1;
		}
	}
	return 0;
}

void pn_cli_outputs_event(struct pn_cli_outputs *outs, const pn_event *ev, const pn_output *except)
{
	for (size_t i = 0; i < outs->n; i++)
		if (outs->out[i] != except)
			pn__output_event(ev, outs->out[i]);
}

void pn_cli_outputs_losses(struct pn_cli_outputs *outs, struct sink *sink, pn_store *store)
{
	pn_event lost;

	for (size_t i = 0; i < outs->n; i++) {
		if (!pn__output_take_lost(outs->out[i], &lost))
			continue;
		sink_event(&lost, sink);
		if (store)
			pn_store_event(&lost, store);
		pn_cli_outputs_event(outs, &lost, outs->out[i]);
	}
}

void pn_cli_outputs_drain(struct pn_cli_outputs *outs)
{
	for (size_t i = 0; i < outs->n; i++)
		if (pn__output_drain(outs->out[i], PN_CLI_OUTPUT_DRAIN_MS))
			fprintf(stderr, "procnotify: %s: not all written in %d ms\n",
				pn__output_label(outs->out[i]), PN_CLI_OUTPUT_DRAIN_MS);
}

void pn_cli_outputs_summary(const struct pn_cli_outputs *outs)
{
	for (size_t i = 0; i < outs->n; i++) {
		uint64_t sent, lost;

		pn__output_stats(outs->out[i], &sent, &lost);
		fprintf(stderr, "procnotify: %s: %llu events sent, lost %llu\n",
			pn__output_label(outs->out[i]), (unsigned long long)sent,
			(unsigned long long)lost);
	}
}

void pn_cli_outputs_close(struct pn_cli_outputs *outs)
{
	for (size_t i = 0; i < outs->n; i++)
		pn__output_close(outs->out[i]);
	outs->n = 0;
}
