#include "http/auth_ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

bool rl_window_hit(struct rl_window *w, ms_t now, int limit, int *retry_after_s)
{
    if (limit < 1)
        limit = 1;
    if (w->count == 0 || now >= w->start + RL_WINDOW_MS || now < w->start) {
        w->start = now;
        w->count = 0;
    }
    if (w->count >= limit) {
        if (retry_after_s) {
            ms_t left = w->start + RL_WINDOW_MS - now;
            ms_t s = (left + MS_PER_S - 1) / MS_PER_S;
            *retry_after_s = s < 1 ? 1 : (int)s;
        }
        return false;
    }
    w->count++;
    return true;
}

/* Open addressing with linear probing; slots hold the entries themselves. An
 * empty key marks a free slot. Removal rebuilds the table (only when it is
 * full, so the cost is spread over cap insertions at least). */
struct rl_slot {
    char key[RL_KEY_MAX];
    struct rl_window w;
};

struct ratelimit {
    pthread_mutex_t mu;
    struct rl_slot *slots;
    size_t nslots; /* a power of two, at least twice cap: probes stay short */
    size_t n, cap;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

struct ratelimit *rl_new(size_t cap)
{
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    rl->cap = cap ? cap : 1;
    rl->nslots = 16;
    while (rl->nslots < 2 * rl->cap)
        rl->nslots *= 2;
    rl->slots = xcalloc(rl->nslots, sizeof *rl->slots);
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void rl_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    xfree(rl->slots);
    xfree(rl);
}

/* The slot holding key, or the free slot where it would go. */
static struct rl_slot *find(struct ratelimit *rl, const char *key)
{
    size_t mask = rl->nslots - 1;
    for (size_t i = fnv1a(key) & mask;; i = (i + 1) & mask) {
        struct rl_slot *s = &rl->slots[i];
        if (s->key[0] == '\0' || strcmp(s->key, key) == 0)
            return s;
    }
}

/* Keeps only the entries keep() accepts, re-inserting them. */
static void rebuild(struct ratelimit *rl, bool (*keep)(const struct rl_slot *, ms_t), ms_t arg)
{
    struct rl_slot *old = rl->slots;
    rl->slots = xcalloc(rl->nslots, sizeof *rl->slots);
    rl->n = 0;
    for (size_t i = 0; i < rl->nslots; i++) {
        if (old[i].key[0] == '\0' || !keep(&old[i], arg))
            continue;
        *find(rl, old[i].key) = old[i];
        rl->n++;
    }
    xfree(old);
}

static bool window_current(const struct rl_slot *s, ms_t now)
{
    return now >= s->w.start && now < s->w.start + RL_WINDOW_MS;
}

static bool newer_than(const struct rl_slot *s, ms_t oldest)
{
    return s->w.start > oldest;
}

/* Makes room for one more key. */
static void make_room(struct ratelimit *rl, ms_t now)
{
    rebuild(rl, window_current, now);
    if (rl->n < rl->cap)
        return;
    ms_t oldest = INT64_MAX;
    for (size_t i = 0; i < rl->nslots; i++)
        if (rl->slots[i].key[0] && rl->slots[i].w.start < oldest)
            oldest = rl->slots[i].w.start;
    rebuild(rl, newer_than, oldest);
}

bool rl_hit(struct ratelimit *rl, const char *key, ms_t now, int limit, int *retry_after_s)
{
    char k[RL_KEY_MAX];
    snprintf(k, sizeof k, "%s", key && *key ? key : "-");
    pthread_mutex_lock(&rl->mu);
    struct rl_slot *s = find(rl, k);
    if (s->key[0] == '\0') {
        if (rl->n >= rl->cap) {
            make_room(rl, now);
            s = find(rl, k);
        }
        memcpy(s->key, k, sizeof k);
        s->w = (struct rl_window){0};
        rl->n++;
    }
    bool ok = rl_window_hit(&s->w, now, limit, retry_after_s);
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

size_t rl_size(struct ratelimit *rl)
{
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->n;
    pthread_mutex_unlock(&rl->mu);
    return n;
}
