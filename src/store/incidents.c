/*
 * incidents — the incident desk's tables (store/store_incident.h).
 *
 * An incident is one row of scalar fields; its spans (vendor waits and
 * resolved-then-reopened spans) are rows of incident_spans, rewritten as a
 * whole at every change (at most INC_PAUSES_MAX + INC_SPANS_MAX of them);
 * its timeline is append-only rows of incident_events. States, sources,
 * span and event kinds are stored as their names, so the database reads
 * on its own.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_incident.h"
#include "store/store_int.h"

/* Migration 4 (migrations.c runs it in one transaction). */
const char store_mig_incidents[] =
    /* AUTOINCREMENT: an incident number is never given twice. */
    "CREATE TABLE incidents (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  title TEXT NOT NULL,\n"
    "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),\n"
    "  system_id INTEGER REFERENCES systems(id),\n"
    "  source TEXT NOT NULL CHECK (source IN ('monitor', 'inspection', 'phone', 'wechat',\n"
    "    'email', 'onsite', 'user')),\n"
    "  reporter TEXT,\n"
    "  assignee_id INTEGER REFERENCES users(id),\n"
    "  state TEXT NOT NULL CHECK (state IN ('new', 'responded', 'onsite', 'resolved',\n"
    "    'closed')),\n"
    "  notice INTEGER NOT NULL,\n"
    "  responded INTEGER NOT NULL DEFAULT 0,\n"       /* 0 = not yet, as in struct incident */
    "  onsite_needed INTEGER NOT NULL DEFAULT 0,\n"
    "  onsite INTEGER NOT NULL DEFAULT 0,\n"
    "  resolved INTEGER NOT NULL DEFAULT 0,\n"
    "  closed INTEGER NOT NULL DEFAULT 0,\n"
    "  vendor INTEGER NOT NULL DEFAULT 0,\n"
    "  vendor_name TEXT,\n"
    "  cause TEXT,\n"
    "  fix TEXT,\n"
    "  prevention TEXT,\n"
    "  monitor_id INTEGER REFERENCES monitors(id),\n"
    "  outage_start INTEGER NOT NULL DEFAULT 0,\n"
    "  recovered INTEGER NOT NULL DEFAULT 0,\n"
    "  report_due INTEGER NOT NULL DEFAULT 0,\n"
    "  report_submitted INTEGER NOT NULL DEFAULT 0,\n"
    "  report TEXT,\n"
    "  report_stage INTEGER NOT NULL DEFAULT 0 CHECK (report_stage BETWEEN 0 AND 2),\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX incidents_notice ON incidents(notice);\n"
    "CREATE INDEX incidents_system ON incidents(system_id, notice);\n"
    "CREATE INDEX incidents_monitor ON incidents(monitor_id, id);\n"
    "CREATE INDEX incidents_assignee ON incidents(assignee_id, id);\n"
    /* The clock ticker reads these every second: most incidents are closed. */
    "CREATE INDEX incidents_active ON incidents(id) WHERE state <> 'closed' OR\n"
    "  (report_due > 0 AND report_submitted = 0 AND report_stage < 2);\n"

    "CREATE TABLE incident_spans (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('vendor', 'resolved')),\n"
    "  start INTEGER NOT NULL,\n"
    "  \"end\" INTEGER CHECK (\"end\" IS NULL OR \"end\" >= start),\n"
    "  vendor TEXT\n"
    ");\n"
    "CREATE INDEX incident_spans_incident ON incident_spans(incident_id, start);\n"
    /* At most one open span of each kind per incident. */
    "CREATE UNIQUE INDEX incident_spans_open ON incident_spans(incident_id, kind)\n"
    "  WHERE \"end\" IS NULL;\n"

    /* The timeline: append-only by convention (nothing here updates it). */
    "CREATE TABLE incident_events (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
    "  at INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('opened', 'responded', 'onsite', 'resolved',\n"
    "    'closed', 'reopened', 'assigned', 'level', 'vendor_wait', 'vendor_back', 'note',\n"
    "    'recovered', 'flap', 'report', 'sla_warning', 'sla_breach')),\n"
    "  by_user TEXT,\n"
    "  text TEXT,\n"
    "  data TEXT\n"
    ");\n"
    "CREATE INDEX incident_events_incident ON incident_events(incident_id, at, id);\n"

    /* One warning and one breach per clock and incident, ever: a restart
     * never fires one twice. */
    "CREATE TABLE sla_marks (\n"
    "  incident_id INTEGER NOT NULL REFERENCES incidents(id),\n"
    "  clock TEXT NOT NULL CHECK (clock IN ('response', 'onsite', 'resolve')),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('warn', 'breach')),\n"
    "  at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (incident_id, clock, kind)\n"
    ") WITHOUT ROWID;\n";

/* ---- names ------------------------------------------------------------------------ */

static const char *const event_names[IEV__COUNT] = {
    [IEV_OPENED] = "opened",           [IEV_RESPONDED] = "responded",
    [IEV_ONSITE] = "onsite",           [IEV_RESOLVED] = "resolved",
    [IEV_CLOSED] = "closed",           [IEV_REOPENED] = "reopened",
    [IEV_ASSIGNED] = "assigned",       [IEV_LEVEL] = "level",
    [IEV_VENDOR_WAIT] = "vendor_wait", [IEV_VENDOR_BACK] = "vendor_back",
    [IEV_NOTE] = "note",               [IEV_RECOVERED] = "recovered",
    [IEV_FLAP] = "flap",               [IEV_REPORT] = "report",
    [IEV_SLA_WARNING] = "sla_warning", [IEV_SLA_BREACH] = "sla_breach",
};

