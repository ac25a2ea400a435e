/*
 * test_notify_sign — the robots' signatures and the encodings around them,
 * checked against values computed independently with openssl (commands in
 * the comments), and the message texts and request bodies built from them.
 */
#include <string.h>

#include "core/mem.h"
#include "notify/notify_int.h"
#include "t.h"

/* printf '1764036000000\nSEC0123456789abcdef' \
 *   | openssl dgst -sha256 -hmac 'SEC0123456789abcdef' -binary | base64 */
#define DING_SIGN "7TrQnkZhWnVpk4HJ+xKRpQ26dKVYJflPB2Y9XmHyFbo="
/* the same, URL-encoded (python3 urllib.parse.quote_plus) */
#define DING_SIGN_URL "7TrQnkZhWnVpk4HJ%2BxKRpQ26dKVYJflPB2Y9XmHyFbo%3D"
/* printf '' | openssl dgst -sha256 -hmac "$(printf '1764036000\nfeishu-secret-xyz')" \
 *   -binary | base64      (the string to sign is the KEY, the message empty) */
#define FEISHU_SIGN "/tSGujEhlMxKPeQsgOACQfxhyeLtSW98ggo2HjalNWQ="
/* printf '1764036000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec' */
#define WEBHOOK_SIGN "sha256=5383e8c2da02db251b5d58687421ef782123e9085e083a5b3f025a7e0b1503be"

TEST(dingtalk_signature)
{
    char *s = notify_dingtalk_sign("SEC0123456789abcdef", 1764036000000LL);
    CHECK_STR(s, DING_SIGN);
    char *u = notify_url_encode(s);
    CHECK_STR(u, DING_SIGN_URL);
    xfree(u);
    xfree(s);
}

TEST(dingtalk_url_carries_token_timestamp_and_sign)
{
    struct nchannel c = {.type = NCH_DINGTALK};
    c.url = xstrdup("https://oapi.dingtalk.com/robot/send");
    c.token = xstrdup("abc123");
    c.secret = xstrdup("SEC0123456789abcdef");
    char *url = notify_dingtalk_url(&c, 1764036000000LL);
    CHECK_STR(url, "https://oapi.dingtalk.com/robot/send?access_token=abc123"
                   "&timestamp=1764036000000&sign=" DING_SIGN_URL);
    xfree(url);
    /* without a secret: no signature */
    xfree(c.secret);
    c.secret = NULL;
    url = notify_dingtalk_url(&c, 1764036000000LL);
    CHECK_STR(url, "https://oapi.dingtalk.com/robot/send?access_token=abc123");
    xfree(url);
    nchannel_release(&c);
}

TEST(feishu_signature)
{
    char *s = notify_feishu_sign("feishu-secret-xyz", 1764036000);
    CHECK_STR(s, FEISHU_SIGN);
    xfree(s);
}

TEST(webhook_signature)
{
    char *s = notify_webhook_sign("whsec", 1764036000, "{\"a\":1}");
    CHECK_STR(s, WEBHOOK_SIGN);
    xfree(s);
}

TEST(url_encoding_keeps_only_unreserved)
{
    char *u = notify_url_encode("a b+/=~._-中");
    CHECK_STR(u, "a%20b%2B%2F%3D~._-%E4%B8%AD");
    xfree(u);
}

TEST(mime_header_words)
{
    char *s = notify_mime_header("plain ascii");
    CHECK_STR(s, "plain ascii");
    xfree(s);
    /* echo -n '故障' | base64 -> 5pWF6Zqc */
    s = notify_mime_header("故障");
    CHECK_STR(s, "=?UTF-8?B?5pWF6Zqc?=");
    xfree(s);
    /* a long subject is several words, none cutting a character */
    char longs[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(longs, "故障");
    s = notify_mime_header(longs);
    int words = 0;
    for (const char *p = s; (p = strstr(p, "=?UTF-8?B?")); p++)
        words++;
    CHECK(words >= 6);
    CHECK(strstr(s, "\r\n ") != NULL);
    for (const char *p = s; *p;) {
        const char *e = strstr(p, "?=");
        if (!e)
            break;
        CHECK(e - p <= 75);
        p = e + 2;
    }
    xfree(s);
}

TEST(base64_lines)
{
    char data[100];
    memset(data, 'x', sizeof data);
    char *s = notify_base64_lines(data, sizeof data);
    /* 100 bytes -> 136 characters: one line of 76, one of 60 */
    CHECK_INT(strlen(s), 76 + 2 + 60 + 2);
    CHECK(s[76] == '\r' && s[77] == '\n');
    xfree(s);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    RUN(dingtalk_signature);
    RUN(dingtalk_url_carries_token_timestamp_and_sign);
    RUN(feishu_signature);
    RUN(webhook_signature);
    RUN(url_encoding_keeps_only_unreserved);
    RUN(mime_header_words);
    RUN(base64_lines);
    return t_done();
}
