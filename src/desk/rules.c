/*
 * rules — the incident lifecycle as pure functions: what each state allows
 * and what each action does to an incident (desk.h: desk_apply).
 *
 * Decisions (docs/incidents.md says the same):
 * - respond from new only; on site from responded, or straight from new (an
 *   on-site engineer's arrival is the response too: both are recorded);
 * - resolve from responded or on site, with a cause; an open vendor wait
 *   ends at the resolution;
 * - close from resolved only; the fault report is not required to close
 *   (it stays due, and late, whatever the state);
 * - reopen from resolved or closed, back to responded; the resolved span
 *   ends at the reopening, the report's due date and submission are
 *   cleared (the next resolution sets a new due date; the text is kept);
 * - times: `at` defaults to now, may lie in the past but not before the
 *   notice nor before the incident's previous lifecycle instant, and not in
 *   the future (within DESK_SKEW_MS of now counts as now: clocks of phones
 *   and browsers are a little off).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "desk/desk.h"

static const char *const action_names[DA__COUNT] = {
    [DA_RESPOND] = "respond",         [DA_ONSITE] = "onsite",
    [DA_RESOLVE] = "resolve",         [DA_CLOSE] = "close",
    [DA_REOPEN] = "reopen",           [DA_VENDOR_WAIT] = "vendor_wait",
    [DA_VENDOR_BACK] = "vendor_back", [DA_ASSIGN] = "assign",
    [DA_LEVEL] = "level",             [DA_NOTE] = "note",
    [DA_REPORT] = "report",
};

const char *desk_action_name(enum desk_action_kind k)
{
    return (unsigned)k < DA__COUNT ? action_names[k] : "?";
}

int desk_action_parse(const char *s, enum desk_action_kind *out)
{
    for (int i = 0; s && i < DA__COUNT; i++) {
        if (strcmp(s, action_names[i]) == 0) {
            *out = (enum desk_action_kind)i;
            return 0;
        }
    }
    return -1;
}

#define BIT(k) (1u << (k))

static bool pause_open(const struct incident *inc)
{
    return inc->npauses > 0 && inc->pauses[inc->npauses - 1].end == 0;
}

unsigned desk_actions_allowed(const struct incident *inc)
{
    unsigned wait = pause_open(inc) ? BIT(DA_VENDOR_BACK) : BIT(DA_VENDOR_WAIT);
    switch (inc->state) {
    case INC_NEW:
        return BIT(DA_RESPOND) | BIT(DA_ONSITE) | wait | BIT(DA_ASSIGN) | BIT(DA_LEVEL) |
               BIT(DA_NOTE);
    case INC_RESPONDED:
        return BIT(DA_ONSITE) | BIT(DA_RESOLVE) | wait | BIT(DA_ASSIGN) | BIT(DA_LEVEL) |
               BIT(DA_NOTE);
    case INC_ONSITE:
        return BIT(DA_RESOLVE) | wait | BIT(DA_ASSIGN) | BIT(DA_LEVEL) | BIT(DA_NOTE);
    case INC_RESOLVED:
        return BIT(DA_CLOSE) | BIT(DA_REOPEN) | BIT(DA_ASSIGN) | BIT(DA_LEVEL) | BIT(DA_NOTE) |
               BIT(DA_REPORT);
    case INC_CLOSED:
        return BIT(DA_REOPEN) | BIT(DA_LEVEL) | BIT(DA_NOTE) | BIT(DA_REPORT);
    case INC_STATE__COUNT: break;
    }
    return 0;
}

static ms_t max2(ms_t a, ms_t b)
{
    return a > b ? a : b;
}

ms_t desk_last_instant(const struct incident *inc)
{
    ms_t t = max2(inc->notice, inc->responded);
    t = max2(t, max2(inc->onsite, max2(inc->resolved, inc->closed)));
    for (size_t i = 0; i < inc->npauses; i++)
        t = max2(t, max2(inc->pauses[i].start, inc->pauses[i].end));
    for (size_t i = 0; i < inc->nresolved_spans; i++)
        t = max2(t, max2(inc->resolved_spans[i].start, inc->resolved_spans[i].end));
    return t;
}

/* Why an action is refused in a state: a sentence that says what to do. */
static int refuse(const struct incident *inc, enum desk_action_kind k, struct yw_err *err)
{
    const char *hint = "";
    switch (k) {
    case DA_RESPOND: hint = "it has been responded to already"; break;
    case DA_ONSITE:
        hint = inc->state == INC_ONSITE ? "arrival on site is recorded already"
                                        : "it is resolved; reopen it first";
        break;
    case DA_RESOLVE:
        hint = inc->state == INC_NEW ? "respond first" : "it is resolved already";
        break;
    case DA_CLOSE: hint = inc->state == INC_CLOSED ? "it is closed already" : "resolve it first"; break;
    case DA_REOPEN: hint = "only a resolved or closed incident can be reopened"; break;
    case DA_VENDOR_WAIT:
        hint = pause_open(inc) ? "it is waiting on a vendor already (vendor_back first)"
                               : "it is resolved";
        break;
    case DA_VENDOR_BACK: hint = "it is not waiting on a vendor"; break;
    case DA_ASSIGN: hint = "it is closed; reopen it first"; break;
    case DA_REPORT: hint = "the fault report is due once it is resolved"; break;
    case DA_LEVEL:
    case DA_NOTE:
    case DA__COUNT: break;
    }
    return yw_fail_field(err, YW_ECONFLICT, "action", "action: cannot %s incident %" PRId64
                         " while it is %s: %s",
                         desk_action_name(k), inc->id, inc_state_name(inc->state), hint);
}

