/*
 * skt_app.h - the application protocol of the Real Python sockets
 * tutorial, on skt (library libskt_app, which links libskt and cJSON).
 *
 * skt's client and server talk to the tutorial's Python client and server
 * byte for byte. A message is a 2-byte big-endian header length; a UTF-8
 * JSON object with "byteorder", "content-type", "content-encoding" and
 * "content-length"; then content-length bytes of content. JSON is written
 * as Python's json.dumps(obj, ensure_ascii=False) writes it (", " and ": "
 * separators, non-ASCII characters as UTF-8). A request of content-type
 * "text/json" holds {"action": ..., "value": ...}; any other content-type
 * is binary. A text/json response holds {"result": ...}. One request per
 * connection; the server closes after its response.
 *
 * The conventions of skt.h hold here too: success returns >= 0, failure a
 * negative code with skt_error_detail() saying why, and a NULL pointer
 * where one is required returns -EINVAL.
 */
#ifndef SKT_APP_H
#define SKT_APP_H

#include "skt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Messages                                                                 */
/* ======================================================================== */

/* Default limits of a decoder: the header (the protocol allows 65535
 * bytes) and the content. */
#define SKT_APP_HEADER_MAX_DEFAULT 8192
#define SKT_APP_CONTENT_MAX_DEFAULT ((size_t)16 << 20)

/* Options of the receiving side. All zero (or NULL) means the defaults. */
typedef struct skt_app_opts {
    /* Longest header accepted, at most 65535; 0 means the default. */
    size_t max_header;
    /* Longest content accepted; 0 means the default. */
    size_t max_content;
    /* Zero: room for fields to come (see "Options structs" in skt.h). */
    void *reserved[4];
} skt_app_opts;

/*
 * skt_app_message - one message. To send, fill one in yourself (the
 * pointers are yours; byteorder NULL means this machine's, "little" or
 * "big", as Python's sys.byteorder). Messages the library returns are
 * one allocation, freed with skt_app_message_free; their content is
 * followed by a NUL that content_length does not count.
 */
typedef struct skt_app_message {
    const char *byteorder;
    const char *content_type;
    const char *content_encoding;
    const void *content;
    size_t content_length;
} skt_app_message;

/*
 * skt_app_message_new - a message of this machine's byte order with the
 * given content-type, content-encoding and a copy of len bytes of content
 * (content may be NULL when len is 0), in one allocation. Returns 0 and
 * *out (free with skt_app_message_free). Errors: -EINVAL (NULL), -ENOMEM.
 * No I/O.
 */
SKT_EXTERN int skt_app_message_new(skt_app_message **out,
                                   const char *content_type,
                                   const char *content_encoding,
                                   const void *content, size_t len);

/* skt_app_message_free - free a message the library returned; NULL is a
 * no-op.
 * No I/O. */
SKT_EXTERN void skt_app_message_free(skt_app_message *m);

/*
 * skt_app_encode - the bytes of a message on the wire, in *out (release
 * with free()) and their count in *len. Returns 0. Errors: -EINVAL (NULL
 * argument or field, a string that is not UTF-8), SKT_EMSGTOOBIG (the
 * header over 65535 bytes), -ENOMEM. No I/O.
 */
SKT_EXTERN int skt_app_encode(const skt_app_message *m, void **out,
                              size_t *len);

/*
 * skt_app_send - encode a message and send it under one deadline. *sent
 * (may be NULL) receives the bytes sent, on failure too. Returns 0.
 * Errors: as skt_app_encode, and as skt_sendall. Honours the timeout as
 * one deadline.
 */
SKT_EXTERN int skt_app_send(skt_socket *s, const skt_app_message *m,
                            size_t *sent);

/*
 * skt_app_recv - receive one message (opts may be NULL), reading exactly
 * its bytes and nothing after it, under one deadline. Returns 0 and *out
 * (free with skt_app_message_free). Errors: SKT_EEOF (closed before the
 * message was complete), SKT_EBADHEADER (the header is not a UTF-8 JSON
 * object with the four fields, "content-length" a non-negative integer),
 * SKT_EMSGTOOBIG (header or content over the limit), -ETIMEDOUT, -EAGAIN
 * (non-blocking mode: use a decoder instead), -ECONNRESET, -ENOMEM,
 * -EINVAL. After a failure the connection cannot be read in step any
 * more: close it. Honours the timeout as one deadline.
 */
