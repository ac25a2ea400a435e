/*
 * log — one line per event to stderr: "2026-11-25T10:00:00+08:00 LEVEL message".
 *
 * Thread-safe (one write(2) per line). Never pass a secret (password, token,
 * DSN with password) to these functions: mask it first.
 */
#ifndef YW_CORE_LOG_H
#define YW_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