const char *inc_event_kind_name(enum inc_event_kind k)
{
    return (unsigned)k < IEV__COUNT ? event_names[k] : "note";
}

int inc_event_kind_parse(const char *s, enum inc_event_kind *out)
{
    for (int i = 0; s && i < IEV__COUNT; i++) {
        if (strcmp(s, event_names[i]) == 0) {
            *out = (enum inc_event_kind)i;
            return 0;
        }
    }
    return -1;
}

/* Stored names of what incident.h names; a stored value this version does
 * not know reads as damaged data. */
static int parse_state(const char *s, enum inc_state *out)
{
    return s ? inc_state_parse(s, out) : -1;
}

static int parse_source(const char *s, enum inc_source *out)
{
    return s ? inc_source_parse(s, out) : -1;
}

static const char *mark_kind(bool breach)
{
    return breach ? "breach" : "warn";
}

/* ---- releasing and copying ----------------------------------------------------------- */

void store_inc_event_release(struct inc_event *e)
{
    if (!e)
        return;
    xfree(e->by);
    xfree(e->text);
    xfree(e->data);
    memset(e, 0, sizeof *e);
}

void store_inc_record_release(struct inc_record *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->pause_vendor && i < r->inc.npauses; i++)
        xfree(r->pause_vendor[i]);
    xfree(r->pause_vendor);
    for (size_t i = 0; i < r->nevents; i++)
        store_inc_event_release(&r->events[i]);
    xfree(r->events);
    incident_release(&r->inc);
    memset(r, 0, sizeof *r);
}

void store_inc_records_free(struct inc_record *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        store_inc_record_release(&r[i]);
    xfree(r);
}

void store_incidents_free(struct incident *incs, size_t n)
{
    for (size_t i = 0; incs && i < n; i++)
        incident_release(&incs[i]);
    xfree(incs);
}

void store_inc_record_copy(struct inc_record *dst, const struct inc_record *src)
{
    memset(dst, 0, sizeof *dst);
    incident_copy(&dst->inc, &src->inc);
    dst->report_stage = src->report_stage;
    if (src->inc.npauses) {
        dst->pause_vendor = xcalloc(src->inc.npauses, sizeof *dst->pause_vendor);
        for (size_t i = 0; src->pause_vendor && i < src->inc.npauses; i++)
            dst->pause_vendor[i] = xstrdup(src->pause_vendor[i]);
    }
    if (src->nevents) {
        dst->events = xcalloc(src->nevents, sizeof *dst->events);
        for (size_t i = 0; i < src->nevents; i++) {
            dst->events[i] = src->events[i];
            dst->events[i].by = xstrdup(src->events[i].by);
            dst->events[i].text = xstrdup(src->events[i].text);
            dst->events[i].data = xstrdup(src->events[i].data);
        }
        dst->nevents = src->nevents;
    }
}

/* ---- small helpers -------------------------------------------------------------------- */

static void bind_opt_i64(sqlite3_stmt *st, int i, int64_t v, bool present)
{
    if (present)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* 0 binds NULL: the reference columns use NULL for "none". */
static void bind_ref(sqlite3_stmt *st, int i, int64_t id)
{
    bind_opt_i64(st, i, id, id != 0);
}

/* A row exists for the bound statement: 1, 0, or -1 with err. */
static int exists(struct conn *c, enum stmt_id id, int64_t key, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, key);
    int rc = sqlite3_step(st);
    int result = rc == SQLITE_ROW ? 1 : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "checking a reference");
    store_stmt_done(st);
    return result;
}

