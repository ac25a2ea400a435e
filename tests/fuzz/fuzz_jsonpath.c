/*
 * libFuzzer target for the JSON path matcher. Input: a path, a NUL byte, then
 * a JSON document (any value). Checks that validate, get and check agree and
 * never crash, leak or read out of bounds, whatever the path or document.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    char *path = malloc(plen + 1);
    if (!path)
        return 0;
    memcpy(path, data, plen);
    path[plen] = '\0';
    const char *text = nul ? (const char *)nul + 1 : "";
    size_t tlen = nul ? size - plen - 1 : 0;

    char why[128];
    int valid = jsonpath_validate(path, why, sizeof why) == 0;
    /* a reason is always given, and always NUL-terminated within the buffer */
    assert(valid || (why[0] != '\0' && strlen(why) < sizeof why));

    json_t *root = json_loadb(text, tlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    json_t *v = jsonpath_get(root, path);
    assert(valid || !v);

    struct json_check ex = {.path = path, .op = JC_EXISTS, .exists = true};
    int r = jsonpath_check(root, &ex, why, sizeof why);
    assert(r == (v != NULL));
    assert(r || strlen(why) < sizeof why);
    ex.exists = false;
    /* an invalid path fails every check, "must be absent" included */
    assert(jsonpath_check(root, &ex, why, sizeof why) == (valid && v == NULL));

    /* equals against the found value itself must pass; against the root too
     * when the path is "$" */
    struct json_check eq = {.path = path, .op = JC_EQUALS, .value = v ? v : root};
    if (eq.value) {
        r = jsonpath_check(root, &eq, why, sizeof why);
        assert(!v || r == 1);
    }
    char tiny[3];
    eq.value = json_integer(0);
    jsonpath_check(root, &eq, tiny, sizeof tiny);
    assert(strlen(tiny) < sizeof tiny);
    json_decref(eq.value);

    json_decref(root);
    free(path);
    return 0;
}
