/*
 * app_tutorial.c - the requests and responses of the Real Python sockets
 * tutorial's client and server: what the client sends for an action and a
 * value and how a server reads it, what a server answers with and what
 * the client prints of it. What the tutorial's server answers (its search
 * table and reply texts) is the example's: examples/app-tutorial.c.
 */
#include "app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Reading JSON content                                                     */
/* ------------------------------------------------------------------------ */

static bool is_utf8_name(const char *encoding)
{
    return strcasecmp(encoding, "utf-8") == 0 ||
           strcasecmp(encoding, "utf8") == 0 ||
           strcasecmp(encoding, "utf_8") == 0;
}

/* The JSON content of a text/json message, or NULL with the detail set
 * (-EBADMSG). */
static cJSON *json_content(const skt_app_message *m, const char *who)
{
    cJSON *json;

    if (!is_utf8_name(m->content_encoding)) {
        skt_app__fail(-EBADMSG, "%s: unsupported content-encoding \"%s\"",
                      who, m->content_encoding);
        return NULL;
    }
    json = skt_app__json_loads(m->content, m->content_length);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        skt_app__fail(-EBADMSG, "%s: the content is not a UTF-8 JSON "
                      "object", who);
        return NULL;
    }
    return json;
}

/* The string member name of a JSON object, or NULL with the detail set. */
static const char *json_string(const cJSON *json, const char *name,
                               const char *who)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, name);

    if (cJSON_IsString(item))
        return item->valuestring;
    skt_app__fail(-EBADMSG, "%s: no string \"%s\" in the content", who,
                  name);
    return NULL;
}

/* A NUL-terminated copy of len bytes (binary content may hold NULs). */
static char *copy_bytes(const void *data, size_t len)
{
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return NULL;
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

/* A copy of the string member name of json, or NULL when it has none. */
static int copy_member(const cJSON *json, const char *name, char **copy)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, name);

    *copy = NULL;
    if (!cJSON_IsString(item))
        return 0;
    *copy = copy_bytes(item->valuestring, strlen(item->valuestring));
    return *copy != NULL ? 0 : skt_app__fail(-ENOMEM, "app request");
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

int skt_app_request(skt_app_message **out, const char *action,
                    const char *value)
{
    size_t alen, vlen, len;
    char *text;
    int rc;

    SKT_APP__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT_APP__CHECK(action != NULL && value != NULL, "NULL argument");
    if (!skt_app__valid_text(action) || !skt_app__valid_text(value))
        return skt_app__fail(-EINVAL, "app request: action or value is not "
                             "UTF-8");
    if (strcmp(action, "search") == 0) {
        text = skt_app__json_dumps_strings("action", action, "value", value,
                                           &len);
        if (text == NULL)
            return skt_app__fail(-ENOMEM, "app request");
        rc = skt_app__message_of(out, "text/json", "utf-8", text, len);
        free(text);
        return rc;
    }
    /* A binary request carries the action followed by the value. */
    alen = strlen(action);
    vlen = strlen(value);
    text = malloc(alen + vlen + 1);
    if (text == NULL)
        return skt_app__fail(-ENOMEM, "app request");
    memcpy(text, action, alen);
    memcpy(text + alen, value, vlen);
    rc = skt_app__message_of(out, "binary/custom-client-binary-type",
                             "binary", text, alen + vlen);
    free(text);
    return rc;
}

int skt_app_request_fields(const skt_app_message *request, char **action,
                           char **value)
{
    cJSON *json;
    int rc;

    SKT_APP__CHECK(action != NULL && value != NULL, "NULL argument");
    *action = *value = NULL;
    SKT_APP__CHECK(request != NULL && request->content_type != NULL &&
                       request->content_encoding != NULL &&
                       (request->content != NULL ||
                        request->content_length == 0),
                   "NULL argument");
    if (strcmp(request->content_type, "text/json") != 0)
        return skt_app__fail(-EBADMSG, "app request: content-type \"%s\" "
                             "is not text/json", request->content_type);
    json = json_content(request, "app request");
    if (json == NULL)
        return -EBADMSG;
    rc = copy_member(json, "action", action);
    if (rc == 0)
        rc = copy_member(json, "value", value);
    cJSON_Delete(json);
    if (rc < 0) {
        free(*action);
        *action = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                */
/* ------------------------------------------------------------------------ */

/* A copy of text with every byte that is not part of a UTF-8 sequence
 * replaced by '?', so that any text, even one cut in the middle of a
 * character, makes valid JSON text. */
static char *valid_text(const char *text)
{
    size_t len = strlen(text), used = 0;
    char *copy = malloc(len + 1);

    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = skt_app__utf8_sequence((const unsigned char *)text + i,
                                          len - i);
        if (n == 0) {
            copy[used++] = '?';
            i++;
            continue;
        }
        memcpy(copy + used, text + i, n);
        used += n;
        i += n;
    }
    copy[used] = '\0';
    return copy;
}

int skt_app_response(skt_app_message **out, const char *result)
{
    char *text, *json;
    size_t len;
    int rc;

    SKT_APP__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT_APP__CHECK(result != NULL, "NULL argument");
    text = valid_text(result);
    json = text != NULL ? skt_app__json_dumps_strings("result", text, NULL,
                                                      NULL, &len)
                        : NULL;
    free(text);
    if (json == NULL)
        return skt_app__fail(-ENOMEM, "app response");
    rc = skt_app__message_of(out, "text/json", "utf-8", json, len);
    free(json);
    return rc;
}

/* The "result" string of a text/json response, in a new string. */
static int json_result_text(const skt_app_message *response, char **text,
                            size_t *len)
{
    const char *who = "app response", *result = NULL;
    cJSON *json = json_content(response, who);

    if (json != NULL)
        result = json_string(json, "result", who);
    if (result != NULL) {
        *len = strlen(result);
        *text = copy_bytes(result, *len);
    }
    cJSON_Delete(json);
    if (result == NULL)
        return -EBADMSG;
    return *text != NULL ? 0 : skt_app__fail(-ENOMEM, "app result");
}

int skt_app_result(const skt_app_message *response, char **text,
                   size_t *len)
{
    size_t scratch;

    SKT_APP__CHECK(text != NULL, "NULL argument");
    *text = NULL;
    SKT_APP__CHECK(response != NULL && response->content_type != NULL &&
                       response->content_encoding != NULL &&
                       (response->content != NULL ||
                        response->content_length == 0),
                   "NULL argument");
    if (len == NULL)
        len = &scratch;
    if (strcmp(response->content_type, "text/json") == 0)
        return json_result_text(response, text, len);
    *len = response->content_length;
    *text = copy_bytes(response->content, response->content_length);
    return *text != NULL ? 0 : skt_app__fail(-ENOMEM, "app result");
}
