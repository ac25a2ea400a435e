/*
 * fuzz_config — the config parser under libFuzzer.
 *
 * The bytes go to config_load_buffer as a YAML file and, when they parse as a
 * JSON object, to the three API body parsers. Whatever parses must round-trip:
 * to_json(from_json(to_json(x))) == to_json(x) (ignoring "provisioned", which
 * the JSON side always sets false); a failure aborts, which libFuzzer reports.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(json_t *a, json_t *b)
{
    json_object_del(a, "provisioned");
    json_object_del(b, "provisioned");
    if (!json_equal(a, b))
        abort();
}

static void monitor_round_trip(const struct monitor_spec *m)
{
    json_t *j = config_monitor_to_json(m, true);
    struct monitor_spec back;
    struct yw_err err = YW_ERR_INIT;
    if (config_monitor_from_json(j, &back, &err) != 0)
        abort();
    json_t *again = config_monitor_to_json(&back, true);
    same_or_abort(j, again);
    json_decref(again);
    json_decref(config_monitor_to_json(&back, false)); /* the masking paths */
    monitor_spec_release(&back);
    json_decref(j);
}

static void system_round_trip(const struct system_spec *s)
{
    json_t *j = config_system_to_json(s);
    struct system_spec back;
    if (config_system_from_json(j, &back, NULL) != 0)
        abort();
    json_t *again = config_system_to_json(&back);
    same_or_abort(j, again);
    json_decref(again);
    system_spec_release(&back);
    json_decref(j);
}

static void maint_round_trip(const struct maint_spec *w)
{
    json_t *j = config_maint_to_json(w);
    struct maint_spec back;
    if (config_maint_from_json(j, &back, NULL) != 0)
        abort();
    json_t *again = config_maint_to_json(&back);
    same_or_abort(j, again);
    json_decref(again);
    maint_spec_release(&back);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config c;
    struct diag d = DIAG_INIT;
    if (config_load_buffer("fuzz.yaml", (const char *)data, size, &c, &d) == 0) {
        for (size_t i = 0; i < c.nsystems; i++)
            system_round_trip(&c.systems[i]);
        for (size_t i = 0; i < c.nmonitors; i++)
            monitor_round_trip(&c.monitors[i]);
        for (size_t i = 0; i < c.nmaint; i++)
            maint_round_trip(&c.maint[i]);
        config_release(&c);
    }
    diag_release(&d);

    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    if (j) {
        struct monitor_spec m;
        struct system_spec s;
        struct maint_spec w;
        struct yw_err err = YW_ERR_INIT;
        if (config_monitor_from_json(j, &m, &err) == 0) {
            monitor_round_trip(&m);
            monitor_spec_release(&m);
        }
        if (config_system_from_json(j, &s, &err) == 0) {
            system_round_trip(&s);
            system_spec_release(&s);
        }
        if (config_maint_from_json(j, &w, &err) == 0) {
            maint_round_trip(&w);
            maint_spec_release(&w);
        }
        json_decref(j);
    }
    return 0;
}
