/*
 * duty — the 7×24 duty roster (值班表) and people's contacts.
 *
 * A shift gives one person one position (primary 主班, backup 备班, lead
 * 技术负责人) for [start, end). Shifts may overlap: who holds a position at
 * an instant is the holder of the latest-starting shift covering it, so a
 * swap is just a new shift over the old one. A hand-over (交接班) is a
 * record of who handed the position to whom, when, with a note; the roster
 * itself is what the shifts say.
 *
 * A rotation fills a period with shifts of one length, the people in turn
 * (A, B, C, A, …), e.g. 12 h shifts from 2026-11-01 08:00 for 30 days.
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "notify/notify_admin.h"
#include "notify/notify_int.h"

static const char *const position_names[DUTY__COUNT] = {"primary", "backup", "lead"};
static const char *const position_zh[DUTY__COUNT] = {"主班", "备班", "技术负责人"};

const char *duty_position_name(enum duty_position p)
{
    return (unsigned)p < DUTY__COUNT ? position_names[p] : "?";
}

const char *notify_duty_position_zh(enum duty_position p)
{
    return (unsigned)p < DUTY__COUNT ? position_zh[p] : "?";
}

int notify_duty_position_parse(const char *s, enum duty_position *out)
{
    for (int i = 0; s && i < DUTY__COUNT; i++)
        if (strcmp(s, position_names[i]) == 0 || strcmp(s, position_zh[i]) == 0) {
            *out = (enum duty_position)i;
            return 0;
        }
    return -1;
}

/* ---- who is on duty ------------------------------------------------------------------ */

struct at_args {
    enum duty_position pos;
    ms_t at;
    struct store_shift s;
};

static int do_at(struct conn *c, void *arg, struct yw_err *err)
{
    struct at_args *a = arg;
    return store_shift_at(c, a->pos, a->at, &a->s, err);
}

