/*
 * mem — the one allocation wrapper.
 *
 * yunwei treats running out of memory as fatal: every allocation goes through
 * these functions, which print one line naming the size and abort. Callers
 * therefore never check for NULL from them. xfree(NULL) is a no-op.
 */
#ifndef YW_CORE_MEM_H
#define YW_CORE_MEM_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define xfree free

/* Grow *arr (of *cap elements of size elem) so that it holds at least need. */
void xgrow(void **arr, size_t *cap, size_t need, size_t elem);
#define XGROW(arr, cap, need) xgrow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
