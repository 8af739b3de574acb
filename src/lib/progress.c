/*
 * progress.c: the progress line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/progress.h"
#include "lib/util.h"

int
progress_allowed(void)
{
	return isatty(STDERR_FILENO);
}

static void
draw(struct progress *p, long long now)
{
	double	 secs = (double)(now - p->start) / 1000.0;
	char	 of[32] = "";

	/* a total that was an estimate and fell short says nothing more */
	if (p->total > 0 && p->done <= p->total)
		(void)snprintf(of, sizeof(of), "/%zu", p->total);
	(void)fprintf(stderr, "\r\033[K%s: %zu%s %s, %.0f/s, %.1f s", p->what,
	    p->done, of, p->unit, secs > 0.05 ? (double)p->done / secs : 0.0,
	    secs);
	(void)fflush(stderr);
	p->drawn = now;
}

void
progress_start(struct progress *p, int on, const char *what,
    const char *unit, size_t total)
{
	memset(p, 0, sizeof(*p));
	p->on = on;
	(void)strlcpy(p->what, what, sizeof(p->what));
	p->unit = unit;
	p->total = total;
	p->start = now_ms();
	if (p->on)
		draw(p, p->start);
}

void
progress_add(struct progress *p, size_t n)
{
	long long now;

	if (p == NULL)
		return;
	p->done += n;
	if (!p->on)
		return;
	now = now_ms();
	if (now - p->drawn >= 100)
		draw(p, now);
}

void
progress_end(struct progress *p)
{
	if (p == NULL || !p->on)
		return;
	(void)fprintf(stderr, "\r\033[K");
	(void)fflush(stderr);
	p->on = 0;
}