int notify_on_duty(struct store *S, enum duty_position pos, ms_t at, int64_t *user_id,
                   char *login, size_t n, struct yw_err *err)
{
    struct at_args a = {.pos = pos, .at = at};
    if (store_notify_tx(S, false, do_at, &a, err))
        return -1;
    if (user_id)
        *user_id = a.s.user_id;
    if (login && n)
        snprintf(login, n, "%s", a.s.login);
    store_shift_release(&a.s);
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------------- */

static json_t *time_json(ms_t t)
{
    if (!t)
        return json_null();
    char s[64];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

/* The account's display name, when it has one. */
static json_t *display_name(struct conn *c, int64_t user_id)
{
    struct store_person p = {0};
    json_t *out = json_null();
    if (user_id && store_person_get(c, user_id, NULL, &p, NULL) == 0 && p.display_name)
        out = json_string(p.display_name);
    store_person_release(&p);
    return out;
}

json_t *notify_shift_json(struct conn *c, const struct store_shift *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(s->id));
    json_object_set_new(j, "user_id", json_integer(s->user_id));
    json_object_set_new(j, "user", json_string(s->login));
    json_object_set_new(j, "user_name", c ? display_name(c, s->user_id) : json_null());
    json_object_set_new(j, "position", json_string(duty_position_name(s->position)));
    json_object_set_new(j, "position_zh", json_string(notify_duty_position_zh(s->position)));
    json_object_set_new(j, "start", time_json(s->start));
    json_object_set_new(j, "end", time_json(s->end));
    json_object_set_new(j, "note", s->note ? json_string(s->note) : json_null());
    json_object_set_new(j, "provisioned", json_boolean(s->provisioned));
    json_object_set_new(j, "created", time_json(s->created));
    json_object_set_new(j, "updated", time_json(s->updated));
    return j;
}

/* The account named by body[key_login] (a login) or body[key_id]: its id. */
static int user_ref(struct conn *c, const json_t *j, const char *key_login, const char *key_id,
                    const char *prefix, bool required, int64_t *out, struct yw_err *err)
{
    *out = 0;
    char *login = NULL;
    long long id = 0;
    if (notify_j_str(j, key_login, prefix, false, 64, &login, err))
        return -1;
    if (key_id && notify_j_int(j, key_id, prefix, 1, INT64_MAX, 0, &id, err)) {
        xfree(login);
        return -1;
    }
    if (!login && !id) {
        if (required)
            return notify_fail_field(err, prefix, key_login, "is required");
        return 0;
    }
    struct store_person p = {0};
    struct yw_err e = YW_ERR_INIT;
    int rc = store_person_get(c, login ? 0 : id, login, &p, &e);
    if (rc == 0 && login && id && p.user_id != id)
        rc = notify_fail_field(err, prefix, key_id, "names another account than %s", key_login);
    else if (rc == 0)
        *out = p.user_id;
    else if (e.code == YW_ENOTFOUND)
        rc = notify_fail_field(err, prefix, login ? key_login : key_id, "no such account%s%.64s",
                               login ? " " : "", login ? login : "");
    else if (err)
        *err = e;
    store_person_release(&p);
    xfree(login);
    return rc;
}

static int position_field(const json_t *j, const char *prefix, bool required,
                          enum duty_position *out, struct yw_err *err)
{
    char *s = NULL;
    if (notify_j_str(j, "position", prefix, required, 32, &s, err))
        return -1;
    *out = DUTY_PRIMARY;
    int rc = 0;
    if (s && notify_duty_position_parse(s, out) != 0)
        rc = notify_fail_field(err, prefix, "position", "must be primary, backup or lead");
    xfree(s);
    return rc;
}

int notify_shift_parse(struct conn *c, const json_t *j, const char *prefix, struct store_shift *out,
                       struct yw_err *err)
{
    static const char *const keys[] = {"user",        "user_id", "user_name", "position",
                                       "position_zh", "start",   "end",       "note",
                                       "id",          "provisioned", "created", "updated",
                                       NULL};
    memset(out, 0, sizeof *out);
    if (notify_j_keys(j, keys, prefix, err) ||
        user_ref(c, j, "user", "user_id", prefix, true, &out->user_id, err) ||
        position_field(j, prefix, true, &out->position, err) ||
        notify_j_time(j, "start", prefix, true, &out->start, err) ||
        notify_j_time(j, "end", prefix, true, &out->end, err) ||
        notify_j_str(j, "note", prefix, false, NOTIFY_NOTE_MAX, &out->note, err))
        goto fail;
    if (out->end <= out->start) {
        notify_fail_field(err, prefix, "end", "must be after start");
        goto fail;
    }
    if (out->end - out->start > NOTIFY_SHIFT_LEN_MAX) {
        notify_fail_field(err, prefix, "end", "a shift is at most 31 days long");
        goto fail;
    }
    return 0;
fail:
    store_shift_release(out);
    return -1;
}

/* ---- shifts through the API ---------------------------------------------------------- */

struct shift_args {
    const json_t *body;
    int64_t id;
    ms_t from, to, now;
    json_t *before, *after, *items;
};

static int shift_answer(struct conn *c, int64_t id, json_t **out, struct yw_err *err)
{
    struct store_shift s = {0};
    if (store_shift_get(c, id, &s, err))
        return -1;
    *out = notify_shift_json(c, &s);
    store_shift_release(&s);
    return 0;
}

static int do_shift_list(struct conn *c, void *arg, struct yw_err *err)
{
    struct shift_args *a = arg;
    struct store_shift *rows = NULL;
    size_t n = 0;
    if (store_shift_list(c, a->from, a->to, -1, 10000, &rows, &n, err))
        return -1;
    a->items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a->items, notify_shift_json(c, &rows[i]));
    store_shifts_free(rows, n);
    return 0;
}

int notify_shift_list(struct store *S, ms_t from, ms_t to, json_t **items, struct yw_err *err)
{
    struct shift_args a = {.from = from, .to = to};
    if (store_notify_tx(S, false, do_shift_list, &a, err)) {
        json_decref(a.items);
        return -1;
    }
    *items = a.items;
    return 0;
}

static int do_duty_now(struct conn *c, void *arg, struct yw_err *err)
{
    struct shift_args *a = arg;
    json_t *pos = json_object();
    for (int p = 0; p < DUTY__COUNT; p++) {
        struct store_shift s = {0};
        struct yw_err e = YW_ERR_INIT;
        if (store_shift_at(c, (enum duty_position)p, a->now, &s, &e) == 0) {
            json_object_set_new(pos, position_names[p], notify_shift_json(c, &s));
        } else if (e.code == YW_ENOTFOUND) {
            json_object_set_new(pos, position_names[p], json_null());
        } else {
            if (err)
                *err = e;
            json_decref(pos);
            return -1;
        }
        store_shift_release(&s);
    }
    a->after = json_object();
    json_object_set_new(a->after, "at", time_json(a->now));
    json_object_set_new(a->after, "positions", pos);
    return 0;
}

