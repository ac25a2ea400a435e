/*
 * route — an event becomes deliveries, inside one write transaction.
 *
 * 1. Rules: every enabled rule matching the event's level, system and kind
 *    contributes its steps; steps of several rules to the same channel at
 *    the same delay merge into one message with the union of their
 *    targets. No rule matched: every enabled channel marked default, at
 *    once.
 * 2. Targets: each message goes to "assignee" (the assignee, or the
 *    engineer on duty when none — notify.h's ESC_ASSIGNEE) plus the step's
 *    targets; the event's escalation adds duty:lead (ESC_LEAD) and also
 *    role:manager (ESC_MANAGER).
 * 3. Deduplication: the same (incident, kind, clock, channel, step) within
 *    the channel's window (default 10 min) is recorded as suppressed.
 * 4. A step with a delay is recorded as scheduled; its recipients are
 *    resolved when it comes due (the roster may have changed by then), and
 *    notify_ack cancels it.
 * 5. Rate limit per channel (default 20 per 10 min, a sliding window over
 *    the instants messages were admitted): past it, a message is folded
 *    into the channel's pending digest ("另有 N 条通知", sent when the
 *    window frees a slot) or dropped, as the channel says; either way it
 *    is logged as suppressed. While a digest is pending every new message
 *    joins it, so the digest goes out first and order is kept.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "notify/notify_int.h"

/* ---- small JSON helpers ---------------------------------------------------------- */

static char *dump_json(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *out = xstrdup(s ? s : "[]");
    free(s);
    return out;
}

static void set_text(char **dst, char *v)
{
    xfree(*dst);
    *dst = v;
}

/* ---- recipients ---------------------------------------------------------------------- */

struct idset {
    int64_t ids[NOTIFY_RECIPIENTS_MAX];
    size_t n;
};

static void idset_add(struct idset *s, int64_t id)
{
    if (id <= 0)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] == id)
            return;
    if (s->n < NOTIFY_RECIPIENTS_MAX)
        s->ids[s->n++] = id;
}

/* The live account with this id or login, if enabled; 0 otherwise. */
static int64_t person_id(struct conn *c, int64_t id, const char *login)
{
    struct store_person p = {0};
    struct yw_err e = YW_ERR_INIT;
    int64_t out = 0;
    if (store_person_get(c, id, login, &p, &e) == 0 && !p.disabled)
        out = p.user_id;
    else if (e.code != YW_OK && e.code != YW_ENOTFOUND)
        log_warn("notify: reading account: %s", e.msg);
    store_person_release(&p);
    return out;
}

static int64_t on_duty(struct conn *c, enum duty_position pos, ms_t at)
{
    struct store_shift s = {0};
    struct yw_err e = YW_ERR_INIT;
    int64_t out = 0;
    if (store_shift_at(c, pos, at, &s, &e) == 0)
        out = s.user_id;
    else if (e.code != YW_ENOTFOUND)
        log_warn("notify: reading the duty roster: %s", e.msg);
    store_shift_release(&s);
    return out;
}

static int resolve_target(struct conn *c, const char *t, const struct nevent *ev, ms_t now,
                          struct idset *out, struct yw_err *err)
{
    if (strcmp(t, "assignee") == 0) {
        int64_t id = ev->assignee_id ? person_id(c, ev->assignee_id, NULL) : 0;
        /* Nobody assigned (or the account is gone): the engineer on duty. */
        if (!id)
            id = on_duty(c, DUTY_PRIMARY, now);
        idset_add(out, id);
    } else if (strncmp(t, "duty:", 5) == 0) {
        for (int p = 0; p < DUTY__COUNT; p++)
            if (strcmp(t + 5, duty_position_name((enum duty_position)p)) == 0)
                idset_add(out, on_duty(c, (enum duty_position)p, now));
    } else if (strncmp(t, "role:", 5) == 0) {
        enum role r;
        if (role_parse(t + 5, &r) != 0)
            return 0;
        int64_t *ids = NULL;
        size_t n = 0;
        if (store_people_with_roles(c, (roleset)1u << r, NOTIFY_RECIPIENTS_MAX, &ids, &n, err))
            return -1;
        for (size_t i = 0; i < n; i++)
            idset_add(out, ids[i]);
        xfree(ids);
    } else if (strncmp(t, "user:", 5) == 0) {
        int64_t id = person_id(c, 0, t + 5);
        if (!id)
            log_warn("notify: target %s: no such enabled account", t);
        idset_add(out, id);
    }
    return 0;
}

