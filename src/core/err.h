/*
 * err — the one error convention.
 *
 * A function that can fail returns int: 0 on success, -1 on failure, and on
 * failure fills the caller's struct yw_err with a code and a human message
 * (what, where, why). Functions document whether they leave their arguments
 * unchanged on failure. A NULL err is allowed and means "don't tell me".
 */
#ifndef YW_CORE_ERR_H
#define YW_CORE_ERR_H

enum yw_errcode {
    YW_OK = 0,
    YW_EINVAL,    /* bad input from outside: 400 */
    YW_ENOTFOUND, /* 404 */
    YW_ECONFLICT, /* duplicate name, provisioned object: 409 */
    YW_EIO,       /* disk, database, network: 500/503 */
    YW_ELIMIT,    /* a size limit was hit: 413/400 */
};

struct yw_err {
    enum yw_errcode code;
    char field[64]; /* which input field, when the error is about one ("" else) */
    char msg[512];
};

#define YW_ERR_INIT {YW_OK, "", ""}

/* Sets err (if non-NULL) and returns -1, so `return yw_fail(err, ...)` reads well. */
int yw_fail(struct yw_err *err, enum yw_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, naming the input field the error is about. */
int yw_fail_field(struct yw_err *err, enum yw_errcode code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *yw_errcode_name(enum yw_errcode code); /* "invalid", "not_found"… */

#endif