int notify_duty_now(struct store *S, ms_t at, json_t **out, struct yw_err *err)
{
    struct shift_args a = {.now = at};
    if (store_notify_tx(S, false, do_duty_now, &a, err))
        return -1;
    *out = a.after;
    return 0;
}

static int refuse_provisioned_shift(const struct store_shift *s, struct yw_err *err)
{
    if (!s->provisioned)
        return 0;
    return yw_fail(err, YW_ECONFLICT,
                   "shift %lld is provisioned (declared in the config file): change it there",
                   (long long)s->id);
}

static int do_shift_put(struct conn *c, void *arg, struct yw_err *err)
{
    struct shift_args *a = arg;
    if (a->id) {
        struct store_shift cur = {0};
        if (store_shift_get(c, a->id, &cur, err))
            return -1;
        int rc = refuse_provisioned_shift(&cur, err);
        if (rc == 0)
            a->before = notify_shift_json(c, &cur);
        store_shift_release(&cur);
        if (rc)
            return -1;
    }
    struct store_shift s;
    if (notify_shift_parse(c, a->body, "", &s, err))
        return -1;
    s.id = a->id;
    int64_t id = 0;
    int rc = store_shift_put(c, &s, time_now_ms(), &id, err);
    store_shift_release(&s);
    if (rc == 0)
        rc = shift_answer(c, id, &a->after, err);
    return rc;
}

int notify_shift_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err)
{
    struct shift_args a = {.body = body};
    if (store_notify_tx(S, true, do_shift_put, &a, err)) {
        json_decref(a.before);
        json_decref(a.after);
        return -1;
    }
    json_decref(a.before);
    *out = a.after;
    return 0;
}

int notify_shift_update(struct store *S, int64_t id, const json_t *body, json_t **before,
                        json_t **after, struct yw_err *err)
{
    struct shift_args a = {.body = body, .id = id};
    if (store_notify_tx(S, true, do_shift_put, &a, err)) {
        json_decref(a.before);
        json_decref(a.after);
        return -1;
    }
    if (before)
        *before = a.before;
    else
        json_decref(a.before);
    if (after)
        *after = a.after;
    else
        json_decref(a.after);
    return 0;
}

static int do_shift_delete(struct conn *c, void *arg, struct yw_err *err)
{
    struct shift_args *a = arg;
    struct store_shift cur = {0};
    if (store_shift_get(c, a->id, &cur, err))
        return -1;
    int rc = refuse_provisioned_shift(&cur, err);
    if (rc == 0) {
        a->before = notify_shift_json(c, &cur);
        rc = store_shift_delete(c, a->id, err);
    }
    store_shift_release(&cur);
    return rc;
}

int notify_shift_delete(struct store *S, int64_t id, json_t **before, struct yw_err *err)
{
    struct shift_args a = {.id = id};
    if (store_notify_tx(S, true, do_shift_delete, &a, err)) {
        json_decref(a.before);
        return -1;
    }
    if (before)
        *before = a.before;
    else
        json_decref(a.before);
    return 0;
}

/* ---- rotation ------------------------------------------------------------------------ */

