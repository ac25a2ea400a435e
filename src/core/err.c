#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 4, 0))) static void vset(struct yw_err *err, enum yw_errcode code,
                                                     const char *field, const char *fmt, va_list ap)
{
    if (!err)
        return;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int yw_fail(struct yw_err *err, enum yw_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int yw_fail_field(struct yw_err *err, enum yw_errcode code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, field, fmt, ap);
    va_end(ap);
    return -1;
}

const char *yw_errcode_name(enum yw_errcode code)
{
    switch (code) {
    case YW_OK: return "ok";
    case YW_EINVAL: return "invalid";
    case YW_ENOTFOUND: return "not_found";
    case YW_ECONFLICT: return "conflict";
    case YW_EIO: return "io_error";
    case YW_ELIMIT: return "too_large";
    }
    return "error";
}