static int check_ref(struct conn *c, enum stmt_id id, int64_t key, const char *field,
                     const char *what, struct yw_err *err)
{
    if (key == 0)
        return 0;
    int rc = exists(c, id, key, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return yw_fail_field(err, YW_EINVAL, field, "%s: %s %lld does not exist", field, what,
                             (long long)key);
    return 0;
}

/* What store_incident_change and create write must hold whoever built it. */
static int check_incident(const struct inc_record *r, struct yw_err *err)
{
    const struct incident *inc = &r->inc;
    if (!inc->title || !inc->title[0])
        return yw_fail_field(err, YW_EINVAL, "title", "title: required");
    if (strlen(inc->title) > INC_TITLE_MAX)
        return yw_fail_field(err, YW_ELIMIT, "title", "title: longer than %d bytes",
                             INC_TITLE_MAX);
    if (inc->level < INC_LEVEL_MIN || inc->level > INC_LEVEL_MAX)
        return yw_fail_field(err, YW_EINVAL, "level", "level: must be %d to %d", INC_LEVEL_MIN,
                             INC_LEVEL_MAX);
    if ((unsigned)inc->state >= INC_STATE__COUNT)
        return yw_fail_field(err, YW_EINVAL, "state", "state: unknown");
    if ((unsigned)inc->source >= SRC__COUNT)
        return yw_fail_field(err, YW_EINVAL, "source", "source: unknown");
    if (inc->notice <= 0)
        return yw_fail_field(err, YW_EINVAL, "notice", "notice: required");
    if (inc->reporter && strlen(inc->reporter) > INC_REPORTER_MAX)
        return yw_fail_field(err, YW_ELIMIT, "reporter", "reporter: longer than %d bytes",
                             INC_REPORTER_MAX);
    if (inc->vendor_name && strlen(inc->vendor_name) > INC_VENDOR_MAX)
        return yw_fail_field(err, YW_ELIMIT, "vendor", "vendor: longer than %d bytes",
                             INC_VENDOR_MAX);
    const char *texts[] = {inc->cause, inc->fix, inc->prevention};
    const char *names[] = {"cause", "fix", "prevention"};
    for (int i = 0; i < 3; i++)
        if (texts[i] && strlen(texts[i]) > INC_TEXT_MAX)
            return yw_fail_field(err, YW_ELIMIT, names[i], "%s: longer than %d bytes", names[i],
                                 INC_TEXT_MAX);
    if (inc->report && strlen(inc->report) > INC_REPORT_MAX)
        return yw_fail_field(err, YW_ELIMIT, "text", "report: longer than %d bytes",
                             INC_REPORT_MAX);
    if (inc->npauses > INC_PAUSES_MAX)
        return yw_fail_field(err, YW_ELIMIT, "vendor",
                             "vendor: at most %d waits on a vendor per incident", INC_PAUSES_MAX);
    if (inc->nresolved_spans > INC_SPANS_MAX)
        return yw_fail_field(err, YW_ELIMIT, "action",
                             "action: at most %d reopenings per incident", INC_SPANS_MAX);
    if (r->report_stage < 0 || r->report_stage > 2)
        return yw_fail(err, YW_EINVAL, "report stage %d out of range", r->report_stage);
    return 0;
}

/* ---- decoding ------------------------------------------------------------------------ */

static int inc_decode(sqlite3_stmt *st, struct inc_record *r, struct yw_err *err)
{
    memset(r, 0, sizeof *r);
    struct incident *inc = &r->inc;
    inc->id = sqlite3_column_int64(st, 0);
    inc->title = store_col_dup(st, 1);
    inc->level = sqlite3_column_int(st, 2);
    inc->system_id = sqlite3_column_int64(st, 3);
    inc->system = store_col_dup(st, 4);
    int bad = parse_source((const char *)sqlite3_column_text(st, 5), &inc->source);
    inc->reporter = store_col_dup(st, 6);
    inc->assignee_id = sqlite3_column_int64(st, 7);
    inc->assignee = store_col_dup(st, 8);
    bad |= parse_state((const char *)sqlite3_column_text(st, 9), &inc->state);
    inc->notice = sqlite3_column_int64(st, 10);
    inc->responded = sqlite3_column_int64(st, 11);
    inc->onsite_needed = sqlite3_column_int(st, 12) != 0;
    inc->onsite = sqlite3_column_int64(st, 13);
    inc->resolved = sqlite3_column_int64(st, 14);
    inc->closed = sqlite3_column_int64(st, 15);
    inc->vendor = sqlite3_column_int(st, 16) != 0;
    inc->vendor_name = store_col_dup(st, 17);
    inc->cause = store_col_dup(st, 18);
    inc->fix = store_col_dup(st, 19);
    inc->prevention = store_col_dup(st, 20);
    inc->monitor_id = sqlite3_column_int64(st, 21);
    inc->monitor = store_col_dup(st, 22);
    inc->outage_start = sqlite3_column_int64(st, 23);
    inc->recovered = sqlite3_column_int64(st, 24);
    inc->report_due = sqlite3_column_int64(st, 25);
    inc->report_submitted = sqlite3_column_int64(st, 26);
    inc->report = store_col_dup(st, 27);
    r->report_stage = sqlite3_column_int(st, 28);
    inc->created = sqlite3_column_int64(st, 29);
    inc->updated = sqlite3_column_int64(st, 30);
    if (bad || !inc->title)
        return yw_fail(err, YW_EIO, "incident %lld: stored row is damaged", (long long)inc->id);
    return 0;
}

/* Steps a bound incident statement into a growing array (at most max rows:
 * one more is YW_ELIMIT). */
static int read_incidents(struct conn *c, sqlite3_stmt *st, size_t max, struct inc_record **out,
                          size_t *nout, struct yw_err *err)
{
    struct inc_record *rows = NULL;
    size_t n = 0, cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == max) {
            result = yw_fail(err, YW_ELIMIT, "more than %zu incidents match", max);
            break;
        }
        XGROW(rows, cap, n + 1);
        if (inc_decode(st, &rows[n], err)) {
            store_inc_record_release(&rows[n]);
            result = -1;
            break;
        }
        n++;
    }
    if (result == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = store_db_fail(c, err, "reading incidents");
    store_stmt_done(st);
    if (result) {
        store_inc_records_free(rows, n);
        return -1;
    }
    *out = rows;
    *nout = n;
    return 0;
}

