/*
 * desk_std — the desk's hooks to the real notifier and calendar (kept out
 * of desk.c so that tests of the desk link without the notifier).
 */
#include <string.h>

#include "desk/desk.h"
#include "notify/notify.h"

static int std_notify(void *arg, const struct notify_event *ev)
{
    struct desk_std *std = arg;
    struct yw_err err = YW_ERR_INIT;
    return std->N ? notify_submit(std->N, ev, &err) : 0;
}

static void std_ack(void *arg, int64_t incident_id)
{
    struct desk_std *std = arg;
    if (std->N)
        notify_ack(std->N, incident_id);
}

static int std_on_duty(void *arg, enum duty_position pos, ms_t at, int64_t *user_id, char *login,
                       size_t n)
{
    struct desk_std *std = arg;
    struct yw_err err = YW_ERR_INIT;
    return notify_on_duty(std->S, pos, at, user_id, login, n, &err);
}

void desk_std_hooks(struct desk_std *std, struct store *S, struct notifier *N, struct calendar *C)
{
    memset(std, 0, sizeof *std);
    std->S = S;
    std->N = N;
    std->hooks.notify = std_notify;
    std->hooks.ack = std_ack;
    std->hooks.on_duty = std_on_duty;
    std->hooks.cal = C;
    std->hooks.arg = std;
}
