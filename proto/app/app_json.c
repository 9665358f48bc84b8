/*
 * app_json.c - text for the application protocol: strict UTF-8 checks (as
 * Python's decoder), and JSON written and read the way the tutorial's
 * Python does, json.dumps(obj, ensure_ascii=False) and json.loads, on
 * cJSON.
 */
#include "app_int.h"

#include <stdlib.h>
#include <string.h>

/* The length of the UTF-8 sequence at p (at most n bytes), or 0 if it is
 * not one that Python's strict decoder accepts. */
size_t skt_app__utf8_sequence(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2
               : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
    unsigned lo = 0x80, hi = 0xbf;

    if (len == 0 || len > n)
        return 0;
    /* The second byte's range excludes overlong forms, surrogates and
     * code points over U+10FFFF. */
    if (p[0] == 0xe0)
        lo = 0xa0;
    else if (p[0] == 0xed)
        hi = 0x9f;
    else if (p[0] == 0xf0)
        lo = 0x90;
    else if (p[0] == 0xf4)
        hi = 0x8f;
    for (size_t i = 1; i < len; i++) {
        if (p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xbf;
    }
    return len;
}

bool skt_app__valid_utf8(const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        size_t n = skt_app__utf8_sequence(p, len);
        if (n == 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

bool skt_app__valid_text(const char *s)
{
    return s != NULL && skt_app__valid_utf8(s, strlen(s));
}

/* This machine's byte order, named as Python's sys.byteorder names it. */
const char *skt_app__machine_byteorder(void)
{
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1 ? "little" : "big";
}

/*
 * cJSON's compact text with Python's default separators, ", " and ": ":
 * the rest of json.dumps(ensure_ascii=False)'s output (escapes, UTF-8,
 * integers) is already the same. Returns a malloc'd string or NULL.
 */
static char *python_spacing(const char *compact, size_t *len)
{
    size_t n = strlen(compact), used = 0;
    char *out = malloc(2 * n + 1);
    bool in_string = false, escaped = false;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = compact[i];
        out[used++] = c;
        if (in_string) {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if (c == '"') {
            in_string = true;
        } else if (c == ',' || c == ':') {
            out[used++] = ' ';
        }
    }
    out[used] = '\0';
    *len = used;
    return out;
}

/* An object's JSON text as Python writes it. Returns malloc'd text or
 * NULL (out of memory). */
char *skt_app__json_dumps(const cJSON *json, size_t *len)
{
    char *compact = cJSON_PrintUnformatted(json);
    char *text;

    if (compact == NULL)
        return NULL;
    text = python_spacing(compact, len);
    cJSON_free(compact);
    return text;
}

/* {"KEY1": VALUE1, "KEY2": VALUE2} with string values (key2 may be
 * NULL), as Python writes it. Returns malloc'd text or NULL. */
char *skt_app__json_dumps_strings(const char *key1, const char *value1,
                                  const char *key2, const char *value2,
                                  size_t *len)
{
    cJSON *json = cJSON_CreateObject();
    char *text = NULL;

    if (json != NULL && cJSON_AddStringToObject(json, key1, value1) &&
        (key2 == NULL || cJSON_AddStringToObject(json, key2, value2)))
        text = skt_app__json_dumps(json, len);
    cJSON_Delete(json);
    return text;
}

/*
 * Parses len bytes as one JSON value, as Python's json.loads would take
 * them: UTF-8, nothing but whitespace after the value. The bytes are
 * copied with a NUL after them first, so cJSON never reads past the end.
 */
cJSON *skt_app__json_loads(const char *data, size_t len)
{
    char *text;
    const char *end = NULL;
    cJSON *json;

    if (!skt_app__valid_utf8(data, len) || memchr(data, '\0', len) != NULL)
        return NULL;
    text = malloc(len + 1);
    if (text == NULL)
        return NULL;
    memcpy(text, data, len);
    text[len] = '\0';
    json = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (json != NULL && end[strspn(end, " \t\r\n")] != '\0') {
        cJSON_Delete(json);
        json = NULL;
    }
    free(text);
    return json;
}