/* [{"user_id":…,"login":…}] of the targets (JSON array text). */
static int resolve(struct conn *c, const char *targets, const struct nevent *ev, ms_t now,
                   char **recipients, struct yw_err *err)
{
    json_t *tj = json_loads(targets ? targets : "[]", 0, NULL);
    struct idset set = {.n = 0};
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(tj, i, v)
    {
        if (json_is_string(v) && resolve_target(c, json_string_value(v), ev, now, &set, err)) {
            rc = -1;
            break;
        }
    }
    json_decref(tj);
    if (rc)
        return -1;
    json_t *out = json_array();
    for (i = 0; i < set.n; i++) {
        struct store_person p = {0};
        if (store_person_get(c, set.ids[i], NULL, &p, NULL) == 0) {
            json_t *o = json_object();
            json_object_set_new(o, "user_id", json_integer(p.user_id));
            json_object_set_new(o, "login", json_string(p.login));
            json_array_append_new(out, o);
        }
        store_person_release(&p);
    }
    *recipients = dump_json(out);
    return 0;
}

int notify_recipients_load(struct conn *c, const char *recipients_json, struct nrecipient **out,
                           size_t *n, struct yw_err *err)
{
    json_t *rj = json_loads(recipients_json ? recipients_json : "[]", 0, NULL);
    size_t len = json_array_size(rj);
    if (len > NOTIFY_RECIPIENTS_MAX)
        len = NOTIFY_RECIPIENTS_MAX;
    struct nrecipient *arr = len ? xcalloc(len, sizeof *arr) : NULL;
    size_t k = 0;
    int rc = 0;
    for (size_t i = 0; i < len; i++) {
        int64_t id = json_integer_value(json_object_get(json_array_get(rj, i), "user_id"));
        struct store_person p = {0};
        struct yw_err e = YW_ERR_INIT;
        if (store_person_get(c, id, NULL, &p, &e) != 0) {
            if (e.code != YW_ENOTFOUND) {
                if (err)
                    *err = e;
                rc = -1;
                break;
            }
            continue;
        }
        if (!p.disabled) {
            struct nrecipient *r = &arr[k++];
            r->user_id = p.user_id;
            snprintf(r->login, sizeof r->login, "%s", p.login);
            r->name = p.display_name;
            r->email = p.email;
            r->mobile = p.mobile;
            r->dingtalk_id = p.dingtalk_id;
            r->wecom_id = p.wecom_id;
            r->feishu_id = p.feishu_id;
            p.display_name = p.email = p.mobile = p.dingtalk_id = p.wecom_id = p.feishu_id = NULL;
        }
        store_person_release(&p);
    }
    json_decref(rj);
    if (rc) {
        nrecipients_free(arr, k);
        return -1;
    }
    *out = arr;
    *n = k;
    return 0;
}

/* The union of two recipient lists (by user_id), at most the limit. */
static char *recipients_union(const char *a, const char *b)
{
    json_t *ja = json_loads(a ? a : "[]", 0, NULL);
    json_t *jb = json_loads(b ? b : "[]", 0, NULL);
    if (!json_is_array(ja)) {
        json_decref(ja);
        ja = json_array();
    }
    size_t i;
    json_t *v;
    json_array_foreach(jb, i, v)
    {
        int64_t id = json_integer_value(json_object_get(v, "user_id"));
        bool seen = false;
        size_t k;
        json_t *w;
        json_array_foreach(ja, k, w)
        {
            seen |= json_integer_value(json_object_get(w, "user_id")) == id;
        }
        if (!seen && json_array_size(ja) < NOTIFY_RECIPIENTS_MAX)
            json_array_append(ja, v);
    }
    json_decref(jb);
    return dump_json(ja);
}

/* ---- rendering for the log ----------------------------------------------------------- */

static void render(struct store_delivery *d, const struct nevent *ev, const char *channel,
                   const char *base_url)
{
    struct nmessage m;
    notify_message_build(ev, channel, base_url, d->held, &m);
    set_text(&d->subject, notify_utf8_dup(m.subject, 512));
    set_text(&d->text, notify_utf8_dup(m.text, NOTIFY_TEXT_MAX));
    nmessage_release(&m);
}

static int write_delivery(struct conn *c, struct store_delivery *d, struct yw_err *err)
{
    if (d->id)
        return store_delivery_update(c, d, err);
    return store_delivery_insert(c, d, &d->id, err);
}

