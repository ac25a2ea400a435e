/*
 * confirm — retries/recover as two counters of consecutive results.
 *
 * Each result resets the opposite counter, so only an unbroken run of equal
 * results can confirm a change. The counters saturate at their threshold: a
 * monitor up for years must not overflow an int, and nothing needs to know
 * more than "enough".
 */
#include "sched/confirm.h"

#include <assert.h>

bool confirm_feed(struct confirm *c, bool ok, int retries, int recover)
{
    assert(c);
    if (retries < 1)
        retries = 1;
    if (recover < 1)
        recover = 1;
    enum mstate before = c->state;
    if (ok) {
        c->fails = 0;
        if (c->oks < recover)
            c->oks++;
        if (c->state != ST_UP && c->oks >= recover)
            c->state = ST_UP;
    } else {
        c->oks = 0;
        if (c->fails < retries)
            c->fails++;
        if (c->state != ST_DOWN && c->fails >= retries)
            c->state = ST_DOWN;
    }
    return c->state != before;
}

bool confirm_pending_failure(const struct confirm *c)
{
    return c->state != ST_DOWN && c->fails > 0;
}

void confirm_reset(struct confirm *c)
{
    c->state = ST_NODATA;
    c->fails = 0;
    c->oks = 0;
}
