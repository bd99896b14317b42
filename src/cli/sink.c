/* Renders events into a buffer and writes it out once per delivery batch. */
#include <errno.h>
#include <unistd.h>
#include "cli.h"

void sink_init(struct sink *s, int fd, enum pn_out_format format)
{
	s->fd = fd;
	s->format = format;
	s->buf = (pn_buf){ 0 };
	s->failed = 0;
}

void sink_event(const pn_event *ev, void *user)
{
	struct sink *s = user;

	if (s->format == PN_OUT_JSON)
		pn_fmt_json(&s->buf, ev);
	else
		pn_fmt_table_row(&s->buf, ev);
	/* Keep memory flat during a storm. */
	if (s->buf.len > (1u << 20))
		sink_flush(s);
}

int sink_flush(struct sink *s)
{
	size_t off = 0;

	if (s->buf.oom)
		s->failed = ENOMEM;
	while (!s->failed && off < s->buf.len) {
		ssize_t n = write(s->fd, s->buf.data + off, s->buf.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			s->failed = errno;
		else
			off += (size_t)n;
	}
	pn_buf_reset(&s->buf);
	return s->failed ? -s->failed : 0;
}

void sink_free(struct sink *s)
{
	pn_buf_free(&s->buf);
}