/* Whether the email channel ch has anybody to write to. */
static int mail_has_address(struct conn *c, const struct nchannel *ch, const char *recipients,
                            bool *yes, struct yw_err *err)
{
    *yes = ch->nto > 0;
    if (*yes)
        return 0;
    struct nrecipient *r = NULL;
    size_t n = 0;
    if (notify_recipients_load(c, recipients, &r, &n, err))
        return -1;
    for (size_t i = 0; i < n && !*yes; i++)
        *yes = r[i].email != NULL;
    nrecipients_free(r, n);
    return 0;
}

/* Folds d into the channel's pending digest, creating it when there is
 * none: due when the window frees a slot. */
static int fold_into_digest(struct conn *c, const struct nchannel *ch, struct store_delivery *d,
                            bool pending, struct store_delivery *dg, ms_t oldest, ms_t now,
                            const char *base_url, struct yw_err *err)
{
    struct nevent de = {0};
    if (pending) {
        if (nevent_from_text(dg->event, &de, err))
            return -1;
    } else {
        memset(dg, 0, sizeof *dg);
        snprintf(de.kind, sizeof de.kind, "digest");
        dg->created = now;
        dg->channel_id = ch->id;
        dg->channel = xstrdup(ch->name);
        dg->kind = xstrdup("digest");
        dg->targets = xstrdup("[]");
        dg->status = DLV_SCHEDULED;
        dg->next_attempt = oldest + ch->rate_per > now ? oldest + ch->rate_per : now;
    }
    dg->held++;
    if (de.nitems < NOTIFY_DIGEST_ITEMS_MAX && d->subject) {
        de.items = xrealloc(de.items, (de.nitems + 1) * sizeof *de.items);
        de.items[de.nitems++] = xstrdup(d->subject);
    }
    set_text(&dg->event, nevent_to_text(&de));
    set_text(&dg->recipients, recipients_union(dg->recipients, d->recipients));
    render(dg, &de, ch->name, base_url);
    nevent_release(&de);
    return write_delivery(c, dg, err);
}

int notify_activate(struct conn *c, const struct nchannel *ch, struct store_delivery *d, ms_t now,
                    const char *base_url, bool limits, struct yw_err *err)
{
    struct nevent ev;
    if (nevent_from_text(d->event, &ev, err))
        return -1;
    int rc = 0;
    bool digest = strcmp(d->kind, "digest") == 0;
    if (!digest) {
        char *rcpt = NULL;
        rc = resolve(c, d->targets, &ev, now, &rcpt, err);
        if (rc == 0) {
            set_text(&d->recipients, rcpt);
            render(d, &ev, ch->name, base_url);
        }
    }
    nevent_release(&ev);
    if (rc)
        return -1;

    if (ch->type == NCH_EMAIL) {
        bool yes;
        if (mail_has_address(c, ch, d->recipients, &yes, err))
            return -1;
        if (!yes) {
            d->status = DLV_SUPPRESSED;
            set_text(&d->last_error,
                     xstrdup("没有收件地址 / nobody to write to: no recipient has an email "
                             "address in contacts and the channel has no fixed to"));
            log_warn("notify: delivery on channel %s: no email address to send to", ch->name);
            return write_delivery(c, d, err);
        }
    }

    if (limits && ch->rate_max > 0) {
        struct store_delivery dg = {0};
        bool pending = false;
        int64_t count = 0;
        ms_t oldest = 0;
        if (!digest && store_delivery_pending_digest(c, ch->id, &dg, &pending, err))
            return -1;
        if (store_delivery_admitted(c, ch->id, now - ch->rate_per, &count, &oldest, err)) {
            store_delivery_release(&dg);
            return -1;
        }
        if (!digest && (pending || count >= ch->rate_max)) {
            d->status = DLV_SUPPRESSED;
            if (ch->digest) {
                rc = fold_into_digest(c, ch, d, pending, &dg, oldest, now, base_url, err);
                set_text(&d->last_error,
                         xasprintf("超出频率限制，已并入汇总 #%lld / rate limited: folded into "
                                   "digest #%lld",
                                   (long long)dg.id, (long long)dg.id));
            } else {
                set_text(&d->last_error,
                         xasprintf("超出频率限制，已丢弃 / rate limited: more than %d messages "
                                   "per %lld s on this channel, dropped",
                                   ch->rate_max, (long long)(ch->rate_per / MS_PER_S)));
            }
            log_warn("notify: channel %s: rate limit (%d per %llds) reached: %s", ch->name,
                     ch->rate_max, (long long)(ch->rate_per / MS_PER_S),
                     ch->digest ? "held for a digest" : "dropped");
            store_delivery_release(&dg);
            return rc ? -1 : write_delivery(c, d, err);
        }
        store_delivery_release(&dg);
    }
    d->status = DLV_QUEUED;
    d->admitted = now;
    d->next_attempt = now;
    return write_delivery(c, d, err);
}

