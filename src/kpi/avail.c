/*
 * avail — availability by sweeping over interval edges.
 *
 * Both computations first turn a monitor's raw intervals into its effective
 * timeline: sorted, non-overlapping segments covering exactly [from, to),
 * with uncovered time as no_data and "later array entry wins" resolved by a
 * sweep over the sorted edges with a max-heap of the array indices in force
 * (O(n log n); removal is lazy: an ended index is dropped when it reaches the
 * top). Everything after that is a linear walk.
 *
 * A recorded ST_MAINT interval is planned downtime like a maintenance span,
 * so it is counted as excluded too (struct avail has no separate field).
 * Intervals with end <= start or a state outside enum mstate are ignored.
 */
#include "kpi/avail.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static const char *const state_names[ST__COUNT] = {
    [ST_NODATA] = "no_data", [ST_UP] = "up", [ST_DOWN] = "down",
    [ST_MAINT] = "maintenance", [ST_PAUSED] = "paused",
};

const char *mstate_name(enum mstate s)
{
    return (unsigned)s < ST__COUNT ? state_names[s] : "unknown";
}

int mstate_parse(const char *s, enum mstate *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < ST__COUNT; i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (enum mstate)i;
            return 0;
        }
    }
    return -1;
}

static bool state_valid(enum mstate s)
{
    return (unsigned)s < ST__COUNT;
}

/* ---- effective timeline of one monitor ---- */

struct edge {
    ms_t t;
    size_t idx;
    bool start;
};

static int edge_cmp(const void *a, const void *b)
{
    const struct edge *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Max-heap of interval indices. */
struct heap {
    size_t *v;
    size_t n;
};

static void heap_push(struct heap *h, size_t x)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->v[p] >= x)
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = x;
}

static void heap_pop(struct heap *h)
{
    assert(h->n > 0);
    size_t x = h->v[--h->n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] > h->v[c])
            c++;
        if (x >= h->v[c])
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = x;
}

/* Appends [s, e) in state st to out, merging with the last segment when it
 * continues it in the same state. out has room (callers size it). */
static void emit(struct interval *out, size_t *n, ms_t s, ms_t e, enum mstate st)
{
    if (e <= s)
        return;
    if (*n > 0 && out[*n - 1].state == st && out[*n - 1].end == s) {
        out[*n - 1].end = e;
        return;
    }
    out[*n] = (struct interval){s, e, st};
    (*n)++;
}

/* The effective timeline of iv over [from, to) (from < to): a malloc'd array
 * of sorted, merged segments covering [from, to) exactly. */
static struct interval *normalize(const struct interval *iv, size_t n, ms_t from, ms_t to,
                                  size_t *nout)
{
    assert(from < to);
    struct edge *ev = xmalloc((2 * n + 1) * sizeof *ev);
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (!state_valid(iv[i].state))
            continue;
        ms_t s = iv[i].start < from ? from : iv[i].start;
        ms_t e = iv[i].end > to ? to : iv[i].end;
        if (s >= e)
            continue;
        ev[ne++] = (struct edge){s, i, true};
        ev[ne++] = (struct edge){e, i, false};
    }
    qsort(ev, ne, sizeof *ev, edge_cmp);

    bool *active = xcalloc(n + 1, sizeof *active);
    struct heap h = {xmalloc((n + 1) * sizeof *h.v), 0};
    /* Each edge starts at most one new segment, plus the gap before the first. */
    struct interval *out = xmalloc((ne + 1) * sizeof *out);
    size_t no = 0, k = 0;
    ms_t cur = from;
    while (cur < to) {
        for (; k < ne && ev[k].t == cur; k++) {
            if (ev[k].start) {
                active[ev[k].idx] = true;
                heap_push(&h, ev[k].idx);
            } else {
                active[ev[k].idx] = false;
            }
        }
        while (h.n > 0 && !active[h.v[0]])
            heap_pop(&h);
        ms_t next = k < ne ? ev[k].t : to;
        emit(out, &no, cur, next, h.n > 0 ? iv[h.v[0]].state : ST_NODATA);
        cur = next;
    }
    xfree(h.v);
    xfree(active);
    xfree(ev);
    *nout = no;
    return out;
}

/* ---- one monitor ---- */

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Clips spans to [from, to) and merges them into sorted disjoint spans. */
static struct span *span_union(const struct span *sp, size_t n, ms_t from, ms_t to, size_t *nout)
{
    struct span *u = xmalloc((n + 1) * sizeof *u);
    size_t nu = 0;
    for (size_t i = 0; i < n; i++) {
        ms_t s = sp[i].start < from ? from : sp[i].start;
        ms_t e = sp[i].end > to ? to : sp[i].end;
        if (s < e)
            u[nu++] = (struct span){s, e};
    }
    qsort(u, nu, sizeof *u, span_cmp);
    size_t m = 0;
    for (size_t i = 0; i < nu; i++) {
        if (m > 0 && u[i].start <= u[m - 1].end) {
            if (u[i].end > u[m - 1].end)
                u[m - 1].end = u[i].end;
        } else {
            u[m++] = u[i];
        }
    }
    *nout = m;
    return u;
}