static void format_time(ms_t t, char *out, size_t n)
{
    time_format_rfc3339(t, out, n);
}

/* The instant of a lifecycle action: at, checked against now and the
 * incident's previous instant. */
static int action_time(const struct incident *inc, const struct desk_action *a,
                       const struct desk_ctx *x, ms_t floor, ms_t *out, struct yw_err *err)
{
    char s[64], f[64];
    if (a->at == 0) {
        /* now, but never before what is recorded (a clock stepped back) */
        *out = max2(x->now, floor);
        return 0;
    }
    if (a->at > x->now + DESK_SKEW_MS) {
        format_time(a->at, s, sizeof s);
        return yw_fail_field(err, YW_EINVAL, "at", "at: %s is in the future", s);
    }
    ms_t at = a->at > x->now ? x->now : a->at;
    if (at < inc->notice) {
        format_time(at, s, sizeof s);
        format_time(inc->notice, f, sizeof f);
        return yw_fail_field(err, YW_EINVAL, "at", "at: %s is before the notice (%s)", s, f);
    }
    if (at < floor) {
        format_time(at, s, sizeof s);
        format_time(floor, f, sizeof f);
        return yw_fail_field(err, YW_EINVAL, "at",
                             "at: %s is before the incident's previous step (%s)", s, f);
    }
    *out = at;
    return 0;
}

static int check_text(const char *s, const char *field, size_t max, bool required,
                      struct yw_err *err)
{
    if (required && (!s || !s[0]))
        return yw_fail_field(err, YW_EINVAL, field, "%s: required", field);
    if (s && strlen(s) > max)
        return yw_fail_field(err, YW_ELIMIT, field, "%s: longer than %zu bytes", field, max);
    return 0;
}

/* Replaces *dst with a copy of s (NULL or "" clears). */
static void set_str(char **dst, const char *s)
{
    xfree(*dst);
    *dst = s && s[0] ? xstrdup(s) : NULL;
}

static char *json_text(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *copy = xstrdup(s);
    free(s);
    return copy;
}

static void add(struct inc_change *ch, enum inc_event_kind kind, ms_t at, const struct desk_ctx *x,
                const char *text, json_t *data)
{
    char *d = data ? json_text(data) : NULL;
    store_inc_change_add(ch, kind, at, x->by, text, d);
    xfree(d);
}

static void close_pause(struct incident *inc, ms_t at)
{
    if (pause_open(inc))
        inc->pauses[inc->npauses - 1].end = at;
}

