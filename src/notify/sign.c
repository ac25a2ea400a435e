/*
 * sign — the robots' signatures and the encodings around them.
 *
 * What the vendors document (checked against their pages):
 *
 * DingTalk custom robot, "加签" (自定义机器人安全设置,
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 *   string_to_sign = timestamp + "\n" + secret, timestamp in milliseconds
 *   (within an hour of DingTalk's clock); sign = urlEncode(base64(
 *   HmacSHA256(key = secret, data = string_to_sign))), UTF-8; sent as
 *   &timestamp=…&sign=… on the webhook URL. Their Java sample:
 *   mac.init(new SecretKeySpec(secret.getBytes("UTF-8"), "HmacSHA256"));
 *   mac.doFinal(stringToSign.getBytes("UTF-8")).
 *
 * Feishu custom bot, "签名校验" (自定义机器人使用指南,
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 *   string_to_sign = timestamp + "\n" + secret, timestamp in SECONDS; the
 *   string is the HMAC-SHA256 KEY and the message is empty (their Python
 *   sample: hmac.new(key_enc, msg="", digestmod=sha256)); sign =
 *   base64(...), sent in the JSON body as "timestamp" (a string) and "sign".
 *
 * Our generic webhook signs like many do: X-Yunwei-Signature:
 * sha256=hex(HMAC-SHA256(key = secret, data = timestamp + "." + body)).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/secret.h"
#include "core/buf.h"
#include "core/mem.h"
#include "notify/notify_int.h"

void notify_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                        uint8_t out[32])
{
    secret_init();
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, msg, msglen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

char *notify_base64(const void *data, size_t n)
{
    secret_init();
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(len);
    sodium_bin2base64(out, len, data, n, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

char *notify_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = xmalloc(n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

char *notify_dingtalk_sign(const char *secret, int64_t ts_ms)
{
    char *to_sign = xasprintf("%lld\n%s", (long long)ts_ms, secret);
    uint8_t mac[32];
    notify_hmac_sha256(secret, strlen(secret), to_sign, strlen(to_sign), mac);
    secret_wipe(to_sign, strlen(to_sign));
    xfree(to_sign);
    return notify_base64(mac, sizeof mac);
}

char *notify_feishu_sign(const char *secret, int64_t ts_s)
{
    char *key = xasprintf("%lld\n%s", (long long)ts_s, secret);
    uint8_t mac[32];
    notify_hmac_sha256(key, strlen(key), "", 0, mac);
    secret_wipe(key, strlen(key));
    xfree(key);
    return notify_base64(mac, sizeof mac);
}

char *notify_webhook_sign(const char *secret, int64_t ts_s, const char *body)
{
    char head[32];
    int hn = snprintf(head, sizeof head, "%lld.", (long long)ts_s);
    size_t bn = strlen(body);
    char *msg = xmalloc((size_t)hn + bn + 1);
    memcpy(msg, head, (size_t)hn);
    memcpy(msg + hn, body, bn + 1);
    uint8_t mac[32];
    notify_hmac_sha256(secret, strlen(secret), msg, (size_t)hn + bn, mac);
    xfree(msg);
    char hexs[65];
    for (int i = 0; i < 32; i++)
        snprintf(hexs + 2 * i, 3, "%02x", mac[i]);
    return xasprintf("sha256=%s", hexs);
}

/* ---- mail encodings ------------------------------------------------------------------ */

static bool plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f || *p == '=' || *p == '?')
            return false;
    return true;
}

char *notify_mime_header(const char *s)
{
    if (plain_ascii(s) && strlen(s) < 900)
        return xstrdup(s);
    /* RFC 2047: encoded words of at most 75 characters, each holding whole
     * UTF-8 characters; 45 bytes make 60 base64 characters + 12 framing. */
    struct buf b = BUF_INIT(64 * 1024);
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        if (take == 0)
            take = 1;
        char *enc = notify_base64(s + i, take);
        buf_addf(&b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        xfree(enc);
        i += take;
    }
    return buf_take(&b);
}

char *notify_base64_lines(const void *data, size_t n)
{
    char *all = notify_base64(data, n);
    size_t len = strlen(all);
    struct buf b = BUF_INIT(len + len / 38 + 16);
    for (size_t i = 0; i < len; i += 76) {
        buf_add(&b, all + i, len - i < 76 ? len - i : 76);
        buf_add(&b, "\r\n", 2);
    }
    xfree(all);
    return buf_take(&b);
}