int notify_rotation_insert(struct conn *c, const json_t *j, const char *prefix, bool provisioned,
                           ms_t now, int64_t *created, int64_t *deleted, ms_t *from, ms_t *to,
                           struct yw_err *err)
{
    static const char *const keys[] = {"people", "position", "shift", "start",
                                       "days",   "replace",  "note",  NULL};
    char **people = NULL;
    size_t np = 0;
    enum duty_position pos;
    ms_t len = 0, start = 0;
    long long days = 0;
    bool replace = false;
    char *note = NULL;
    int64_t *ids = NULL;
    int rc = -1;
    if (notify_j_keys(j, keys, prefix, err) ||
        notify_j_strv(j, "people", prefix, NOTIFY_ROTATION_PEOPLE_MAX, 64, &people, &np, err) ||
        position_field(j, prefix, false, &pos, err) ||
        notify_j_duration(j, "shift", prefix, MS_PER_H, 7 * MS_PER_DAY, 24 * MS_PER_H, &len,
                          err) ||
        notify_j_time(j, "start", prefix, true, &start, err) ||
        notify_j_int(j, "days", prefix, 1, NOTIFY_ROTATION_DAYS_MAX, 0, &days, err) ||
        notify_j_bool(j, "replace", prefix, false, &replace, err) ||
        notify_j_str(j, "note", prefix, false, NOTIFY_NOTE_MAX, &note, err))
        goto out;
    if (np == 0) {
        notify_fail_field(err, prefix, "people", "names nobody");
        goto out;
    }
    if (days == 0) {
        notify_fail_field(err, prefix, "days", "is required");
        goto out;
    }
    ms_t end = start + (ms_t)days * MS_PER_DAY;
    int64_t count = (end - start + len - 1) / len;
    if (count > NOTIFY_ROTATION_SHIFTS_MAX) {
        notify_fail_field(err, prefix, "days",
                          "more than %d shifts: make the period shorter or the shifts longer",
                          NOTIFY_ROTATION_SHIFTS_MAX);
        if (err)
            err->code = YW_ELIMIT;
        goto out;
    }
    ids = xcalloc(np, sizeof *ids);
    for (size_t i = 0; i < np; i++) {
        char key[32];
        snprintf(key, sizeof key, "people[%zu]", i);
        struct store_person p = {0};
        struct yw_err e = YW_ERR_INIT;
        if (store_person_get(c, 0, people[i], &p, &e) != 0) {
            if (e.code == YW_ENOTFOUND)
                notify_fail_field(err, prefix, key, "no such account %.64s", people[i]);
            else if (err)
                *err = e;
            store_person_release(&p);
            goto out;
        }
        ids[i] = p.user_id;
        store_person_release(&p);
    }
    int64_t gone = 0;
    if (replace && store_shift_delete_range(c, (int)pos, start, end, provisioned, &gone, err))
        goto out;
    for (int64_t k = 0; k < count; k++) {
        struct store_shift s = {
            .user_id = ids[k % (int64_t)np],
            .position = pos,
            .start = start + k * len,
            .end = start + (k + 1) * len < end ? start + (k + 1) * len : end,
            .note = note,
            .provisioned = provisioned,
        };
        if (store_shift_put(c, &s, now, NULL, err))
            goto out;
    }
    if (created)
        *created = count;
    if (deleted)
        *deleted = gone;
    if (from)
        *from = start;
    if (to)
        *to = end;
    rc = 0;
out:
    notify_strv_free(people, np);
    xfree(note);
    xfree(ids);
    return rc;
}

struct rot_args {
    const json_t *body;
    json_t *out;
};

static int do_rotation(struct conn *c, void *arg, struct yw_err *err)
{
    struct rot_args *a = arg;
    int64_t created = 0, deleted = 0;
    ms_t from = 0, to = 0;
    if (notify_rotation_insert(c, a->body, "", false, time_now_ms(), &created, &deleted, &from,
                               &to, err))
        return -1;
    a->out = json_object();
    json_object_set_new(a->out, "created", json_integer(created));
    json_object_set_new(a->out, "deleted", json_integer(deleted));
    json_object_set_new(a->out, "from", time_json(from));
    json_object_set_new(a->out, "to", time_json(to));
    return 0;
}

int notify_rotation(struct store *S, const json_t *body, json_t **out, struct yw_err *err)
{
    struct rot_args a = {.body = body};
    if (store_notify_tx(S, true, do_rotation, &a, err)) {
        json_decref(a.out);
        return -1;
    }
    *out = a.out;
    return 0;
}

/* ---- hand-over ----------------------------------------------------------------------- */