/* ---- routing ------------------------------------------------------------------------- */

struct plan {
    size_t ch;                 /* index into the channels */
    ms_t after;
    char *targets[NOTIFY_TARGETS_MAX * 2 + 4];
    size_t ntargets;
    char rules[256];
};

static void plan_target(struct plan *p, const char *t)
{
    for (size_t i = 0; i < p->ntargets; i++)
        if (strcmp(p->targets[i], t) == 0)
            return;
    if (p->ntargets < sizeof p->targets / sizeof p->targets[0])
        p->targets[p->ntargets++] = xstrdup(t);
}

static struct plan *plan_for(struct plan **plans, size_t *n, size_t *cap, size_t ch, ms_t after)
{
    for (size_t i = 0; i < *n; i++)
        if ((*plans)[i].ch == ch && (*plans)[i].after == after)
            return &(*plans)[i];
    XGROW(*plans, *cap, *n + 1);
    struct plan *p = &(*plans)[(*n)++];
    memset(p, 0, sizeof *p);
    p->ch = ch;
    p->after = after;
    return p;
}

static void plan_rule(struct plan *p, const char *name)
{
    size_t len = strlen(p->rules);
    if (len + strlen(name) + 2 < sizeof p->rules)
        snprintf(p->rules + len, sizeof p->rules - len, "%s%s", len ? "," : "", name);
}

static void plans_free(struct plan *plans, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < plans[i].ntargets; k++)
            xfree(plans[i].targets[k]);
    xfree(plans);
}

static char *targets_json(const struct plan *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->ntargets; i++)
        json_array_append_new(a, json_string(p->targets[i]));
    return dump_json(a);
}

static void channels_free(struct nchannel *chs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nchannel_release(&chs[i]);
    xfree(chs);
}

/* The live channels (without secrets), parsed; unreadable ones skipped. */
static int load_channels(struct conn *c, struct nchannel **out, size_t *n, struct yw_err *err)
{
    struct store_channel *rows = NULL;
    size_t nrows = 0;
    if (store_channel_list(c, false, &rows, &nrows, err))
        return -1;
    struct nchannel *chs = nrows ? xcalloc(nrows, sizeof *chs) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < nrows; i++) {
        struct yw_err e = YW_ERR_INIT;
        if (nchannel_from_row(&rows[i], &chs[k], &e) == 0)
            k++;
        else
            log_error("notify: %s", e.msg);
    }
    store_channels_free(rows, nrows);
    *out = chs;
    *n = k;
    return 0;
}