static int do_resolve(struct inc_record *r, const struct desk_action *a, const struct desk_ctx *x,
                      ms_t at, struct inc_change *ch, struct yw_err *err)
{
    struct incident *inc = &r->inc;
    bool have_cause = (a->cause && a->cause[0]) || (inc->cause && inc->cause[0]);
    if (!have_cause)
        return yw_fail_field(err, YW_EINVAL, "cause",
                             "cause: required to resolve (what caused the fault)");
    if (check_text(a->cause, "cause", INC_TEXT_MAX, false, err) ||
        check_text(a->fix, "fix", INC_TEXT_MAX, false, err) ||
        check_text(a->prevention, "prevention", INC_TEXT_MAX, false, err))
        return -1;
    if (inc->nresolved_spans >= INC_SPANS_MAX)
        return yw_fail_field(err, YW_ELIMIT, "action",
                             "action: incident %" PRId64 " was resolved %d times, the most kept",
                             inc->id, INC_SPANS_MAX);
    if (a->cause && a->cause[0])
        set_str(&inc->cause, a->cause);
    if (a->fix)
        set_str(&inc->fix, a->fix);
    if (a->prevention)
        set_str(&inc->prevention, a->prevention);
    if (pause_open(inc)) {
        close_pause(inc, at);
        add(ch, IEV_VENDOR_BACK, at, x, "resolved while waiting on the vendor", NULL);
    }
    inc->resolved_spans = xrealloc(inc->resolved_spans,
                                   (inc->nresolved_spans + 1) * sizeof *inc->resolved_spans);
    inc->resolved_spans[inc->nresolved_spans++] = (struct inc_span){at, 0};
    inc->resolved = at;
    inc->state = INC_RESOLVED;
    inc->report_due = x->report_due ? x->report_due(x->arg, at) : 0;
    r->report_stage = 0;
    json_t *data = json_object();
    if (inc->report_due) {
        char s[64];
        format_time(inc->report_due, s, sizeof s);
        json_object_set_new(data, "report_due", json_string(s));
    }
    add(ch, IEV_RESOLVED, at, x, a->note, data);
    return 0;
}

static int do_reopen(struct inc_record *r, const struct desk_action *a, const struct desk_ctx *x,
                     ms_t at, struct inc_change *ch)
{
    struct incident *inc = &r->inc;
    if (inc->nresolved_spans > 0 && inc->resolved_spans[inc->nresolved_spans - 1].end == 0)
        inc->resolved_spans[inc->nresolved_spans - 1].end = at;
    json_t *data = json_object();
    json_object_set_new(data, "from", json_string(inc_state_name(inc->state)));
    inc->state = INC_RESPONDED;
    inc->resolved = 0;
    inc->closed = 0;
    inc->report_due = 0;
    inc->report_submitted = 0;
    r->report_stage = 0;
    add(ch, IEV_REOPENED, at, x, a->note, data);
    return 0;
}

static int do_vendor_wait(struct inc_record *r, const struct desk_action *a,
                          const struct desk_ctx *x, ms_t at, struct inc_change *ch,
                          struct yw_err *err)
{
    struct incident *inc = &r->inc;
    const char *vendor = a->vendor && a->vendor[0] ? a->vendor : inc->vendor_name;
    if (!vendor || !vendor[0])
        return yw_fail_field(err, YW_EINVAL, "vendor", "vendor: name the vendor waited on");
    if (check_text(vendor, "vendor", INC_VENDOR_MAX, true, err))
        return -1;
    if (inc->npauses >= INC_PAUSES_MAX)
        return yw_fail_field(err, YW_ELIMIT, "vendor",
                             "vendor: at most %d waits on a vendor per incident", INC_PAUSES_MAX);
    char *name = xstrdup(vendor); /* vendor may be inc->vendor_name itself */
    inc->vendor = true;
    set_str(&inc->vendor_name, name);
    inc->pauses = xrealloc(inc->pauses, (inc->npauses + 1) * sizeof *inc->pauses);
    r->pause_vendor = xrealloc(r->pause_vendor, (inc->npauses + 1) * sizeof *r->pause_vendor);
    inc->pauses[inc->npauses] = (struct inc_span){at, 0};
    r->pause_vendor[inc->npauses] = name;
    inc->npauses++;
    json_t *data = json_object();
    json_object_set_new(data, "vendor", json_string(name));
    add(ch, IEV_VENDOR_WAIT, at, x, a->note, data);
    return 0;
}

int desk_apply(struct inc_record *r, const struct desk_action *a, const struct desk_ctx *x,
               struct inc_change *ch, struct yw_err *err)
{
    struct incident *inc = &r->inc;
    if ((unsigned)a->kind >= DA__COUNT)
        return yw_fail_field(err, YW_EINVAL, "action", "action: unknown");
    if (!(desk_actions_allowed(inc) & BIT(a->kind)))
        return refuse(inc, a->kind, err);
    if (check_text(a->note, "note", INC_TEXT_MAX, false, err))
        return -1;
    ms_t floor = desk_last_instant(inc);
    ms_t at = 0;
    switch (a->kind) {
    case DA_RESPOND:
    case DA_ONSITE:
    case DA_RESOLVE:
    case DA_CLOSE:
    case DA_REOPEN:
    case DA_VENDOR_WAIT:
    case DA_VENDOR_BACK:
        if (action_time(inc, a, x, floor, &at, err))
            return -1;
        break;
    case DA_ASSIGN:
    case DA_LEVEL:
    case DA_NOTE:
    case DA_REPORT:
    case DA__COUNT:
        /* Not lifecycle steps: an entry at the given time (not before the
         * notice), or now. */
        if (action_time(inc, a, x, inc->notice, &at, err))
            return -1;
        break;
    }

