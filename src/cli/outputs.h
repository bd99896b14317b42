/* The monitor's outputs (--syslog): opened before the sandbox, started
 * after it, and their losses put in every other stream. */
#ifndef PN_CLI_OUTPUTS_H
#define PN_CLI_OUTPUTS_H
#include "cli.h"
#include "procnotify/output.h"

/* How long the end of a run waits for an output to write its queue. */
#define PN_CLI_OUTPUT_DRAIN_MS 2000

struct pn_cli_outputs {
	pn_output *out[4];
	size_t n;
};

/* Opens the outputs the options ask for; -1 after saying why. */
int pn_cli_outputs_open(struct pn_cli_outputs *outs, const struct monitor_opts *o);
/* Registers (or, again, re-registers) each for the types in mask. */
void pn_cli_outputs_register(struct pn_cli_outputs *outs, pn_handle *h, uint32_t mask);
void pn_cli_outputs_unregister(struct pn_cli_outputs *outs, pn_handle *h);
int pn_cli_outputs_start(struct pn_cli_outputs *outs);
/* ev (a lost record) to every output but except. */
void pn_cli_outputs_event(struct pn_cli_outputs *outs, const pn_event *ev, const pn_output *except);
/* What each output missed since the last call, as a lost record in the
 * stream, the log and the other outputs. */
void pn_cli_outputs_losses(struct pn_cli_outputs *outs, struct sink *sink, pn_store *store);
/* Waits for the queues at the end (what is left is lost), then reports. */
void pn_cli_outputs_drain(struct pn_cli_outputs *outs);
/* "procnotify: LABEL: N events sent, lost N" for each. */
void pn_cli_outputs_summary(const struct pn_cli_outputs *outs);
void pn_cli_outputs_close(struct pn_cli_outputs *outs);
#endif
