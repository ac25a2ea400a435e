/*
 * Password policy (characters, classes, user name, malformed input, every
 * range of the policy itself) and Argon2id hashing. Hashing at the
 * interactive parameters costs 64 MiB and a fraction of a second, so only a
 * handful are made here; the rest use hashes made at libsodium's minimum.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "t.h"

static const struct password_policy def = PASSWORD_POLICY_DEFAULT;

static int check(const char *user, const char *pw, char *why, size_t n)
{
    return password_check_policy(&def, user, pw, why, n);
}

TEST(policy_defaults)
{
    CHECK_INT(def.min_length, 10);
    CHECK_INT(def.min_classes, 3);
    CHECK_INT(def.history, 5);
    CHECK_INT(def.expiry_days, 90);
    CHECK_INT(def.lock_after, 5);
    CHECK_INT(def.lock_minutes, 30);
    CHECK_INT(def.idle_minutes, 30);
    CHECK_INT(def.absolute_hours, 12);
    CHECK_INT(def.rate_per_minute, 10);
    CHECK_INT(password_policy_valid(&def, NULL, 0), 0);
}

TEST(policy_length_counts_characters)
{
    char why[256] = "";
    CHECK_INT(check("li.lei", "Abcdefgh1!", why, sizeof why), 0); /* exactly 10 */
    CHECK_INT(check("li.lei", "Abcdefg1!", why, sizeof why), -1); /* 9 */
    CHECK_STR(why, "密码至少需要 10 个字符 / password must be at least 10 characters");
    /* 8 characters in 20 bytes: too short although the bytes would pass */
    CHECK_INT(check(NULL, "数据资源中心a1", why, sizeof why), -1);
    CHECK(strstr(why, "at least 10 characters") != NULL);
    /* 10 characters in 26 bytes, classes other + lower + digit */
    CHECK_INT(check(NULL, "数据资源中心运维a1", why, sizeof why), 0);
    /* a 4-byte character is one character: 3 + 7 = 10 */
    CHECK_INT(check(NULL, "Ab1\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
                          "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
                    why, sizeof why), 0);
    CHECK_INT(check(NULL, "", why, sizeof why), -1);
    CHECK_INT(check(NULL, NULL, why, sizeof why), -1);
    /* a NULL policy is the default one */
    CHECK_INT(password_check_policy(NULL, NULL, "Abcdefg1!", why, sizeof why), -1);
    CHECK_INT(password_check_policy(NULL, NULL, "Abcdefgh1!", why, sizeof why), 0);
}

TEST(policy_classes)
{
    char why[512] = "";
    CHECK_INT(check(NULL, "abcdefghij", why, sizeof why), -1);  /* lower only */
    CHECK(strstr(why, "at least 3 of") != NULL);
    CHECK(strstr(why, "至少 3 类") != NULL);
    CHECK_INT(check(NULL, "abcdefgh12", why, sizeof why), -1);  /* lower, digit */
    CHECK_INT(check(NULL, "ABCDEFGH12", why, sizeof why), -1);  /* upper, digit */
    CHECK_INT(check(NULL, "abcdefgh1!", why, sizeof why), 0);   /* lower, digit, other */
    CHECK_INT(check(NULL, "ABCDEFGH1a", why, sizeof why), 0);   /* upper, digit, lower */
    CHECK_INT(check(NULL, "abcdefgh 1", why, sizeof why), 0);   /* a space is other */
    CHECK_INT(check(NULL, "数据资源中心运维平台12", why, sizeof why), -1); /* other, digit */
    CHECK_INT(check(NULL, "数据资源中心运维平台Ab", why, sizeof why), 0);  /* other, upper, lower */
    struct password_policy p = def;
    p.min_classes = 4;
    p.min_length = 12;
    CHECK_INT(password_check_policy(&p, NULL, "Abcdefgh1!", why, sizeof why), -1);
    CHECK_STR(why, "密码至少需要 12 个字符 / password must be at least 12 characters");
    CHECK_INT(password_check_policy(&p, NULL, "Abcdefghij12", why, sizeof why), -1);
    CHECK(strstr(why, "at least 4 of") != NULL);
    CHECK_INT(password_check_policy(&p, NULL, "Abcdefghi1!x", why, sizeof why), 0);
    p.min_classes = 1;
    CHECK_INT(password_check_policy(&p, NULL, "abcdefghijkl", why, sizeof why), 0);
}

TEST(policy_user_name)
{
    char why[256] = "";
    CHECK_INT(check("li.lei", "xxLI.LEIyy12!", why, sizeof why), -1);
    CHECK_STR(why, "密码不能包含用户名 / password must not contain the user name");
    CHECK_INT(check("li.lei", "Li.Lei2026!x", why, sizeof why), -1);   /* at the start */
    CHECK_INT(check("li.lei", "2026!xLi.leI", why, sizeof why), -1);   /* at the end */
    CHECK_INT(check("li.lei", "LiLei2026!x", why, sizeof why), 0);     /* not the same name */
    CHECK_INT(check("li.lei", "li.le2026!X", why, sizeof why), 0);     /* cut short */
    CHECK_INT(check("", "Abcdefgh1!", why, sizeof why), 0);
    CHECK_INT(check(NULL, "Abcdefgh1!", why, sizeof why), 0);
    /* the name longer than the password cannot be in it */
    CHECK_INT(check("a-very-long-user-name", "Abcdefgh1!", why, sizeof why), 0);
}