/* Appends one span row to its incident's arrays. */
static int add_span(struct inc_record *r, const char *kind, ms_t start, ms_t end,
                    const char *vendor, struct yw_err *err)
{
    struct incident *inc = &r->inc;
    struct inc_span s = {start, end};
    if (kind && strcmp(kind, "vendor") == 0) {
        if (inc->npauses >= INC_PAUSES_MAX)
            return yw_fail(err, YW_EIO, "incident %lld: too many vendor spans stored",
                           (long long)inc->id);
        inc->pauses = xrealloc(inc->pauses, (inc->npauses + 1) * sizeof *inc->pauses);
        r->pause_vendor = xrealloc(r->pause_vendor, (inc->npauses + 1) * sizeof *r->pause_vendor);
        inc->pauses[inc->npauses] = s;
        r->pause_vendor[inc->npauses] = xstrdup(vendor);
        inc->npauses++;
    } else if (kind && strcmp(kind, "resolved") == 0) {
        if (inc->nresolved_spans >= INC_SPANS_MAX)
            return yw_fail(err, YW_EIO, "incident %lld: too many resolved spans stored",
                           (long long)inc->id);
        inc->resolved_spans = xrealloc(inc->resolved_spans,
                                       (inc->nresolved_spans + 1) * sizeof *inc->resolved_spans);
        inc->resolved_spans[inc->nresolved_spans++] = s;
    } else {
        return yw_fail(err, YW_EIO, "incident %lld: stored span is damaged", (long long)inc->id);
    }
    return 0;
}

static struct inc_record *find_record(struct inc_record *rows, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rows[mid].inc.id == id)
            return &rows[mid];
        /* rows are sorted by id, either way round */
        bool asc = n < 2 || rows[0].inc.id < rows[n - 1].inc.id;
        if ((rows[mid].inc.id < id) == asc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Reads the spans of a bound span statement (ordered by incident, start)
 * into the matching records (sorted by id); spans of other incidents are
 * skipped. */
static int read_spans(struct conn *c, sqlite3_stmt *st, struct inc_record *rows, size_t n,
                      struct yw_err *err)
{
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct inc_record *r = find_record(rows, n, sqlite3_column_int64(st, 0));
        if (!r)
            continue;
        ms_t end = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
        if (add_span(r, (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
                     end, (const char *)sqlite3_column_text(st, 4), err)) {
            result = -1;
            break;
        }
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading incident spans");
    store_stmt_done(st);
    return result;
}

/* One incident with its spans, on c (inside or outside a transaction). */
static int get_one(struct conn *c, int64_t id, struct inc_record *out, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_GET, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    struct inc_record *rows = NULL;
    size_t n = 0;
    if (read_incidents(c, st, 1, &rows, &n, err))
        return -1;
    if (n == 0) {
        xfree(rows);
        return yw_fail(err, YW_ENOTFOUND, "incident %lld not found", (long long)id);
    }
    st = store_stmt_get(c, STMT_INC_SPANS_ONE, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, id);
        rc = read_spans(c, st, rows, n, err);
    }
    if (rc == 0) {
        *out = rows[0];
        xfree(rows);
    } else {
        store_inc_records_free(rows, n);
    }
    return rc;
}

static int read_timeline(struct conn *c, struct inc_record *r, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_EV_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, r->inc.id);
    store_bind_i64(st, 2, INC_TIMELINE_MAX);
    size_t cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(r->events, cap, r->nevents + 1);
        struct inc_event *e = &r->events[r->nevents];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(st, 0);
        e->incident_id = sqlite3_column_int64(st, 1);
        e->at = sqlite3_column_int64(st, 2);
        if (inc_event_kind_parse((const char *)sqlite3_column_text(st, 3), &e->kind) != 0) {
            result = yw_fail(err, YW_EIO, "incident %lld: stored timeline entry %lld is damaged",
                             (long long)r->inc.id, (long long)e->id);
            break;
        }
        e->by = store_col_dup(st, 4);
        e->text = store_col_dup(st, 5);
        e->data = store_col_dup(st, 6);
        r->nevents++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading the timeline");
    store_stmt_done(st);
    return result;
}

/* ---- writing -------------------------------------------------------------------------- */

/* Binds every written column of inc (STMT_INC_INSERT and STMT_INC_UPDATE
 * number them alike: ?1 id … ?26 report_stage, ?27 updated). */
static void bind_incident(sqlite3_stmt *st, const struct inc_record *r, ms_t updated)
{
    const struct incident *inc = &r->inc;
    bind_ref(st, 1, inc->id);
    store_bind_text(st, 2, inc->title);
    store_bind_i64(st, 3, inc->level);
    bind_ref(st, 4, inc->system_id);
    store_bind_text(st, 5, inc_source_name(inc->source));
    store_bind_text(st, 6, inc->reporter);
    bind_ref(st, 7, inc->assignee_id);
    store_bind_text(st, 8, inc_state_name(inc->state));
    store_bind_i64(st, 9, inc->notice);
    store_bind_i64(st, 10, inc->responded);
    store_bind_i64(st, 11, inc->onsite_needed);
    store_bind_i64(st, 12, inc->onsite);
    store_bind_i64(st, 13, inc->resolved);
    store_bind_i64(st, 14, inc->closed);
    store_bind_i64(st, 15, inc->vendor);
    store_bind_text(st, 16, inc->vendor_name);
    store_bind_text(st, 17, inc->cause);
    store_bind_text(st, 18, inc->fix);
    store_bind_text(st, 19, inc->prevention);
    bind_ref(st, 20, inc->monitor_id);
    store_bind_i64(st, 21, inc->outage_start);
    store_bind_i64(st, 22, inc->recovered);
    store_bind_i64(st, 23, inc->report_due);
    store_bind_i64(st, 24, inc->report_submitted);
    store_bind_text(st, 25, inc->report);
    store_bind_i64(st, 26, r->report_stage);
    store_bind_i64(st, 27, updated);
}