static json_t *handover_json(const struct store_handover *h)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(h->id));
    json_object_set_new(j, "position", json_string(duty_position_name(h->position)));
    json_object_set_new(j, "position_zh", json_string(notify_duty_position_zh(h->position)));
    json_object_set_new(j, "from_user_id", h->from_user_id ? json_integer(h->from_user_id)
                                                           : json_null());
    json_object_set_new(j, "from", h->from_user_id ? json_string(h->from_login) : json_null());
    json_object_set_new(j, "to_user_id", json_integer(h->to_user_id));
    json_object_set_new(j, "to", json_string(h->to_login));
    json_object_set_new(j, "at", time_json(h->at));
    json_object_set_new(j, "note", h->note ? json_string(h->note) : json_null());
    json_object_set_new(j, "by", h->by ? json_string(h->by) : json_null());
    json_object_set_new(j, "created", time_json(h->created));
    return j;
}

struct ho_args {
    const json_t *body;
    const char *by;
    ms_t now, from, to;
    size_t limit;
    json_t *out;
};

static int do_handover(struct conn *c, void *arg, struct yw_err *err)
{
    struct ho_args *a = arg;
    static const char *const keys[] = {"position", "from", "to", "at", "note", NULL};
    struct store_handover h = {.at = a->now, .created = a->now};
    int rc = -1;
    if (notify_j_keys(a->body, keys, "", err) ||
        position_field(a->body, "", false, &h.position, err) ||
        user_ref(c, a->body, "to", NULL, "", true, &h.to_user_id, err) ||
        user_ref(c, a->body, "from", NULL, "", false, &h.from_user_id, err) ||
        notify_j_time(a->body, "at", "", false, &h.at, err) ||
        notify_j_str(a->body, "note", "", false, NOTIFY_NOTE_MAX, &h.note, err))
        goto out;
    if (!h.from_user_id) {
        struct store_shift s = {0};
        if (store_shift_at(c, h.position, h.at, &s, NULL) == 0)
            h.from_user_id = s.user_id;
        store_shift_release(&s);
    }
    if (h.from_user_id == h.to_user_id) {
        notify_fail_field(err, "", "to", "is the one handing over");
        goto out;
    }
    h.by = a->by ? xstrdup(a->by) : NULL;
    int64_t id = 0;
    if (store_handover_add(c, &h, &id, err))
        goto out;
    struct store_handover got = {0};
    if (store_handover_get(c, id, &got, err))
        goto out;
    a->out = handover_json(&got);
    store_handover_release(&got);
    rc = 0;
out:
    store_handover_release(&h);
    return rc;
}

int notify_handover(struct store *S, const json_t *body, const char *by, ms_t now, json_t **out,
                    struct yw_err *err)
{
    struct ho_args a = {.body = body, .by = by, .now = now};
    if (store_notify_tx(S, true, do_handover, &a, err)) {
        json_decref(a.out);
        return -1;
    }
    *out = a.out;
    return 0;
}

static int do_handover_list(struct conn *c, void *arg, struct yw_err *err)
{
    struct ho_args *a = arg;
    struct store_handover *rows = NULL;
    size_t n = 0;
    if (store_handover_list(c, a->from, a->to, a->limit, &rows, &n, err))
        return -1;
    a->out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a->out, handover_json(&rows[i]));
    store_handovers_free(rows, n);
    return 0;
}

int notify_handover_list(struct store *S, ms_t from, ms_t to, size_t limit, json_t **items,
                         struct yw_err *err)
{
    struct ho_args a = {.from = from, .to = to, .limit = limit};
    if (store_notify_tx(S, false, do_handover_list, &a, err)) {
        json_decref(a.out);
        return -1;
    }
    *items = a.out;
    return 0;
}

/* ---- contacts ------------------------------------------------------------------------ */

static json_t *contact_json(const struct store_person *p)
{
    json_t *j = json_object();
    json_object_set_new(j, "user_id", json_integer(p->user_id));
    json_object_set_new(j, "user", json_string(p->login));
    json_object_set_new(j, "name", p->display_name ? json_string(p->display_name) : json_null());
    json_object_set_new(j, "disabled", json_boolean(p->disabled));
    const char *keys[] = {"email", "mobile", "dingtalk_id", "wecom_id", "feishu_id"};
    const char *vals[] = {p->email, p->mobile, p->dingtalk_id, p->wecom_id, p->feishu_id};
    for (int i = 0; i < 5; i++)
        json_object_set_new(j, keys[i], vals[i] ? json_string(vals[i]) : json_null());
    json_object_set_new(j, "updated", time_json(p->contact_updated));
    return j;
}

