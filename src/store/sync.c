/*
 * sync — makes the provisioned objects match the config file, by name, in
 * one transaction: all of it happens or none of it.
 *
 * An object is changed only when its canonical JSON differs from the stored
 * one, so a reload that changes nothing touches nothing (updated times stay,
 * the engine keeps its state). A heartbeat without a token in the file keeps
 * the token it was given. Pausing through the API is operation: a reload
 * keeps it unless the file's own `paused:` changed.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_int.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names declared, sorted for bsearch (borrowed pointers). */
static char **sorted_names(const void *arr, size_t n, size_t elem, size_t name_off)
{
    char **names = xcalloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = *(char *const *)((const char *)arr + i * elem + name_off);
    qsort(names, n, sizeof *names, cmp_name);
    return names;
}

static bool declared(char **names, size_t n, const char *name)
{
    return n && bsearch(&name, names, n, sizeof *names, cmp_name) != NULL;
}

/* An object created through the API may not be taken over by the file. */
static int check_conflicts(struct conn *c, enum stmt_id find, const char *kind, char **names,
                           size_t n, struct yw_err *err)
{
    for (size_t i = 0; i < n; i++) {
        bool prov = false, found;
        if (store_obj_find(c, find, names[i], NULL, &prov, NULL, &found, err))
            return -1;
        if (found && !prov)
            return yw_fail_field(err, YW_ECONFLICT, "name",
                                 "%s \"%s\" was created through the API and the config file "
                                 "declares it too; delete one of them",
                                 kind, names[i]);
    }
    return 0;
}

static int sync_system(struct conn *c, const struct system_spec *s, ms_t now, struct yw_err *err)
{
    int64_t id = 0;
    bool found;
    char *old = NULL;
    if (store_obj_find(c, STMT_SYS_FIND, s->name, &id, NULL, &old, &found, err))
        return -1;
    struct system_spec tmp = *s;
    tmp.provisioned = true;
    char *json = store_obj_system_json(&tmp);
    int rc = 0;
    if (!found || !json || !old || strcmp(json, old) != 0)
        rc = store_obj_system_put(c, found ? id : 0, s, true, true, now, NULL, err);
    xfree(json);
    xfree(old);
    return rc;
}

static int sync_monitor(struct conn *c, const struct monitor_spec *m, ms_t now, struct yw_err *err)
{
    int64_t id = 0;
    bool found;
    char *old = NULL;
    if (store_obj_find(c, STMT_MON_FIND, m->name, &id, NULL, &old, &found, err))
        return -1;
    if (found) { /* compare with the plain spec, not its sealed form */
        char *plain = store_obj_spec_open(c, old, err);
        xfree(old);
        if (!plain)
            return -1;
        old = plain;
    }
    if (!found) {
        int rc = store_obj_monitor_put(c, 0, m, true, true, -1, now, NULL, err);
        return rc;
    }
    struct monitor_spec prev = {0};
    if (store_obj_monitor_parse(old, &prev, err)) {
        xfree(old);
        return -1;
    }
    struct monitor_spec tmp = *m; /* shallow: read only */
    tmp.provisioned = true;
    if (m->type == MT_HEARTBEAT && !m->heartbeat.token && prev.type == MT_HEARTBEAT)
        tmp.heartbeat.token = prev.heartbeat.token;
    char *json = store_obj_monitor_json(&tmp);
    int rc = 0;
    if (!json || strcmp(json, old) != 0)
        rc = store_obj_monitor_put(c, id, &tmp, true, true,
                                   prev.paused != m->paused ? m->paused : -2, now, NULL, err);
    xfree(json);
    xfree(old);
    monitor_spec_release(&prev);
    return rc;
}

static int sync_maint(struct conn *c, const struct maint_spec *w, ms_t now, struct yw_err *err)
{
    int64_t id = 0;
    bool found;
    char *old = NULL;
    if (store_obj_find(c, STMT_MNT_FIND, w->name, &id, NULL, &old, &found, err))
        return -1;
    struct maint_spec tmp = *w;
    tmp.provisioned = true;
    char *json = store_obj_maint_json(&tmp);
    int rc = 0;
    if (!found || !json || !old || strcmp(json, old) != 0)
        rc = store_obj_maint_put(c, found ? id : 0, w, true, true, now, NULL, err);
    xfree(json);
    xfree(old);
    return rc;
}