static int insert_event(struct conn *c, int64_t incident_id, ms_t at, enum inc_event_kind kind,
                        const char *by, const char *text, const char *data, struct yw_err *err)
{
    if (data && strlen(data) > INC_EVENT_DATA_MAX)
        return yw_fail(err, YW_ELIMIT, "timeline entry data longer than %d bytes",
                       INC_EVENT_DATA_MAX);
    if (text && strlen(text) > INC_REPORT_MAX)
        return yw_fail_field(err, YW_ELIMIT, "text", "text: longer than %d bytes",
                             INC_REPORT_MAX);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_EV_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, incident_id);
    store_bind_i64(st, 2, at);
    store_bind_text(st, 3, inc_event_kind_name(kind));
    store_bind_text(st, 4, by);
    store_bind_text(st, 5, text);
    store_bind_text(st, 6, data);
    return store_step_done(c, st, "adding to the timeline", err);
}

static int insert_span(struct conn *c, int64_t id, const char *kind, const struct inc_span *s,
                       const char *vendor, struct yw_err *err)
{
    if (s->start <= 0 || (s->end && s->end < s->start))
        return yw_fail_field(err, YW_EINVAL, "at", "at: a %s span would end before it starts",
                             kind);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_SPAN_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    store_bind_text(st, 2, kind);
    store_bind_i64(st, 3, s->start);
    bind_opt_i64(st, 4, s->end, s->end != 0);
    store_bind_text(st, 5, vendor);
    return store_step_done(c, st, "writing incident spans", err);
}

static int write_spans(struct conn *c, const struct inc_record *r, struct yw_err *err)
{
    const struct incident *inc = &r->inc;
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_SPANS_DELETE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, inc->id);
    if (store_step_done(c, st, "writing incident spans", err))
        return -1;
    for (size_t i = 0; i < inc->npauses; i++)
        if (insert_span(c, inc->id, "vendor", &inc->pauses[i],
                        r->pause_vendor ? r->pause_vendor[i] : NULL, err))
            return -1;
    for (size_t i = 0; i < inc->nresolved_spans; i++)
        if (insert_span(c, inc->id, "resolved", &inc->resolved_spans[i], NULL, err))
            return -1;
    return 0;
}

/* ---- public: create, get, lists --------------------------------------------------------- */

struct create_arg {
    const struct incident *inc;
    const char *by, *text, *data;
    int64_t id;
};

static int do_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct create_arg *a = arg;
    struct inc_record r = {.inc = *a->inc}; /* shallow: only read */
    r.inc.id = 0;
    r.inc.resolved_spans = NULL;
    r.inc.nresolved_spans = 0;
    r.inc.pauses = NULL;
    r.inc.npauses = 0;
    if (check_incident(&r, err))
        return -1;
    if (r.inc.state != INC_NEW)
        return yw_fail_field(err, YW_EINVAL, "state", "state: a new incident starts as new");
    if (check_ref(c, STMT_INC_SYS_LIVE, r.inc.system_id, "system", "system", err) ||
        check_ref(c, STMT_INC_USER_EXISTS, r.inc.assignee_id, "assignee", "account", err) ||
        check_ref(c, STMT_INC_MON_EXISTS, r.inc.monitor_id, "monitor", "monitor", err))
        return -1;
    ms_t created = a->inc->created ? a->inc->created : now;
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_INSERT, err);
    if (!st)
        return -1;
    bind_incident(st, &r, created);
    store_bind_i64(st, 28, created);
    if (store_step_done(c, st, "creating incident", err))
        return -1;
    a->id = sqlite3_last_insert_rowid(c->db);
    return insert_event(c, a->id, r.inc.notice, IEV_OPENED, a->by, a->text, a->data, err);
}

int store_incident_create(struct store *S, const struct incident *inc, const char *by,
                          const char *text, const char *data, int64_t *id, struct yw_err *err)
{
    struct create_arg a = {inc, by, text, data, 0};
    if (store_write_tx(S, do_create, &a, err))
        return -1;
    if (id)
        *id = a.id;
    return 0;
}

int store_incident_get(struct store *S, int64_t id, bool timeline, struct inc_record *r,
                       struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    /* One read transaction: the row, its spans and its timeline agree. */
    int rc = store_stmt_exec(c, STMT_INC_BEGIN_READ, err);
    struct inc_record tmp;
    if (rc == 0)
        rc = get_one(c, id, &tmp, err);
    if (rc == 0 && timeline) {
        rc = read_timeline(c, &tmp, err);
        if (rc)
            store_inc_record_release(&tmp);
    }
    store_tx_rollback(c);
    store_pool_put(S, c);
    if (rc == 0)
        *r = tmp;
    return rc;
}

