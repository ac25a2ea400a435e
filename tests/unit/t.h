/*
 * t — the unit-test harness: header only, TAP output.
 *
 *   TEST(parses_seconds) { CHECK(x == 1); CHECK_INT(got, 42); CHECK_STR(s, "up"); }
 *   int main(void) { RUN(parses_seconds); return t_done(); }
 *
 * Each RUN prints "ok N - name" or "not ok N - name" with the failed checks
 * (file:line, expression, values) as "# " comment lines; t_done prints the plan
 * and returns the exit status (1 if anything failed).
 */
#ifndef YW_TESTS_T_H
#define YW_TESTS_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_count, t_failed_tests, t_cur_failed;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);        \
            t_cur_failed++;                                                              \
        }                                                                                \
    } while (0)

#define CHECK_INT(got, want)                                                             \
    do {                                                                                 \
        long long g_ = (long long)(got), w_ = (long long)(want);                         \
        if (g_ != w_) {                                                                  \
            printf("#   %s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
            t_cur_failed++;                                                              \
        }                                                                                \
    } while (0)

#define CHECK_DBL(got, want, eps)                                                        \
    do {                                                                                 \
        double g_ = (double)(got), w_ = (double)(want);                                  \
        if (g_ - w_ > (eps) || w_ - g_ > (eps)) {                                        \
            printf("#   %s:%d: %s == %.9g, want %.9g\n", __FILE__, __LINE__, #got, g_, w_); \
            t_cur_failed++;                                                              \
        }                                                                                \
    } while (0)

#define CHECK_STR(got, want)                                                             \
    do {                                                                                 \
        const char *g_ = (got), *w_ = (want);                                            \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                         \
            printf("#   %s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got,   \
                   g_ ? g_ : "(null)", w_ ? w_ : "(null)");                              \
            t_cur_failed++;                                                              \
        }                                                                                \
    } while (0)

#define RUN(name)                                                                        \
    do {                                                                                 \
        t_cur_failed = 0;                                                                \
        name();                                                                          \
        t_count++;                                                                       \
        printf("%s %d - %s\n", t_cur_failed ? "not ok" : "ok", t_count, #name);         \
        if (t_cur_failed)                                                                \
            t_failed_tests++;                                                            \
        fflush(stdout);                                                                  \
    } while (0)

static inline int t_done(void)
{
    printf("1..%d\n", t_count);
    return t_failed_tests ? 1 : 0;
}

#endif
