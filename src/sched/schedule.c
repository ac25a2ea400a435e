#include "sched/schedule.h"

#include <assert.h>

uint64_t sched_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

ms_t sched_first_due(const char *name, ms_t interval, ms_t now)
{
    assert(interval > 0);
    return now + (ms_t)(sched_hash(name) % (uint64_t)interval);
}

ms_t sched_next_due(ms_t due, ms_t interval, ms_t now)
{
    assert(interval > 0);
    ms_t next = due + interval;
    if (next <= now)
        next += ((now - next) / interval + 1) * interval;
    return next;
}
