/* /api/v1/audit: reading, exporting and verifying the audit trail, which
 * only the audit administrator may do (ACT_AUDIT_READ). Every read is itself
 * recorded, after it is made, so that the trail shows who looked at it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin_util.h"

#define AUDIT_PAGE 10000 /* the store's largest page */
#define CT_CSV "text/csv; charset=utf-8"

/* from/to/user/action of the query into f (0/NULL when absent; strings
 * point into q). Unlike other lists, no period is assumed: an absent bound
 * is unbounded, because an auditor asks for "everything that user did". */
static int filter_from_query(const struct query *q, struct audit_filter *f, struct yw_err *err)
{
    *f = (struct audit_filter){0};
    static const char *const bounds[] = {"from", "to"};
    ms_t *dst[] = {&f->from, &f->to};
    for (size_t i = 0; i < 2; i++) {
        const char *v = query_get(q, bounds[i]);
        if (v && time_parse_rfc3339(v, dst[i]) != 0)
            return yw_fail_field(err, YW_EINVAL, bounds[i],
                                 "%s: expected an RFC 3339 time or a date (2026-11-25)",
                                 bounds[i]);
    }
    if (f->from && f->to && f->from >= f->to)
        return yw_fail_field(err, YW_EINVAL, "from", "from: must be before to");
    static const char *const strs[] = {"user", "action"};
    const char **sdst[] = {&f->user, &f->action};
    for (size_t i = 0; i < 2; i++) {
        const char *v = query_get(q, strs[i]);
        if (v && strlen(v) > ADMIN_AUDIT_FILTER_MAX)
            return yw_fail_field(err, YW_EINVAL, strs[i], "%s: at most %d bytes", strs[i],
                                 ADMIN_AUDIT_FILTER_MAX);
        *sdst[i] = v;
    }
    return 0;
}

/* What a read of the trail asked for, recorded as the read's "after". */
static json_t *filter_json(const struct audit_filter *f, size_t rows)
{
    json_t *j = json_object();
    json_object_set_new(j, "from", api_time(f->from, true));
    json_object_set_new(j, "to", api_time(f->to, true));
    json_object_set_new(j, "user", api_str(f->user));
    json_object_set_new(j, "action", api_str(f->action));
    if (f->before_seq)
        json_object_set_new(j, "cursor", json_integer(f->before_seq));
    json_object_set_new(j, "rows", json_integer((json_int_t)rows));
    return j;
}

void api_admin_audit_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct audit_filter f;
    size_t limit = 0;
    int64_t cursor = 0;
    struct audit_row *rows = NULL;
    size_t got = 0;
    if (filter_from_query(rq->query, &f, &err) != 0 ||
        query_limit(rq->query, &limit, &err) != 0 ||
        query_cursor_id(rq->query, &cursor, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    f.before_seq = cursor;
    f.limit = limit + 1; /* one more tells whether there is a next page */
    if (store_audit_list(rq->ctx->S, &f, &rows, &got, &err) != 0) {
        admin_fail(rq, rs, "audit.read", "audit", &err);
        return;
    }
    size_t n = got < limit ? got : limit;
    char next[32] = "";
    if (got > limit)
        query_format_cursor_id(rows[limit - 1].r.seq, next, sizeof next);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, admin_audit_json(&rows[i].r));
    admin_audit(rq, "audit.read", "audit", NULL, filter_json(&f, n), "ok");
    resp_json(rs, 200, api_list(items, next[0] ? next : NULL));
    store_audit_rows_free(rows, got);
}

/* One page of the export, its rows already written oldest first. */
struct page {
    struct buf csv;
};