int store_incident_list(struct store *S, const struct inc_filter *f, struct inc_record **rows,
                        size_t *n, bool *more, struct yw_err *err)
{
    if (f->limit < 1 || f->limit > INC_LIST_MAX)
        return yw_fail_field(err, YW_EINVAL, "limit", "limit: must be 1 to %d", INC_LIST_MAX);
    if (f->search && strlen(f->search) > INC_SEARCH_MAX)
        return yw_fail_field(err, YW_ELIMIT, "q", "q: longer than %d bytes", INC_SEARCH_MAX);
    struct conn *c = store_pool_get(S);
    int rc = store_stmt_exec(c, STMT_INC_BEGIN_READ, err);
    struct inc_record *out = NULL;
    size_t nout = 0;
    sqlite3_stmt *st = rc == 0 ? store_stmt_get(c, STMT_INC_LIST, err) : NULL;
    if (rc == 0 && !st)
        rc = -1;
    if (rc == 0) {
        store_bind_i64(st, 1, f->states);
        bind_opt_i64(st, 2, f->level, f->level != 0);
        bind_opt_i64(st, 3, f->system_id, f->system_id != 0);
        if (f->source >= 0)
            store_bind_text(st, 4, inc_source_name((enum inc_source)f->source));
        else
            sqlite3_bind_null(st, 4);
        bind_opt_i64(st, 5, f->assignee_id, f->assignee_id != 0);
        bind_opt_i64(st, 6, f->from, f->from != 0);
        bind_opt_i64(st, 7, f->to, f->to != 0);
        store_bind_text(st, 8, f->search && f->search[0] ? f->search : NULL);
        store_bind_i64(st, 9, f->before_id > 0 ? f->before_id : INT64_MAX);
        store_bind_i64(st, 10, (int64_t)f->limit + 1); /* one more says whether there are more */
        rc = read_incidents(c, st, f->limit + 1, &out, &nout, err);
    }
    bool has_more = false;
    if (rc == 0 && nout > f->limit) {
        has_more = true;
        store_inc_record_release(&out[--nout]);
    }
    if (rc == 0 && nout > 0) {
        st = store_stmt_get(c, STMT_INC_SPANS_RANGE, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, out[nout - 1].inc.id);
            store_bind_i64(st, 2, out[0].inc.id);
            rc = read_spans(c, st, out, nout, err);
        }
    }
    store_tx_rollback(c);
    store_pool_put(S, c);
    if (rc) {
        store_inc_records_free(out, nout);
        return -1;
    }
    *rows = out;
    *n = nout;
    if (more)
        *more = has_more;
    return 0;
}

/* Records by id, for attaching spans to records kept in another order. */
struct by_id {
    int64_t id;
    struct inc_record *r;
};

static int by_id_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct by_id *)a)->id, y = ((const struct by_id *)b)->id;
    return (x > y) - (x < y);
}

/* Records of an incident statement, then the spans of a span statement
 * bound with the same parameters, in one read transaction. */
static int read_with_spans(struct store *S, enum stmt_id rows_id, enum stmt_id spans_id,
                           const int64_t *params, const bool *present, int nparams, size_t max,
                           struct inc_record **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = store_stmt_exec(c, STMT_INC_BEGIN_READ, err);
    struct inc_record *out = NULL;
    size_t nout = 0;
    sqlite3_stmt *st = rc == 0 ? store_stmt_get(c, rows_id, err) : NULL;
    if (rc == 0 && !st)
        rc = -1;
    if (rc == 0) {
        for (int i = 0; i < nparams; i++)
            bind_opt_i64(st, i + 1, params[i], present[i]);
        if (rows_id == STMT_INC_PERIOD)
            store_bind_i64(st, nparams + 1, (int64_t)max + 1);
        rc = read_incidents(c, st, max, &out, &nout, err);
    }
    struct by_id *index = NULL;
    if (rc == 0 && nout > 0) {
        index = xcalloc(nout, sizeof *index);
        for (size_t i = 0; i < nout; i++)
            index[i] = (struct by_id){out[i].inc.id, &out[i]};
        qsort(index, nout, sizeof *index, by_id_cmp);
        st = store_stmt_get(c, spans_id, err);
        if (!st)
            rc = -1;
    }
    if (rc == 0 && nout > 0) {
        for (int i = 0; i < nparams; i++)
            bind_opt_i64(st, i + 1, params[i], present[i]);
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            struct by_id key = {sqlite3_column_int64(st, 0), NULL};
            struct by_id *hit = bsearch(&key, index, nout, sizeof *index, by_id_cmp);
            if (!hit)
                continue;
            ms_t end = sqlite3_column_type(st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 3);
            if (add_span(hit->r, (const char *)sqlite3_column_text(st, 1),
                         sqlite3_column_int64(st, 2), end,
                         (const char *)sqlite3_column_text(st, 4), err)) {
                rc = -1;
                break;
            }
        }
        if (rc == 0 && s != SQLITE_DONE)
            rc = store_db_fail(c, err, "reading incident spans");
        store_stmt_done(st);
    }
    xfree(index);
    store_tx_rollback(c);
    store_pool_put(S, c);
    if (rc) {
        store_inc_records_free(out, nout);
        return -1;
    }
    *rows = out;
    *n = nout;
    return 0;
}

