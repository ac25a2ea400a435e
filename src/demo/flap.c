/* flap — the TCP port that goes down on a schedule (see demo_flap_down_at).
 *
 * "Down" means no listener: a connect is refused, as when a database has
 * stopped. The port must come back as the same number, yet a closed port can
 * be taken meanwhile as the source port of some outgoing connection. So a
 * second socket, bound with SO_REUSEPORT and never listening, holds the port
 * for the whole life of the demo; the listener binds beside it when up. A
 * bound socket that does not listen receives no connections, so the holder
 * changes nothing a client can see. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "demo/demo_int.h"

#define TICK_MS 100 /* how late a change of state may be, and how fast stop is */

static int bound_socket(int port, int flags)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int open_listener(int port)
{
    int fd = bound_socket(port, SOCK_NONBLOCK);
    if (fd < 0)
        return -1;
    if (listen(fd, 128) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Brings the listener to the state the schedule wants now. Returns 0, or the
 * errno of a failed reopen (warned once; the next tick retries). */
static int apply_schedule(struct demo *D, bool *warned)
{
    int e = 0;
    bool down = demo_flap_down_at(D->flap_period_s, D->flap_down_s, time_now_ms());
    if (down && D->flap_listener >= 0) {
        close(D->flap_listener);
        D->flap_listener = -1;
        log_info("demo: port %d closed (simulated outage, %d s)", D->port[DEMO_FLAP],
                 D->flap_down_s);
    } else if (!down && D->flap_listener < 0) {
        D->flap_listener = open_listener(D->port[DEMO_FLAP]);
        if (D->flap_listener < 0) {
            e = errno;
            if (!*warned)
                log_warn("demo: cannot reopen port %d: %s (retrying)", D->port[DEMO_FLAP],
                         strerror(e));
            *warned = true;
        } else {
            *warned = false;
            log_info("demo: port %d open", D->port[DEMO_FLAP]);
        }
    }
    return e;
}

static void *flap_main(void *arg)
{
    struct demo *D = arg;
    bool warned = false;
    static const char banner[] = "demo-db 1.0 ready\r\n";
    while (!atomic_load(&D->stop_flag)) {
        (void)apply_schedule(D, &warned);
        if (D->flap_listener < 0) {
            if (demo_sleep(D, TICK_MS))
                break;
            continue;
        }
        struct pollfd p = {.fd = D->flap_listener, .events = POLLIN};
        if (poll(&p, 1, TICK_MS) <= 0)
            continue;
        /* Greet and hang up: a port check needs nothing more. */
        for (int i = 0; i < 64; i++) {
            int c = accept4(D->flap_listener, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                break;
            ssize_t w = send(c, banner, sizeof banner - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            close(c);
        }
    }
    return NULL;
}

int demo_flap_start(struct demo *D, struct yw_err *err)
{
    D->flap_holder = bound_socket(0, 0);
    if (D->flap_holder < 0)
        return yw_fail(err, YW_EIO, "demo: cannot bind a port on 127.0.0.1: %s",
                       strerror(errno));
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(D->flap_holder, (struct sockaddr *)&sa, &len) < 0)
        return yw_fail(err, YW_EIO, "demo: getsockname: %s", strerror(errno));
    D->port[DEMO_FLAP] = ntohs(sa.sin_port);

    /* Settle the state before returning, so the first check sees the truth. */
    bool warned = true; /* the error is reported here, not logged */
    int e = apply_schedule(D, &warned);
    if (e)
        return yw_fail(err, YW_EIO, "demo: cannot listen on port %d: %s", D->port[DEMO_FLAP],
                       strerror(e));
    int rc = pthread_create(&D->flap_thread, NULL, flap_main, D);
    if (rc)
        return yw_fail(err, YW_EIO, "demo: cannot start a thread: %s", strerror(rc));
    D->flap_started = true;
    return 0;
}

void demo_flap_stop(struct demo *D)
{
    if (D->flap_started)
        pthread_join(D->flap_thread, NULL);
    D->flap_started = false;
    if (D->flap_listener >= 0)
        close(D->flap_listener);
    if (D->flap_holder >= 0)
        close(D->flap_holder);
    D->flap_listener = D->flap_holder = -1;
}