int admin_audit_export(struct store *S, const struct audit_filter *f, struct buf *out,
                       size_t *rows, struct yw_err *err)
{
    static const char head[] = ADMIN_CSV_BOM ADMIN_CSV_HEADER;
    struct audit_filter pf = *f;
    pf.before_seq = 0;
    pf.limit = AUDIT_PAGE;
    struct page *pages = NULL;
    size_t np = 0, cap = 0, total = sizeof head - 1, count = 0;
    int rc = -1;
    /* The store pages newest first; each page is written oldest first and
     * the pages are joined last to first, so the file reads in seq order
     * while only one page of rows is held at a time. */
    for (;;) {
        struct audit_row *r = NULL;
        size_t n = 0;
        if (store_audit_list(S, &pf, &r, &n, err) != 0)
            goto out;
        if (n == 0)
            break;
        XGROW(pages, cap, np + 1);
        struct buf *b = &pages[np++].csv;
        *b = (struct buf)BUF_INIT(out->max > total ? out->max - total : 0);
        int wrc = 0;
        for (size_t i = n; i-- > 0 && wrc == 0;)
            wrc = admin_csv_audit_row(b, &r[i].r);
        pf.before_seq = r[n - 1].r.seq;
        store_audit_rows_free(r, n);
        if (wrc != 0) {
            yw_fail(err, YW_ELIMIT,
                    "the export passes %zu MiB: narrow it with from/to (导出过大，请缩小时间范围)",
                    out->max / (1024 * 1024));
            goto out;
        }
        total += b->len;
        count += n;
        if (n < AUDIT_PAGE)
            break;
    }
    if (buf_add(out, head, sizeof head - 1) != 0) {
        yw_fail(err, YW_ELIMIT, "the export limit is too small");
        goto out;
    }
    for (size_t i = np; i-- > 0;) {
        if (buf_add(out, pages[i].csv.p ? pages[i].csv.p : "", pages[i].csv.len) != 0) {
            yw_fail(err, YW_ELIMIT, "the export passes its limit");
            goto out;
        }
        buf_release(&pages[i].csv);
    }
    *rows = count;
    rc = 0;
out:
    for (size_t i = 0; i < np; i++)
        buf_release(&pages[i].csv);
    xfree(pages);
    if (rc != 0)
        buf_release(out);
    return rc;
}

void api_admin_audit_csv(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct audit_filter f;
    struct buf csv = BUF_INIT(ADMIN_EXPORT_API_MAX);
    size_t rows = 0;
    if (filter_from_query(rq->query, &f, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (admin_audit_export(rq->ctx->S, &f, &csv, &rows, &err) != 0) {
        if (err.code == YW_ELIMIT) {
            /* Not the request's size: the answer's. A 400 naming the
             * parameter that narrows it tells the client what to do. */
            err.code = YW_EINVAL;
            snprintf(err.field, sizeof err.field, "from");
        }
        admin_fail(rq, rs, "audit.export", "audit", &err);
        return;
    }
    admin_audit(rq, "audit.export", "audit", NULL, filter_json(&f, rows), "ok");
    resp_release(rs);
    rs->status = 200;
    rs->content_type = CT_CSV;
    rs->len = csv.len;
    rs->body = buf_take(&csv);
}

void api_admin_audit_verify(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t bad = 0, checked = 0;
    /* Every failure is a finding: the store reports a broken chain and a
     * database it cannot read alike (YW_EIO), and either way the trail
     * cannot be vouched for. The message says which. */
    int rc = store_audit_verify(rq->ctx->S, &bad, &checked, &err);
    char msg[600];
    if (rc == 0)
        snprintf(msg, sizeof msg, "audit chain intact: %" PRId64 " records", checked);
    else if (bad > 0)
        snprintf(msg, sizeof msg, "audit chain broken at record %" PRId64 ": %s", bad, err.msg);
    else
        snprintf(msg, sizeof msg,
                 "audit chain broken at its end (after %" PRId64 " good records): %s", checked,
                 err.msg);
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_boolean(rc == 0));
    json_object_set_new(j, "checked", json_integer(checked));
    json_object_set_new(j, "bad_seq", bad > 0 && rc != 0 ? json_integer(bad) : json_null());
    json_object_set_new(j, "message", json_string(msg));
    char result[640] = "ok";
    if (rc != 0)
        snprintf(result, sizeof result, "failed: %s", msg);
    admin_audit(rq, "audit.verify", "audit", NULL, NULL, result);
    resp_json(rs, 200, j);
}