    switch (a->kind) {
    case DA_RESPOND:
        inc->responded = at;
        inc->state = INC_RESPONDED;
        add(ch, IEV_RESPONDED, at, x, a->note, NULL);
        return 0;
    case DA_ONSITE:
        if (inc->state == INC_NEW) {
            inc->responded = at;
            add(ch, IEV_RESPONDED, at, x, "on site", NULL);
        }
        inc->onsite = at;
        inc->state = INC_ONSITE;
        add(ch, IEV_ONSITE, at, x, a->note, NULL);
        return 0;
    case DA_RESOLVE:
        return do_resolve(r, a, x, at, ch, err);
    case DA_CLOSE:
        inc->closed = at;
        inc->state = INC_CLOSED;
        add(ch, IEV_CLOSED, at, x, a->note, NULL);
        return 0;
    case DA_REOPEN:
        return do_reopen(r, a, x, at, ch);
    case DA_VENDOR_WAIT:
        return do_vendor_wait(r, a, x, at, ch, err);
    case DA_VENDOR_BACK: {
        close_pause(inc, at);
        json_t *data = json_object();
        if (inc->vendor_name)
            json_object_set_new(data, "vendor", json_string(inc->vendor_name));
        add(ch, IEV_VENDOR_BACK, at, x, a->note, data);
        return 0;
    }
    case DA_ASSIGN: {
        if (a->assignee_id <= 0)
            return yw_fail_field(err, YW_EINVAL, "assignee", "assignee: required");
        if (a->assignee_id == inc->assignee_id)
            return yw_fail_field(err, YW_EINVAL, "assignee", "assignee: %s is assigned already",
                                 a->assignee ? a->assignee : "that account");
        json_t *data = json_object();
        json_object_set_new(data, "from", json_integer(inc->assignee_id));
        json_object_set_new(data, "to", json_integer(a->assignee_id));
        if (inc->assignee)
            json_object_set_new(data, "from_login", json_string(inc->assignee));
        if (a->assignee)
            json_object_set_new(data, "to_login", json_string(a->assignee));
        inc->assignee_id = a->assignee_id;
        set_str(&inc->assignee, a->assignee);
        add(ch, IEV_ASSIGNED, at, x, a->note ? a->note : a->assignee, data);
        return 0;
    }
    case DA_LEVEL: {
        if (a->level < INC_LEVEL_MIN || a->level > INC_LEVEL_MAX)
            return yw_fail_field(err, YW_EINVAL, "level", "level: must be %d to %d",
                                 INC_LEVEL_MIN, INC_LEVEL_MAX);
        if (a->level == inc->level)
            return yw_fail_field(err, YW_EINVAL, "level", "level: it is level %d already",
                                 a->level);
        json_t *data = json_object();
        json_object_set_new(data, "from", json_integer(inc->level));
        json_object_set_new(data, "to", json_integer(a->level));
        inc->level = a->level;
        add(ch, IEV_LEVEL, at, x, a->note, data);
        return 0;
    }
    case DA_NOTE:
        if (check_text(a->text, "text", INC_TEXT_MAX, true, err))
            return -1;
        add(ch, IEV_NOTE, at, x, a->text, NULL);
        return 0;
    case DA_REPORT: {
        if (check_text(a->text, "text", INC_REPORT_MAX, true, err))
            return -1;
        bool first = inc->report_submitted == 0;
        set_str(&inc->report, a->text);
        if (first)
            inc->report_submitted = at;
        json_t *data = json_object();
        json_object_set_new(data, "revision", json_boolean(!first));
        if (inc->report_due) {
            json_object_set_new(data, "on_time",
                                json_boolean(inc->report_submitted <= inc->report_due));
        }
        add(ch, IEV_REPORT, at, x, a->note, data);
        return 0;
    }
    case DA__COUNT: break;
    }
    return yw_fail_field(err, YW_EINVAL, "action", "action: unknown");
}
