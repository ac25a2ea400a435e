/* The administration route table while src/http/api_admin_*.c do not exist
 * (meson links this file only then, and the unit tests that must not depend
 * on those handlers): no routes. C has no empty arrays; n is 0. */
#include "http/api_admin.h"

const struct route api_admin_routes[1] = {{0}};
const size_t api_admin_nroutes = 0;