typedef int (*delete_fn)(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err);

/* Soft-deletes the provisioned objects of one kind the file no longer declares. */
static int remove_undeclared(struct conn *c, enum stmt_id list, delete_fn del, char **names,
                             size_t n, ms_t now, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, list, err);
    if (!st)
        return -1;
    int64_t *ids = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!declared(names, n, (const char *)sqlite3_column_text(st, 1))) {
            XGROW(ids, cap, len + 1);
            ids[len++] = sqlite3_column_int64(st, 0);
        }
    }
    store_stmt_done(st);
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading provisioned objects");
    /* Deleted after the scan: the list statement is not stepped over
     * rows it is changing. */
    for (size_t i = 0; result == 0 && i < len; i++)
        result = del(c, ids[i], true, now, err);
    xfree(ids);
    return result;
}

static int sync_all(struct conn *c, const struct config *cf, ms_t now, struct yw_err *err)
{
    for (size_t i = 0; i < cf->nsystems; i++)
        if (!cf->systems[i].name)
            return yw_fail_field(err, YW_EINVAL, "name", "system %zu has no name", i + 1);
    for (size_t i = 0; i < cf->nmonitors; i++)
        if (!cf->monitors[i].name)
            return yw_fail_field(err, YW_EINVAL, "name", "monitor %zu has no name", i + 1);
    for (size_t i = 0; i < cf->nmaint; i++)
        if (!cf->maint[i].name)
            return yw_fail_field(err, YW_EINVAL, "name", "maintenance window %zu has no name",
                                 i + 1);
    char **sys = sorted_names(cf->systems, cf->nsystems, sizeof *cf->systems,
                              offsetof(struct system_spec, name));
    char **mon = sorted_names(cf->monitors, cf->nmonitors, sizeof *cf->monitors,
                              offsetof(struct monitor_spec, name));
    char **mnt =
        sorted_names(cf->maint, cf->nmaint, sizeof *cf->maint, offsetof(struct maint_spec, name));
    int rc = check_conflicts(c, STMT_SYS_FIND, "system", sys, cf->nsystems, err);
    if (rc == 0)
        rc = check_conflicts(c, STMT_MON_FIND, "monitor", mon, cf->nmonitors, err);
    if (rc == 0)
        rc = check_conflicts(c, STMT_MNT_FIND, "maintenance window", mnt, cf->nmaint, err);

    /* Create and update in dependency order (monitors name systems, windows
     * name both), then remove in the reverse order. */
    for (size_t i = 0; rc == 0 && i < cf->nsystems; i++)
        rc = sync_system(c, &cf->systems[i], now, err);
    for (size_t i = 0; rc == 0 && i < cf->nmonitors; i++)
        rc = sync_monitor(c, &cf->monitors[i], now, err);
    for (size_t i = 0; rc == 0 && i < cf->nmaint; i++)
        rc = sync_maint(c, &cf->maint[i], now, err);
    if (rc == 0)
        rc = remove_undeclared(c, STMT_MNT_PROVISIONED, store_obj_maint_delete, mnt, cf->nmaint,
                               now, err);
    if (rc == 0)
        rc = remove_undeclared(c, STMT_MON_PROVISIONED, store_obj_monitor_delete, mon,
                               cf->nmonitors, now, err);
    if (rc == 0)
        rc = remove_undeclared(c, STMT_SYS_PROVISIONED, store_obj_system_delete, sys, cf->nsystems,
                               now, err);
    xfree(sys);
    xfree(mon);
    xfree(mnt);
    return rc;
}

int store_sync_config(struct store *S, const struct config *cf, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = store_tx_begin(c, err);
    if (rc == 0)
        rc = store_tx_end(c, sync_all(c, cf, time_now_ms(), err), err);
    store_pool_put(S, c);
    return rc;
}
