/*
 * app.h - what the files of the application protocol share: app.c (the
 * messages and their wire format), app_json.c (UTF-8 checks, and JSON as
 * the tutorial's Python writes and reads it) and app_tutorial.c (the
 * tutorial's requests and responses).
 */
#ifndef SKT_APP_H
#define SKT_APP_H

#include "internal.h"

#include <cjson/cJSON.h>

/* The length of the UTF-8 sequence at p (at most n bytes), or 0 if it is
 * not one that Python's strict decoder accepts. */
SKT__HIDDEN size_t skt__utf8_sequence(const unsigned char *p, size_t n);
/* Whether len bytes are UTF-8 as Python's strict decoder requires. */
SKT__HIDDEN bool skt__valid_utf8(const void *data, size_t len);
/* The same for a C string; false for NULL. */
SKT__HIDDEN bool skt__valid_text(const char *s);

/* This machine's byte order, named as Python's sys.byteorder names it. */
SKT__HIDDEN const char *skt__machine_byteorder(void);

/* JSON text as json.dumps(obj, ensure_ascii=False) writes it; malloc'd,
 * or NULL when out of memory. */
SKT__HIDDEN char *skt__json_dumps(const cJSON *json, size_t *len);
/* The same for {"KEY1": VALUE1, "KEY2": VALUE2} with string values (key2
 * may be NULL for a one-member object). */
SKT__HIDDEN char *skt__json_dumps_strings(const char *key1,
                                          const char *value1,
                                          const char *key2,
                                          const char *value2, size_t *len);
/* Parses len bytes as json.loads would take them (UTF-8, one value, only
 * whitespace after it), or returns NULL. */
SKT__HIDDEN cJSON *skt__json_loads(const char *data, size_t len);

/* A new message of this machine's byte order with a copy of len bytes of
 * content. Returns 0, or -ENOMEM with the detail set. */
SKT__HIDDEN int skt__app_message_of(skt_app_message **out, const char *type,
                                    const char *encoding, const void *data,
                                    size_t len);

#endif /* SKT_APP_H */