static bool mobile_valid(const char *s)
{
    size_t n = strlen(s), digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!(i == 0 && s[i] == '+'))
            return false;
    }
    return digits >= 5 && digits <= 20;
}

static bool im_id_valid(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>\"'\\", *p))
            return false;
    return true;
}

int notify_contact_parse(const json_t *j, struct store_person *p, struct yw_err *err)
{
    static const char *const keys[] = {"email",    "mobile",  "dingtalk_id", "wecom_id",
                                       "feishu_id", "user_id", "user",        "name",
                                       "disabled", "updated", NULL};
    if (notify_j_keys(j, keys, "", err) ||
        notify_j_str(j, "email", "", false, NOTIFY_ADDR_MAX, &p->email, err) ||
        notify_j_str(j, "mobile", "", false, 24, &p->mobile, err) ||
        notify_j_str(j, "dingtalk_id", "", false, 64, &p->dingtalk_id, err) ||
        notify_j_str(j, "wecom_id", "", false, 64, &p->wecom_id, err) ||
        notify_j_str(j, "feishu_id", "", false, 64, &p->feishu_id, err))
        return -1;
    if (p->email && !notify_email_valid(p->email))
        return notify_fail_field(err, "", "email", "is not an email address");
    if (p->mobile && !mobile_valid(p->mobile))
        return notify_fail_field(err, "", "mobile", "must be 5 to 20 digits, + first allowed");
    const char *ids[] = {p->dingtalk_id, p->wecom_id, p->feishu_id};
    const char *names[] = {"dingtalk_id", "wecom_id", "feishu_id"};
    for (int i = 0; i < 3; i++)
        if (ids[i] && !im_id_valid(ids[i]))
            return notify_fail_field(err, "", names[i], "must be printable ASCII without spaces");
    return 0;
}

struct contact_args {
    int64_t user_id;
    const char *login;
    const json_t *body;
    json_t *before, *after;
};

static int do_contact_list(struct conn *c, void *arg, struct yw_err *err)
{
    struct contact_args *a = arg;
    struct store_person *rows = NULL;
    size_t n = 0;
    if (store_person_list(c, &rows, &n, err))
        return -1;
    a->after = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a->after, contact_json(&rows[i]));
    store_people_free(rows, n);
    return 0;
}

int notify_contact_list(struct store *S, json_t **items, struct yw_err *err)
{
    struct contact_args a = {0};
    if (store_notify_tx(S, false, do_contact_list, &a, err)) {
        json_decref(a.after);
        return -1;
    }
    *items = a.after;
    return 0;
}

static int do_contact_get(struct conn *c, void *arg, struct yw_err *err)
{
    struct contact_args *a = arg;
    struct store_person p = {0};
    if (store_person_get(c, a->user_id, a->login, &p, err))
        return -1;
    a->before = contact_json(&p);
    int64_t uid = p.user_id;
    store_person_release(&p);
    if (!a->body)
        return 0;
    struct store_person np = {.user_id = uid};
    int rc = notify_contact_parse(a->body, &np, err);
    if (rc == 0)
        rc = store_contact_put(c, &np, time_now_ms(), err);
    store_person_release(&np);
    if (rc)
        return -1;
    struct store_person got = {0};
    if (store_person_get(c, uid, NULL, &got, err))
        return -1;
    a->after = contact_json(&got);
    store_person_release(&got);
    return 0;
}

int notify_contact_get(struct store *S, int64_t user_id, const char *login, json_t **out,
                       struct yw_err *err)
{
    struct contact_args a = {.user_id = user_id, .login = login};
    if (store_notify_tx(S, false, do_contact_get, &a, err))
        return -1;
    *out = a.before;
    return 0;
}

int notify_contact_put(struct store *S, int64_t user_id, const char *login, const json_t *body,
                       json_t **before, json_t **after, struct yw_err *err)
{
    struct contact_args a = {.user_id = user_id, .login = login, .body = body};
    if (store_notify_tx(S, true, do_contact_get, &a, err)) {
        json_decref(a.before);
        json_decref(a.after);
        return -1;
    }
    if (before)
        *before = a.before;
    else
        json_decref(a.before);
    if (after)
        *after = a.after;
    else
        json_decref(a.after);
    return 0;
}
