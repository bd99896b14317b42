/* Renders events into a buffer and writes it out once per delivery batch. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "procnotify/csv.h"

/* Keep memory flat during a storm: a batch larger than this is written early. */
#define SINK_FLUSH_BYTES (1 << 20)

/* A batch of a storm is larger than a pipe's default 64 KiB, and a write that
 * does not fit blocks until the reader has drained it: a sleep and a wake-up
 * more per batch, for both sides. A pipe as large as the flush threshold takes
 * a batch in one write. The kernel caps the size for unprivileged users
 * (fs.pipe-max-size); a refusal only costs those wake-ups, so it is ignored. */
static void sink_grow_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, SINK_FLUSH_BYTES);
}

void sink_init(struct sink *s, int fd, enum pn_out_format format)
{
	sink_grow_pipe(fd);
	s->fd = fd;
	s->format = format;
	s->buf = (pn_buf){ 0 };
	s->failed = 0;
	s->ecs = (pn_fmt_ecs_extra){ 0 };
}

void sink_event(const pn_event *ev, void *user)
{
	struct sink *s = user;

	if (s->format == PN_OUT_JSON)
		pn_fmt_json(&s->buf, ev);
	else if (s->format == PN_OUT_CSV)
		pn__fmt_csv(&s->buf, ev);
	else if (s->format == PN_OUT_ECS)
		pn_fmt_ecs(&s->buf, ev, &s->ecs);
	else
		pn_fmt_table_row(&s->buf, ev);
	sink_flush_big(s);
}

int sink_flush_big(struct sink *s)
{
	if (s->buf.len > SINK_FLUSH_BYTES)
		return sink_flush(s);
	return s->failed ? -s->failed : 0;
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