int notify_route(struct conn *c, const struct notify_event *ev, ms_t now, const char *base_url,
                 int64_t *ids, size_t max, size_t *nids, struct yw_err *err)
{
    if (nids)
        *nids = 0;
    if ((unsigned)ev->kind >= NK__COUNT || ev->kind == NK_TEST)
        return yw_fail(err, YW_EINVAL, "notify: event kind %d cannot be routed", (int)ev->kind);
    struct nchannel *chs = NULL;
    size_t nch = 0;
    struct store_rule *rrows = NULL;
    size_t nr = 0;
    struct plan *plans = NULL;
    size_t np = 0, pcap = 0;
    int rc = -1;
    if (load_channels(c, &chs, &nch, err) || store_rule_list(c, true, &rrows, &nr, err))
        goto out;

    bool matched = false;
    for (size_t i = 0; i < nr; i++) {
        struct nrule r;
        struct yw_err e = YW_ERR_INIT;
        if (nrule_from_row(&rrows[i], &r, &e) != 0) {
            log_error("notify: %s", e.msg);
            continue;
        }
        if (nrule_matches(&r, ev)) {
            matched = true;
            for (size_t s = 0; s < r.nsteps; s++)
                for (size_t k = 0; k < r.steps[s].nchannels; k++) {
                    size_t ci = nch;
                    for (size_t m = 0; m < nch && ci == nch; m++)
                        if (strcmp(chs[m].name, r.steps[s].channels[k]) == 0)
                            ci = m;
                    if (ci == nch || !chs[ci].enabled) {
                        log_info("notify: rule %s: channel %s is %s: skipped", r.name,
                                 r.steps[s].channels[k], ci == nch ? "missing" : "disabled");
                        continue;
                    }
                    struct plan *p = plan_for(&plans, &np, &pcap, ci, r.steps[s].after);
                    for (size_t t = 0; t < r.steps[s].nto; t++)
                        plan_target(p, r.steps[s].to[t]);
                    plan_rule(p, r.name);
                }
        }
        nrule_release(&r);
    }
    if (!matched)
        for (size_t i = 0; i < nch; i++)
            if (chs[i].enabled && chs[i].is_default)
                plan_for(&plans, &np, &pcap, i, 0);
    if (np == 0)
        log_info("notify: %s of incident %lld: no rule or default channel routes it",
                 notify_kind_name(ev->kind), (long long)ev->incident_id);

    struct nevent ne;
    nevent_from(ev, &ne);
    char *event_text = nevent_to_text(&ne);
    const char *clock = notify_clock_name(ne.clock);
    rc = 0;
    for (size_t i = 0; i < np && rc == 0; i++) {
        struct plan *p = &plans[i];
        const struct nchannel *ch = &chs[p->ch];
        plan_target(p, "assignee");
        if (ev->escalation == ESC_LEAD || ev->escalation == ESC_MANAGER)
            plan_target(p, "duty:lead");
        if (ev->escalation == ESC_MANAGER)
            plan_target(p, "role:manager");
        struct store_delivery d = {
            .created = now,
            .channel_id = ch->id,
            .channel = xstrdup(ch->name),
            .kind = xstrdup(ne.kind),
            .incident_id = ev->incident_id,
            .clock = clock ? xstrdup(clock) : NULL,
            .step = p->after,
            .rule = p->rules[0] ? xstrdup(p->rules) : NULL,
            .event = xstrdup(event_text),
            .targets = targets_json(p),
        };
        bool dup = false;
        if (ev->incident_id && ch->dedup_window > 0)
            rc = store_delivery_dup(c, ev->incident_id, ne.kind, clock, ch->id, p->after,
                                    now - ch->dedup_window, &dup, err);
        if (rc == 0 && dup) {
            char w[32];
            time_format_duration(ch->dedup_window, w, sizeof w);
            d.status = DLV_SUPPRESSED;
            d.last_error = xasprintf("重复通知已抑制 / duplicate: the same notice went to this "
                                     "channel within %s",
                                     w);
            render(&d, &ne, ch->name, base_url);
            rc = write_delivery(c, &d, err);
        } else if (rc == 0 && p->after > 0) {
            d.status = DLV_SCHEDULED;
            d.next_attempt = now + p->after;
            render(&d, &ne, ch->name, base_url);
            rc = write_delivery(c, &d, err);
        } else if (rc == 0) {
            rc = notify_activate(c, ch, &d, now, base_url, true, err);
        }
        if (rc == 0 && ids && nids && *nids < max)
            ids[(*nids)++] = d.id;
        store_delivery_release(&d);
    }
    xfree(event_text);
    nevent_release(&ne);
out:
    plans_free(plans, np);
    store_rules_free(rrows, nr);
    channels_free(chs, nch);
    return rc;
}

/* ---- entry points with their own transaction ----------------------------------------- */

struct submit_args {
    const struct notify_event *ev;
    const char *base_url;
    ms_t now;
    int64_t *ids;
    size_t max, *nids;
};

static int do_submit(struct conn *c, void *arg, struct yw_err *err)
{
    struct submit_args *a = arg;
    return notify_route(c, a->ev, a->now, a->base_url, a->ids, a->max, a->nids, err);
}

int notify_submit_at(struct store *S, const char *base_url, const struct notify_event *ev,
                     ms_t now, int64_t *ids, size_t max, size_t *nids, struct yw_err *err)
{
    size_t dummy = 0;
    struct submit_args a = {ev, base_url, now, ids, max, nids ? nids : &dummy};
    return store_notify_tx(S, true, do_submit, &a, err);
}

struct ack_args {
    int64_t incident_id;
    ms_t now;
    int64_t count;
};

static int do_ack(struct conn *c, void *arg, struct yw_err *err)
{
    struct ack_args *a = arg;
    return store_delivery_cancel_ack(c, a->incident_id, a->now, &a->count, err);
}

int notify_ack_at(struct store *S, int64_t incident_id, ms_t now, struct yw_err *err)
{
    struct ack_args a = {incident_id, now, 0};
    if (store_notify_tx(S, true, do_ack, &a, err))
        return -1;
    if (a.count)
        log_info("notify: incident %lld acknowledged: %lld escalation step(s) cancelled",
                 (long long)incident_id, (long long)a.count);
    return 0;
}

ms_t notify_backoff(const ms_t *schedule, size_t n, int attempts_done)
{
    if (attempts_done < 1 || (size_t)attempts_done > n)
        return -1;
    return schedule[attempts_done - 1];
}
