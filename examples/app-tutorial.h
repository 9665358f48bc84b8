/*
 * app-tutorial.h - a helper header of the examples; copy it with the
 * program. app-server.c includes it and is built with app-tutorial.c,
 * which implements it:
 *
 *     cc -o app-server app-server.c app-tutorial.c \
 *         $(pkg-config --cflags --libs skt_app)
 *
 * It declares what the Real Python sockets tutorial's server
 * (libserver.py) answers: a search in its small table, the first 10 bytes
 * of a binary request, and an "Error: ..." reply for a request it cannot
 * read. skt's tests build it too, and compare its answers with Python's.
 */
#ifndef APP_TUTORIAL_H
#define APP_TUTORIAL_H

#include <skt_app.h>

/*
 * tutorial_respond - the tutorial server's response to a request. For
 * text/json: action "search" looks its value up in the server's table
 * ("morpheus", "ring", and the dog face U+1F436), else "No match for
 * \"VALUE\"."; any other action is answered "Error: invalid action
 * \"ACTION\"."; the answer goes back as text/json {"result": ...}. For any
 * other content-type: content-type "binary/custom-server-binary-type",
 * encoding "binary", content "First 10 bytes of request: " and the
 * request's first 10 bytes. Returns 0 and *out; or 1 when the request's
 * content was malformed (not UTF-8 JSON, no string "action" or "value", an
 * encoding other than utf-8): *out then answers "Error: ..." and
 * skt_error_detail() says why. Errors: -EINVAL, -ENOMEM. No I/O.
 */
int tutorial_respond(const skt_app_message *request, skt_app_message **out);

/*
 * tutorial_error_reply - a text/json response {"result": "Error: REASON"},
 * for a server that could not read a request. reason may be any text: it
 * is escaped as JSON needs, and a byte that is not part of a UTF-8
 * character (a sentence cut short, say) becomes '?'. Returns 0 and *out.
 * Errors: -EINVAL (NULL), -ENOMEM. No I/O.
 */
int tutorial_error_reply(skt_app_message **out, const char *reason);

#endif /* APP_TUTORIAL_H */
