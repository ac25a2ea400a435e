/*
 * jsonpath — the small path language of json checks: "data.total",
 * "items[0].id", "$.a.b", "a['key with.dots']". Keys are exact (UTF-8);
 * indices are non-negative integers. Limits: 64 segments, 256 bytes a path.
 */
#ifndef YW_CORE_JSONPATH_H
#define YW_CORE_JSONPATH_H

#include <jansson.h>
#include <stddef.h>

#include "core/model.h"

/* Checks a path's syntax. 0 ok, -1 with a reason in why. */
int jsonpath_validate(const char *path, char *why, size_t n);
/* Borrowed pointer to the value at path, or NULL if absent (or path invalid). */
json_t *jsonpath_get(json_t *root, const char *path);
/* Applies one check. Numbers compare by value (0 equals 0.0); strings, bools,
 * null, arrays and objects by jansson equality. Returns 1 pass, 0 fail with a
 * reason in why ("data.total: missing", "code: expected 0, got 3"). */
int jsonpath_check(json_t *root, const struct json_check *c, char *why, size_t n);

#endif
