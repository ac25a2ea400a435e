/* The console's route tables and life cycle for the unit tests that link the
 * server without the console (its files, charts and stream): no routes,
 * nothing to start or stop. libyw links api_web.c instead. C has no empty
 * arrays; n is 0. */
#include "http/api_web.h"

#include <string.h>

const struct route api_web_routes[1] = {{0}};
const size_t api_web_nroutes = 0;
const struct route api_web_console_routes[1] = {{0}};
const size_t api_web_console_nroutes = 0;

bool api_web_is_api_path(const char *path)
{
    return path && strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

void api_web_start(struct api_ctx *ctx, struct engine *E)
{
    (void)ctx, (void)E;
}

void api_web_shutdown(struct api_ctx *ctx)
{
    (void)ctx;
}

void api_web_stop(struct api_ctx *ctx, struct engine *E)
{
    (void)ctx, (void)E;
}