int store_incident_period(struct store *S, ms_t from, ms_t to, int64_t system_id,
                          struct incident **incs, size_t *n, struct yw_err *err)
{
    int64_t params[3] = {from, to, system_id};
    bool present[3] = {true, true, system_id != 0};
    struct inc_record *rows = NULL;
    size_t nrows = 0;
    if (read_with_spans(S, STMT_INC_PERIOD, STMT_INC_SPANS_PERIOD, params, present, 3,
                        INC_PERIOD_MAX, &rows, &nrows, err))
        return -1;
    /* The figures want plain incidents, contiguous. */
    struct incident *out = xcalloc(nrows ? nrows : 1, sizeof *out);
    for (size_t i = 0; i < nrows; i++) {
        out[i] = rows[i].inc;
        memset(&rows[i].inc, 0, sizeof rows[i].inc);
        for (size_t k = 0; rows[i].pause_vendor && k < out[i].npauses; k++)
            xfree(rows[i].pause_vendor[k]);
        xfree(rows[i].pause_vendor);
        rows[i].pause_vendor = NULL;
    }
    xfree(rows);
    *incs = out;
    *n = nrows;
    return 0;
}

int store_incident_active(struct store *S, struct inc_record **rows, size_t *n,
                          struct yw_err *err)
{
    return read_with_spans(S, STMT_INC_ACTIVE, STMT_INC_SPANS_ACTIVE, NULL, NULL, 0,
                           INC_PERIOD_MAX, rows, n, err);
}

int store_incident_for_monitor(struct store *S, int64_t monitor_id, struct inc_record *r,
                               bool *found, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = store_stmt_exec(c, STMT_INC_BEGIN_READ, err);
    struct inc_record *rows = NULL;
    size_t nrows = 0;
    sqlite3_stmt *st = rc == 0 ? store_stmt_get(c, STMT_INC_FOR_MONITOR, err) : NULL;
    if (rc == 0 && !st)
        rc = -1;
    if (rc == 0) {
        store_bind_i64(st, 1, monitor_id);
        rc = read_incidents(c, st, 1, &rows, &nrows, err);
    }
    if (rc == 0 && nrows == 1) {
        st = store_stmt_get(c, STMT_INC_SPANS_ONE, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, rows[0].inc.id);
            rc = read_spans(c, st, rows, nrows, err);
        }
    }
    store_tx_rollback(c);
    store_pool_put(S, c);
    if (rc) {
        store_inc_records_free(rows, nrows);
        return -1;
    }
    *found = nrows == 1;
    if (nrows == 1)
        *r = rows[0];
    xfree(rows);
    return 0;
}

/* ---- public: changes ----------------------------------------------------------------------- */

void store_inc_change_add(struct inc_change *ch, enum inc_event_kind kind, ms_t at,
                          const char *by, const char *text, const char *data)
{
    assert(ch->nev < INC_CHANGE_EVENTS_MAX);
    struct inc_event *e = &ch->ev[ch->nev++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->at = at;
    e->by = xstrdup(by);
    e->text = xstrdup(text);
    e->data = xstrdup(data);
}

/* Entries a long-lived incident may go on collecting without limit would
 * make its page (and the database) grow without bound: a flapping monitor,
 * or a script adding notes. Lifecycle entries are always written. */
static bool bounded_kind(enum inc_event_kind k)
{
    return k == IEV_NOTE || k == IEV_FLAP || k == IEV_RECOVERED;
}

static int event_count(struct conn *c, int64_t id, int64_t *count, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_EV_COUNT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : store_db_fail(c, err, "counting timeline");
    if (rc == 0)
        *count = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return rc;
}

struct change_arg {
    int64_t id;
    ms_t now;
    store_inc_fn fn;
    void *arg;
    struct inc_change ch;
    struct inc_record after;
    bool have_after;
};

static int do_change(struct conn *c, void *arg, ms_t wall, struct yw_err *err)
{
    struct change_arg *a = arg;
    struct inc_record r;
    if (get_one(c, a->id, &r, err))
        return -1;
    int64_t sys = r.inc.system_id, user = r.inc.assignee_id, mon = r.inc.monitor_id;
    int rc = a->fn(a->arg, &r, &a->ch, err);
    if (rc == 0) {
        r.inc.id = a->id; /* the function may not move it */
        rc = check_incident(&r, err);
    }
    if (rc == 0 && r.inc.system_id != sys)
        rc = check_ref(c, STMT_INC_SYS_LIVE, r.inc.system_id, "system", "system", err);
    if (rc == 0 && r.inc.assignee_id != user)
        rc = check_ref(c, STMT_INC_USER_EXISTS, r.inc.assignee_id, "assignee", "account", err);
    if (rc == 0 && r.inc.monitor_id != mon)
        rc = check_ref(c, STMT_INC_MON_EXISTS, r.inc.monitor_id, "monitor", "monitor", err);
    bool bounded = false;
    for (size_t i = 0; i < a->ch.nev; i++)
        bounded |= bounded_kind(a->ch.ev[i].kind);
    if (rc == 0 && bounded) {
        int64_t count = 0;
        rc = event_count(c, a->id, &count, err);
        if (rc == 0 && count >= INC_EVENTS_PER_INCIDENT)
            rc = yw_fail_field(err, YW_ELIMIT, "text",
                               "incident %lld has %lld timeline entries, the most it may hold",
                               (long long)a->id, (long long)count);
    }
    ms_t updated = a->now ? a->now : wall;
    sqlite3_stmt *st = rc == 0 ? store_stmt_get(c, STMT_INC_UPDATE, err) : NULL;
    if (rc == 0 && !st)
        rc = -1;
    if (rc == 0) {
        bind_incident(st, &r, updated);
        rc = store_step_done(c, st, "updating incident", err);
    }
    if (rc == 0)
        rc = write_spans(c, &r, err);
    for (size_t i = 0; rc == 0 && i < a->ch.nev; i++)
        rc = insert_event(c, a->id, a->ch.ev[i].at, a->ch.ev[i].kind, a->ch.ev[i].by,
                          a->ch.ev[i].text, a->ch.ev[i].data, err);
    if (rc == 0) {
        r.inc.updated = updated;
        a->after = r;
        a->have_after = true;
    } else {
        store_inc_record_release(&r);
    }
    return rc;
}

int store_incident_change(struct store *S, int64_t id, ms_t now, store_inc_fn fn, void *arg,
                          struct inc_record *after, struct yw_err *err)
{
    struct change_arg a = {.id = id, .now = now, .fn = fn, .arg = arg};
    int rc = store_write_tx(S, do_change, &a, err);
    for (size_t i = 0; i < a.ch.nev; i++)
        store_inc_event_release(&a.ch.ev[i]);
    if (rc) {
        /* a commit that failed after do_change succeeded */
        if (a.have_after)
            store_inc_record_release(&a.after);
        return -1;
    }
    if (!after) {
        store_inc_record_release(&a.after);
        return 0;
    }
    /* Names of a changed system or assignee are the store's: re-read them. */
    struct inc_record fresh;
    if (store_incident_get(S, id, false, &fresh, NULL) == 0) {
        store_inc_record_release(&a.after);
        *after = fresh;
    } else {
        *after = a.after;
    }
    return 0;
}

int store_incident_report_stage(struct store *S, int64_t id, int stage, bool *changed,
                                struct yw_err *err)
{
    if (stage < 1 || stage > 2)
        return yw_fail(err, YW_EINVAL, "report stage %d out of range", stage);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_REPORT_STAGE, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, id);
        store_bind_i64(st, 2, stage);
        rc = store_step_done(c, st, "recording the report reminder", err);
        if (rc == 0)
            *changed = sqlite3_changes(c->db) > 0;
    }
    store_pool_put(S, c);
    return rc;
}