TEST(policy_malformed)
{
    char why[256] = "";
    CHECK_INT(check(NULL, "Abcdefgh1!\xff", why, sizeof why), -1);
    CHECK(strstr(why, "UTF-8") != NULL);
    CHECK_INT(check(NULL, "Abcdefgh1!\xc0\xaf", why, sizeof why), -1);     /* overlong '/' */
    CHECK_INT(check(NULL, "Abcdefgh1!\xed\xa0\x80", why, sizeof why), -1); /* surrogate */
    CHECK_INT(check(NULL, "Abcdefgh1!\xe6\x95", why, sizeof why), -1);     /* cut short */
    CHECK_INT(check(NULL, "Abcdefgh1!\xf4\x90\x80\x80", why, sizeof why), -1); /* > U+10FFFF */
    CHECK_INT(check(NULL, "Abcdefgh1!\n", why, sizeof why), -1);
    CHECK(strstr(why, "control characters") != NULL);
    CHECK_INT(check(NULL, "Abcde\tfgh1!", why, sizeof why), -1);
    CHECK_INT(check(NULL, "Abcdefgh1!\x7f", why, sizeof why), -1);

    char pw[PASSWORD_MAX + 2];
    memset(pw, 'a', sizeof pw);
    memcpy(pw, "A1!", 3);
    pw[PASSWORD_MAX] = '\0';
    CHECK_INT(check(NULL, pw, why, sizeof why), 0); /* exactly PASSWORD_MAX bytes */
    pw[PASSWORD_MAX] = 'a';
    pw[PASSWORD_MAX + 1] = '\0';
    CHECK_INT(check(NULL, pw, why, sizeof why), -1);
    CHECK(strstr(why, "at most 256 bytes") != NULL);

    /* why may be absent, or tiny; it is always terminated */
    CHECK_INT(check(NULL, "short", NULL, 0), -1);
    char tiny[8];
    CHECK_INT(check(NULL, "short", tiny, sizeof tiny), -1);
    CHECK_STR(tiny, "密码"); /* cut between characters: 6 of the 7 bytes there is room for */
}

TEST(policy_ranges)
{
    /* The ranges of password.h, restated: field, low, high. */
    static const struct {
        const char *field;
        size_t off;
        int lo, hi;
    } r[] = {
        {"min_length", offsetof(struct password_policy, min_length), 8, 128},
        {"min_classes", offsetof(struct password_policy, min_classes), 1, 4},
        {"history", offsetof(struct password_policy, history), 0, 24},
        {"expiry_days", offsetof(struct password_policy, expiry_days), 0, 3650},
        {"lock_after", offsetof(struct password_policy, lock_after), 1, 100},
        {"lock_minutes", offsetof(struct password_policy, lock_minutes), 1, 1440},
        {"idle_minutes", offsetof(struct password_policy, idle_minutes), 1, 1440},
        {"absolute_hours", offsetof(struct password_policy, absolute_hours), 1, 168},
        {"rate_per_minute", offsetof(struct password_policy, rate_per_minute), 1, 1000},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        const int tries[4] = {r[i].lo - 1, r[i].lo, r[i].hi, r[i].hi + 1};
        for (int k = 0; k < 4; k++) {
            struct password_policy p = def;
            char why[256] = "";
            memcpy((char *)&p + r[i].off, &tries[k], sizeof(int));
            int want = (k == 0 || k == 3) ? -1 : 0;
            CHECK_INT(password_policy_valid(&p, why, sizeof why), want);
            if (want < 0) {
                CHECK(strncmp(why, r[i].field, strlen(r[i].field)) == 0);
                CHECK(why[strlen(r[i].field)] == ':');
            }
        }
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(hash_verify_rehash)
{
    char h[PASSWORD_HASH_MAX];
    const char *pw = "运维 Correct horse 1";
    CHECK_INT(password_hash(pw, h), 0);
    CHECK(strncmp(h, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    CHECK(strlen(h) < PASSWORD_HASH_MAX);
    double t0 = now_s();
    CHECK(password_verify(h, pw));
    double real = now_s() - t0;
    CHECK(!password_verify(h, "运维 Correct horse 2"));
    CHECK(!password_verify(h, "运维 Correct horse"));
    CHECK(!password_verify(h, NULL));
    CHECK(!password_needs_rehash(h));

    /* two hashes of one password differ (random salt) */
    char h2[PASSWORD_HASH_MAX];
    CHECK(crypto_pwhash_str(h2, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
                            crypto_pwhash_MEMLIMIT_MIN) == 0);
    CHECK(strcmp(h, h2) != 0);
    /* made with weaker parameters: still verifies, but asks to be redone */
    CHECK(password_verify(h2, pw));
    CHECK(!password_verify(h2, "x"));
    CHECK(password_needs_rehash(h2));

    /* no hash, or a broken one: false, after a dummy verification */
    CHECK(!password_verify("", pw)); /* makes the dummy hash */
    t0 = now_s();
    CHECK(!password_verify("", pw));
    double dummy = now_s() - t0;
    printf("# verify %.3f s, dummy verify %.3f s\n", real, dummy);
    /* Printed, not asserted: a test never fails on a timing. */
    CHECK(!password_verify(NULL, pw));
    CHECK(!password_verify("$argon2id$garbage", pw));
    CHECK(!password_verify("plain text", "plain text"));
    CHECK(password_needs_rehash(""));
    CHECK(password_needs_rehash(NULL));
    CHECK(password_needs_rehash("$argon2id$garbage"));
    char unterminated[PASSWORD_HASH_MAX];
    memset(unterminated, 'a', sizeof unterminated);
    memcpy(unterminated, "$argon2id$", 10);
    CHECK(password_needs_rehash(unterminated)); /* read no further than the buffer */
    sodium_memzero(h, sizeof h);
}

int main(void)
{
    RUN(policy_defaults);
    RUN(policy_length_counts_characters);
    RUN(policy_classes);
    RUN(policy_user_name);
    RUN(policy_malformed);
    RUN(policy_ranges);
    RUN(hash_verify_rehash);
    return t_done();
}
