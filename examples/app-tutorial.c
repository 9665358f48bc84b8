/*
 * app-tutorial.c - a helper file of the examples; copy it with the program
 * (app-server.c, which is built with it, and app-tutorial.h).
 *
 * What the Real Python sockets tutorial's server (libserver.py) answers,
 * on skt_app: its search table, the reply texts ("No match for ...",
 * "Error: invalid action ...", "First 10 bytes of request: ..."), and an
 * "Error: ..." reply for a request it cannot read. app-server.c serves it.
 */
/* asprintf is a GNU (and BSD) extension of stdio.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "app-tutorial.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Sets the detail as skt's own failures read, "TEXT: <message>", and
 * returns code. */
static int fail(int code, const char *text)
{
    return skt_set_error_detail(code, "%s: %s", text, skt_strerror(code));
}

int tutorial_error_reply(skt_app_message **out, const char *reason)
{
    char *text;
    int rc;

    if (out == NULL)
        return fail(-EINVAL, "tutorial_error_reply: NULL argument");
    *out = NULL;
    if (reason == NULL)
        return fail(-EINVAL, "tutorial_error_reply: NULL argument");
    if (asprintf(&text, "Error: %s", reason) < 0)
        return fail(-ENOMEM, "app error reply");
    rc = skt_app_response(out, text);
    free(text);
    return rc;
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

/* Fails with -EBADMSG: the request has no string member name. */
static int no_string(const char *name)
{
    return skt_set_error_detail(-EBADMSG, "app request: no string \"%s\" in "
                                "the content: %s", name,
                                skt_strerror(-EBADMSG));
}

/* The answer to a JSON request's action and value (either may be NULL),
 * or NULL with *rc and the detail set. */
static char *answer_json(const char *action, const char *value, int *rc)
{
    char *answer;

    if (action == NULL) {
        *rc = no_string("action");
        return NULL;
    }
    if (strcmp(action, "search") != 0) {
        if (asprintf(&answer, "Error: invalid action \"%s\".", action) < 0)
            answer = NULL;
    } else if (value == NULL) {
        *rc = no_string("value");
        return NULL;
    } else {
        answer = search(value);
    }
    *rc = answer != NULL ? 0 : fail(-ENOMEM, "app response");
    return answer;
}

/* Answers a request whose content is malformed with the reason, which
 * the detail holds; returns 1 (or a code). */
static int reply_malformed(skt_app_message **out)
{
    /* The peer gets the reason; the caller finds it in the detail. */
    char reason[512];
    int rc;

    snprintf(reason, sizeof reason, "%s", skt_error_detail());
    rc = tutorial_error_reply(out, reason);
    if (rc == 0)
        skt_set_error_detail(-EBADMSG, "%s", reason);
    return rc < 0 ? rc : 1;
}

/* The response to a text/json request; 1 when it answers an error. */
static int respond_json(const skt_app_message *request,
                        skt_app_message **out)
{
    char *action, *value, *answer = NULL;
    int rc = skt_app_request_fields(request, &action, &value);

    if (rc == 0)
        answer = answer_json(action, value, &rc);
    free(action);
    free(value);
    if (rc == -EBADMSG)
        return reply_malformed(out);
    if (rc == 0)
        rc = skt_app_response(out, answer);
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
    return skt_app_message_new(out, "binary/custom-server-binary-type",
                               "binary", content, prefix + take);
}

int tutorial_respond(const skt_app_message *request, skt_app_message **out)
{
    if (out == NULL)
        return fail(-EINVAL, "tutorial_respond: NULL argument");
    *out = NULL;
    if (request == NULL || request->content_type == NULL ||
        request->content_encoding == NULL ||
        (request->content == NULL && request->content_length > 0))
        return fail(-EINVAL, "tutorial_respond: NULL argument");
    if (strcmp(request->content_type, "text/json") == 0)
        return respond_json(request, out);
    return respond_binary(request, out);
}
