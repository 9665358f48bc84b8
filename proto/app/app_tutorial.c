/*
 * app_tutorial.c - the requests and responses of the Real Python sockets
 * tutorial's client and server: what the client sends for an action and a
 * value, how the server answers (its search table, invalid actions, the
 * first 10 bytes of a binary request, an error reply for what it cannot
 * read), and what the client prints.
 */
#include "app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char binary_prefix[] = "First 10 bytes of request: ";

/* The server's search table. */
static const struct {
    const char *query;
    const char *answer;
} search_table[] = {
    {"morpheus", "Follow the white rabbit. \xf0\x9f\x90\xb0"},
    {"ring", "In the caves beneath the Misty Mountains. \xf0\x9f\x92\x8d"},
    {"\xf0\x9f\x90\xb6", "\xf0\x9f\x90\xbe Playing ball! \xf0\x9f\x8f\x90"},
};

int skt_app_request(skt_app_message **out, const char *action,
                    const char *value)
{
    size_t alen, vlen, len;
    char *text;
    int rc;

    SKT__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT__CHECK(action != NULL && value != NULL, "NULL argument");
    if (!skt__valid_text(action) || !skt__valid_text(value))
        return skt__fail(-EINVAL, "app request: action or value is not "
                         "UTF-8");
    if (strcmp(action, "search") == 0) {
        text = skt__json_dumps_strings("action", action, "value", value, &len);
        if (text == NULL)
            return skt__fail(-ENOMEM, "app request");
        rc = skt__app_message_of(out, "text/json", "utf-8", text, len);
        free(text);
        return rc;
    }
    /* A binary request carries the action followed by the value. */
    alen = strlen(action);
    vlen = strlen(value);
    text = malloc(alen + vlen + 1);
    if (text == NULL)
        return skt__fail(-ENOMEM, "app request");
    memcpy(text, action, alen);
    memcpy(text + alen, value, vlen);
    rc = skt__app_message_of(out, "binary/custom-client-binary-type",
                             "binary", text, alen + vlen);
    free(text);
    return rc;
}

/* A text/json message {"result": RESULT}. */
static int json_result(skt_app_message **out, const char *result)
{
    size_t len;
    char *text = skt__json_dumps_strings("result", result, NULL, NULL, &len);
    int rc;

    if (text == NULL)
        return skt__fail(-ENOMEM, "app response");
    rc = skt__app_message_of(out, "text/json", "utf-8", text, len);
    free(text);
    return rc;
}

/* A copy of text with "Error: " before it and every byte that is not
 * part of a UTF-8 sequence replaced by '?', so that any reason, even one
 * cut in the middle of a character, makes valid JSON text. */
static char *error_text(const char *reason)
{
    static const char prefix[] = "Error: ";
    size_t len = strlen(reason), used = sizeof prefix - 1;
    char *text = malloc(used + len + 1);

    if (text == NULL)
        return NULL;
    memcpy(text, prefix, used);
    for (size_t i = 0; i < len;) {
        size_t n = skt__utf8_sequence((const unsigned char *)reason + i,
                                      len - i);
        if (n == 0) {
            text[used++] = '?';
            i++;
            continue;
        }
        memcpy(text + used, reason + i, n);
        used += n;
        i += n;
    }
    text[used] = '\0';
    return text;
}

int skt_app_error_reply(skt_app_message **out, const char *reason)
{
    char *text;
    int rc;

    SKT__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT__CHECK(reason != NULL, "NULL argument");
    text = error_text(reason);
    if (text == NULL)
        return skt__fail(-ENOMEM, "app error reply");
    rc = json_result(out, text);
    free(text);
    return rc;
}

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
        skt__fail(-EBADMSG, "%s: unsupported content-encoding \"%s\"", who,
                  m->content_encoding);
        return NULL;
    }
    json = skt__json_loads(m->content, m->content_length);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        skt__fail(-EBADMSG, "%s: the content is not a UTF-8 JSON object",
                  who);
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
    skt__fail(-EBADMSG, "%s: no string \"%s\" in the content", who, name);
    return NULL;
}

/* The answer to a search for value: the table's, or "No match". */
static char *search(const char *value)
{
    const char *format = "No match for \"%s\".";
    char *answer;

    for (size_t i = 0; i < sizeof search_table / sizeof search_table[0]; i++)
        if (strcmp(value, search_table[i].query) == 0)
            return strdup(search_table[i].answer);
    if (asprintf(&answer, format, value) < 0)
        return NULL;
    return answer;
}

/* The answer to a JSON request's action, or NULL (the detail set). */
static char *answer_json(const cJSON *request, int *rc)
{
    const char *who = "app request", *action, *value;
    char *answer;

    *rc = -EBADMSG;
    action = json_string(request, "action", who);
    if (action == NULL)
        return NULL;
    if (strcmp(action, "search") != 0) {
        if (asprintf(&answer, "Error: invalid action \"%s\".", action) < 0)
            answer = NULL;
    } else {
        value = json_string(request, "value", who);
        if (value == NULL)
            return NULL;
        answer = search(value);
    }
    *rc = answer != NULL ? 0 : skt__fail(-ENOMEM, "app response");
    return answer;
}

/* The response to a text/json request; 1 when it answers an error. */
static int respond_json(const skt_app_message *request,
                        skt_app_message **out)
{
    cJSON *json = json_content(request, "app request");
    char *answer = NULL;
    int rc = -EBADMSG;

    if (json != NULL)
        answer = answer_json(json, &rc);
    cJSON_Delete(json);
    if (rc == -EBADMSG) {
        /* The peer gets the reason; the caller finds it in the detail. */
        char reason[512];
        snprintf(reason, sizeof reason, "%s", skt_error_detail());
        rc = skt_app_error_reply(out, reason);
        if (rc == 0)
            skt__fail_raw(-EBADMSG, "%s", reason);
        return rc < 0 ? rc : 1;
    }
    if (rc == 0)
        rc = json_result(out, answer);
    free(answer);
    return rc;
}

static int respond_binary(const skt_app_message *request,
                          skt_app_message **out)
{
    size_t prefix = sizeof binary_prefix - 1;
    size_t take = request->content_length < 10 ? request->content_length
                                               : 10;
    char content[sizeof binary_prefix - 1 + 10];

    memcpy(content, binary_prefix, prefix);
    if (take > 0)
        memcpy(content + prefix, request->content, take);
    return skt__app_message_of(out, "binary/custom-server-binary-type",
                               "binary", content, prefix + take);
}

int skt_app_respond(const skt_app_message *request, skt_app_message **out)
{
    SKT__CHECK(out != NULL, "NULL argument");
    *out = NULL;
    SKT__CHECK(request != NULL && request->content_type != NULL &&
                   request->content_encoding != NULL &&
                   (request->content != NULL ||
                    request->content_length == 0),
               "NULL argument");
    if (strcmp(request->content_type, "text/json") == 0)
        return respond_json(request, out);
    return respond_binary(request, out);
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
    return *text != NULL ? 0 : skt__fail(-ENOMEM, "app result");
}

int skt_app_result(const skt_app_message *response, char **text,
                   size_t *len)
{
    size_t scratch;

    SKT__CHECK(text != NULL, "NULL argument");
    *text = NULL;
    SKT__CHECK(response != NULL && response->content_type != NULL &&
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
    return *text != NULL ? 0 : skt__fail(-ENOMEM, "app result");
}