/* Adds a piece of the effective timeline, in time order. ST_MAINT here means
 * excluded (by a span or by a recorded maintenance state). */
static void account(struct avail *a, enum mstate st, ms_t len, bool *in_down)
{
    if (len <= 0)
        return;
    switch (st) {
    case ST_UP: a->up += len; break;
    case ST_DOWN: a->down += len; break;
    case ST_MAINT: a->excluded += len; break;
    case ST_PAUSED: a->paused += len; break;
    default: a->no_data += len; break;
    }
    /* Pieces arrive contiguous and in order, so a down piece after anything
     * else (excluded time included) starts a new maximal run. */
    if (st == ST_DOWN && !*in_down)
        a->outages++;
    *in_down = st == ST_DOWN;
}

void avail_compute(const struct interval *iv, size_t n, const struct span *excl, size_t nexcl,
                   ms_t from, ms_t to, struct avail *out)
{
    memset(out, 0, sizeof *out);
    out->from = from;
    out->to = to;
    if (to <= from)
        return;
    out->period = to - from;

    size_t ns, nu;
    struct interval *seg = normalize(iv, n, from, to, &ns);
    struct span *u = span_union(excl, nexcl, from, to, &nu);
    bool in_down = false;
    size_t j = 0;
    for (size_t i = 0; i < ns; i++) {
        ms_t cur = seg[i].start, end = seg[i].end;
        while (j < nu && u[j].end <= cur)
            j++;
        /* j is not advanced past a span that may reach into the next segment. */
        for (size_t k = j; k < nu && u[k].start < end; k++) {
            ms_t es = u[k].start > cur ? u[k].start : cur;
            ms_t ee = u[k].end < end ? u[k].end : end;
            account(out, seg[i].state, es - cur, &in_down);
            account(out, ST_MAINT, ee - es, &in_down);
            cur = ee;
        }
        account(out, seg[i].state, end - cur, &in_down);
    }
    xfree(u);
    xfree(seg);

    assert(out->up + out->down + out->excluded + out->no_data + out->paused == out->period);
    ms_t denom = out->up + out->down;
    out->pct_defined = denom > 0;
    out->pct = denom > 0 ? 100.0 * (double)out->up / (double)denom : 0.0;
}

/* ---- a system from its critical monitors ---- */

struct change {
    ms_t t;
    size_t mon;
    enum mstate state;
};

static int change_cmp(const void *a, const void *b)
{
    const struct change *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

static enum mstate system_state(const size_t cnt[ST__COUNT])
{
    if (cnt[ST_DOWN])
        return ST_DOWN;
    if (cnt[ST_MAINT])
        return ST_MAINT;
    if (cnt[ST_NODATA] || cnt[ST_PAUSED])
        return ST_NODATA;
    return ST_UP;
}

struct interval *avail_merge_system(const struct interval *const *mons, const size_t *counts,
                                    size_t nmons, ms_t from, ms_t to, size_t *nout)
{
    *nout = 0;
    if (to <= from)
        return xmalloc(sizeof(struct interval)); /* non-NULL, so callers always free */
    if (nmons == 0) {
        struct interval *one = xmalloc(sizeof *one);
        *one = (struct interval){from, to, ST_NODATA};
        *nout = 1;
        return one;
    }

    /* Every monitor's effective timeline covers [from, to), so at every
     * instant each monitor is in exactly one state: keep a count per state. */
    struct change *ch = NULL;
    size_t nch = 0, cap = 0;
    for (size_t m = 0; m < nmons; m++) {
        size_t ns;
        struct interval *seg = normalize(mons[m], counts[m], from, to, &ns);
        XGROW(ch, cap, nch + ns);
        for (size_t i = 0; i < ns; i++)
            ch[nch++] = (struct change){seg[i].start, m, seg[i].state};
        xfree(seg);
    }
    qsort(ch, nch, sizeof *ch, change_cmp);

    enum mstate *cur = xmalloc(nmons * sizeof *cur);
    size_t cnt[ST__COUNT] = {0};
    for (size_t m = 0; m < nmons; m++)
        cur[m] = ST_NODATA;
    cnt[ST_NODATA] = nmons;

    struct interval *out = xmalloc((nch + 1) * sizeof *out);
    size_t no = 0, k = 0;
    ms_t t = from;
    while (t < to) {
        for (; k < nch && ch[k].t == t; k++) {
            cnt[cur[ch[k].mon]]--;
            cur[ch[k].mon] = ch[k].state;
            cnt[ch[k].state]++;
        }
        ms_t next = k < nch ? ch[k].t : to;
        emit(out, &no, t, next, system_state(cnt));
        t = next;
    }
    xfree(cur);
    xfree(ch);
    *nout = no;
    return out;
}
