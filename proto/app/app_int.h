/*
 * app_int.h - what the files of the application protocol share: app.c (the
 * messages and their wire format), app_json.c (UTF-8 checks, and JSON as
 * the tutorial's Python writes and reads it) and app_tutorial.c (the
 * tutorial's requests and responses), with the failure reporting they all
 * use. libskt_app is built on libskt's public API alone.
 */
#ifndef SKT_APP_INT_H
#define SKT_APP_INT_H

#include "skt_app.h"

#include <errno.h>

#include <cjson/cJSON.h>

#define SKT_APP__HIDDEN __attribute__((visibility("hidden")))

/*
 * Sets this thread's detail to "<formatted text>: <skt_strerror(code)>" and
 * returns code, as libskt's own failures read.
 */
SKT_APP__HIDDEN int skt_app__fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Validates the common arguments of a public entry point. */
#define SKT_APP__CHECK(cond, what)                                            \
    do {                                                                      \
        if (!(cond))                                                          \
            return skt_app__fail(-EINVAL, "%s: %s", __func__, what);          \
    } while (0)

/* The length of the UTF-8 sequence at p (at most n bytes), or 0 if it is
 * not one that Python's strict decoder accepts. */
SKT_APP__HIDDEN size_t skt_app__utf8_sequence(const unsigned char *p,
                                              size_t n);
/* Whether len bytes are UTF-8 as Python's strict decoder requires. */
SKT_APP__HIDDEN bool skt_app__valid_utf8(const void *data, size_t len);
/* The same for a C string; false for NULL. */
SKT_APP__HIDDEN bool skt_app__valid_text(const char *s);

/* This machine's byte order, named as Python's sys.byteorder names it. */
SKT_APP__HIDDEN const char *skt_app__machine_byteorder(void);

/* JSON text as json.dumps(obj, ensure_ascii=False) writes it; malloc'd,
 * or NULL when out of memory. */
SKT_APP__HIDDEN char *skt_app__json_dumps(const cJSON *json, size_t *len);
/* The same for {"KEY1": VALUE1, "KEY2": VALUE2} with string values (key2
 * may be NULL for a one-member object). */
SKT_APP__HIDDEN char *skt_app__json_dumps_strings(const char *key1,
                                                  const char *value1,
                                                  const char *key2,
                                                  const char *value2,
                                                  size_t *len);
/* Parses len bytes as json.loads would take them (UTF-8, one value, only
 * whitespace after it), or returns NULL. */
SKT_APP__HIDDEN cJSON *skt_app__json_loads(const char *data, size_t len);

/* A new message of this machine's byte order with a copy of len bytes of
 * content. Returns 0, or -ENOMEM with the detail set. */
SKT_APP__HIDDEN int skt_app__message_of(skt_app_message **out,
                                        const char *type,
                                        const char *encoding,
                                        const void *data, size_t len);

#endif /* SKT_APP_INT_H */