SKT_EXTERN int skt_app_recv(skt_socket *s, const skt_app_opts *opts,
                            skt_app_message **out);

/* A decoder of application messages, for non-blocking sockets. */
typedef struct skt_app_decoder skt_app_decoder;

/* skt_app_decoder_new - a decoder of messages fed in pieces; opts may be
 * NULL. Returns 0 and *out, to free with skt_app_decoder_free. Errors:
 * -EINVAL (a limit over 65535 for the header), -ENOMEM.
 * No I/O. */
SKT_EXTERN int skt_app_decoder_new(skt_app_decoder **out,
                                   const skt_app_opts *opts);
/* skt_app_decoder_free - free a decoder and what it holds; NULL is a
 * no-op.
 * No I/O. */
SKT_EXTERN void skt_app_decoder_free(skt_app_decoder *d);

/* skt_app_decoder_feed - give it len more bytes (copied). Returns 0.
 * Errors: -EINVAL, -ENOMEM (nothing taken). No I/O. */
SKT_EXTERN int skt_app_decoder_feed(skt_app_decoder *d, const void *data,
                                    size_t len);

/*
 * skt_app_decoder_pop - take the next complete message into *out (free
 * with skt_app_message_free). Returns 1 for a message, 0 when more bytes
 * are needed. Errors: SKT_EBADHEADER, SKT_EMSGTOOBIG (as skt_app_recv; the
 * error is then returned by every later pop, since the stream cannot be
 * read in step any more), -ENOMEM, -EINVAL. No I/O.
 */
SKT_EXTERN int skt_app_decoder_pop(skt_app_decoder *d, skt_app_message **out);

/* skt_app_decoder_buffered - bytes held that no message has taken yet.
 * Returns the count (0 for NULL). Errors: none. No I/O. */
SKT_EXTERN size_t skt_app_decoder_buffered(const skt_app_decoder *d);

/* ======================================================================== */
/* Requests and responses                                                   */
/* ======================================================================== */

/*
 * skt_app_request - the request the tutorial's client sends for an action
 * and a value: for "search", text/json {"action": ..., "value": ...} in
 * utf-8; for any other action, content-type
 * "binary/custom-client-binary-type", encoding "binary", content the
 * action followed by the value. Returns 0 and *out. Errors: -EINVAL (NULL,
 * not UTF-8), -ENOMEM. No I/O.
 */
SKT_EXTERN int skt_app_request(skt_app_message **out, const char *action,
                               const char *value);

/*
 * skt_app_request_fields - what a server reads of a text/json request: the
 * strings "action" and "value" of its JSON object, in *action and *value
 * (release with free()), each NULL when the object has no string of that
 * name, as Python's dict.get gives None. Returns 0. Errors: -EBADMSG (a
 * content-type other than text/json, an encoding other than utf-8,
 * content that is not a UTF-8 JSON object; the detail says which),
 * -EINVAL, -ENOMEM; *action and *value are NULL then. No I/O.
 */
SKT_EXTERN int skt_app_request_fields(const skt_app_message *request,
                                      char **action, char **value);

/*
 * skt_app_response - the text/json response {"result": RESULT} in utf-8.
 * result may be any text: it is escaped as JSON needs, and a byte that is
 * not part of a UTF-8 character (a sentence cut short, say) becomes '?'.
 * Returns 0 and *out. Errors: -EINVAL (NULL), -ENOMEM. No I/O.
 */
SKT_EXTERN int skt_app_response(skt_app_message **out, const char *result);

/*
 * skt_app_result - what a client prints for a response: for text/json the
 * string "result" of its JSON object, else the content's bytes. *text
 * (release with free()) is NUL-terminated; *len (may be NULL) its length.
 * Returns 0. Errors: -EBADMSG (text/json content that is not UTF-8 JSON
 * with a string "result", or not in utf-8), -EINVAL, -ENOMEM. No I/O.
 */
SKT_EXTERN int skt_app_result(const skt_app_message *response, char **text,
                              size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SKT_APP_H */
