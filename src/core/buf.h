/*
 * buf — a growable byte buffer with a hard limit.
 *
 * Invariants: p is NULL (empty, nothing allocated) or NUL-terminated; len never
 * exceeds max. BUF_INIT(max) makes a valid empty buffer without allocating;
 * buf_release frees and returns the buffer to that state, reusable.
 * An append that would pass max fails with -1, frees the contents and leaves
 * the buffer empty (like curl's dynbuf): a caller cannot keep half a message.
 */
#ifndef YW_CORE_BUF_H
#define YW_CORE_BUF_H

#include <stddef.h>

struct buf {
    char *p;
    size_t len, cap, max;
};

#define BUF_INIT(limit) {NULL, 0, 0, (limit)}

int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);       /* len = 0, keeps memory */
void buf_release(struct buf *b);     /* frees, back to BUF_INIT state */
char *buf_take(struct buf *b);       /* hands the string to the caller ("" if empty) */
const char *buf_str(const struct buf *b); /* never NULL */

#endif