/* ---- SLA marks ------------------------------------------------------------------------------- */

struct mark_arg {
    const struct sla_mark *m;
    const char *text, *data;
    bool added;
};

static int do_mark(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    (void)now;
    struct mark_arg *a = arg;
    int rc = exists(c, STMT_INC_EXISTS, a->m->incident_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return yw_fail(err, YW_ENOTFOUND, "incident %lld not found",
                       (long long)a->m->incident_id);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_MARK_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, a->m->incident_id);
    store_bind_text(st, 2, sla_clock_name(a->m->clock));
    store_bind_text(st, 3, mark_kind(a->m->breach));
    store_bind_i64(st, 4, a->m->at);
    if (store_step_done(c, st, "recording an SLA mark", err))
        return -1;
    a->added = sqlite3_changes(c->db) > 0;
    if (!a->added)
        return 0;
    return insert_event(c, a->m->incident_id, a->m->at,
                        a->m->breach ? IEV_SLA_BREACH : IEV_SLA_WARNING, "system", a->text,
                        a->data, err);
}

int store_sla_mark_add(struct store *S, const struct sla_mark *m, const char *text,
                       const char *data, bool *added, struct yw_err *err)
{
    if ((unsigned)m->clock >= CLOCK__COUNT)
        return yw_fail(err, YW_EINVAL, "SLA mark: unknown clock");
    struct mark_arg a = {m, text, data, false};
    if (store_write_tx(S, do_mark, &a, err))
        return -1;
    if (added)
        *added = a.added;
    return 0;
}

static int read_marks(struct conn *c, sqlite3_stmt *st, struct sla_mark **out, size_t *nout,
                      struct yw_err *err)
{
    struct sla_mark *marks = NULL;
    size_t n = 0, cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(marks, cap, n + 1);
        struct sla_mark *m = &marks[n];
        m->incident_id = sqlite3_column_int64(st, 0);
        const char *clock = (const char *)sqlite3_column_text(st, 1);
        const char *kind = (const char *)sqlite3_column_text(st, 2);
        if (!clock || sla_clock_parse(clock, &m->clock) != 0 || !kind) {
            result = yw_fail(err, YW_EIO, "incident %lld: stored SLA mark is damaged",
                             (long long)m->incident_id);
            break;
        }
        m->breach = strcmp(kind, "breach") == 0;
        m->at = sqlite3_column_int64(st, 3);
        n++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading SLA marks");
    store_stmt_done(st);
    if (result) {
        xfree(marks);
        return -1;
    }
    *out = marks;
    *nout = n;
    return 0;
}

int store_sla_marks_active(struct store *S, struct sla_mark **marks, size_t *n,
                           struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_MARKS_ACTIVE, err);
    int rc = st ? read_marks(c, st, marks, n, err) : -1;
    store_pool_put(S, c);
    return rc;
}

int store_sla_marks_of(struct store *S, int64_t incident_id, struct sla_mark **marks, size_t *n,
                       struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_INC_MARKS_OF, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, incident_id);
        rc = read_marks(c, st, marks, n, err);
    }
    store_pool_put(S, c);
    return rc;
}
