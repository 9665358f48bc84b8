/*
 * test-app.c - the tutorial's application protocol: bytes identical to a
 * Python implementation (tests/peers/app_*.py) for requests and responses,
 * the server's answers (the example's, examples/app-tutorial.c), the
 * decoder (fed in pieces, and every malformed header), receiving over
 * sockets, and the examples: C client and C server, C against Python both
 * ways, 200 concurrent clients, and every malformed input answered with an
 * error while the others go on being served.
 */
#include "harness.h"

#include <skt_app.h>

/* The tutorial server's answers, which are the example's. */
#include "app-tutorial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Actions and values whose requests and responses are compared with
 * Python's, byte for byte: the table, misses, JSON escapes, non-ASCII,
 * and binary requests. */
static const char *const exchanges[][2] = {
    {"search", "morpheus"},
    {"search", "ring"},
    {"search", "\xf0\x9f\x90\xb6"},
    {"search", "nothing here"},
    {"search", ""},
    {"search", "quote \" backslash \\ tab \t newline \n ctrl \x01 del \x7f"},
    {"search", "caf\xc3\xa9 \xe2\x80\xa8 \xe6\x97\xa5\xe6\x9c\xac"},
    {"echo", "hello world, this is longer than ten bytes"},
    {"x", "y"},
    {"binary", "\xc3\xa9t\xc3\xa9"},
};
#define EXCHANGES (sizeof exchanges / sizeof exchanges[0])

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static const char *python_or_skip(void)
{
    const char *python = skt_test_python();
    if (python == NULL)
        SKT_SKIP("python3 is not installed");
    return python;
}

static const char *peer_path(const char *name, char *buf, size_t len)
{
    char relative[128];
    snprintf(relative, sizeof relative, "tests/peers/%s", name);
    return skt_test_source_path(relative, buf, len);
}

static const char *example_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/examples/%s", SKT_BINARY_DIR, name);
    return buf;
}

/* Reads fd to its end within timeout seconds; returns a NUL-terminated
 * buffer (to free) and its length in *len. */
static char *read_all(int fd, size_t *len, double timeout)
{
    double end = skt_test_now() + timeout;
    size_t cap = 4096, used = 0;
    char *data = malloc(cap);

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = (int)((end - skt_test_now()) * 1000);
        ssize_t n;
        assert_true(ms > 0);
        assert_int_equal(poll(&p, 1, ms), 1);
        if (used + 1024 > cap)
            data = realloc(data, cap *= 2);
        n = read(fd, data + used, cap - used - 1);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    data[used] = '\0';
    *len = used;
    return data;
}

/* Runs argv with stdout (and stderr, when both is set) captured; returns
 * the output and the exit status in *status. */
static char *run(char *const argv[], bool both, int *status, size_t *len)
{
    char *sh_argv[16] = {"sh", "-c", "exec \"$0\" \"$@\" 2>&1"};
    int fd, i;
    pid_t pid;
    char *out;

    for (i = 0; argv[i] != NULL && i < 12; i++)
        sh_argv[3 + i] = argv[i];
    sh_argv[3 + i] = NULL;
    pid = skt_test_spawn(both ? sh_argv : argv, &fd);
    out = read_all(fd, len, 30);
    close(fd);
    *status = skt_test_wait(pid, 30);
    return out;
}

/* The bytes of a C-built message on the wire. */
static void *wire_of(const skt_app_message *m, size_t *len)
{
    void *wire;
    SKT_OK(skt_app_encode(m, &wire, len));
    return wire;
}

/* What a Python peer writes for a request given on its stdin. */
static char *python_response(const void *request, size_t len,
                             size_t *out_len)
{
    char path[512], file[] = "/tmp/skt-app-request.XXXXXX", cmd[1200];
    int fd = mkstemp(file), status;
    char *out;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, request, len), (ssize_t)len);
    close(fd);
    snprintf(cmd, sizeof cmd, "exec %s %s --respond-only < %s",
             python_or_skip(), peer_path("app_server.py", path, sizeof path),
             file);
    char *argv[] = {"sh", "-c", cmd, NULL};
    out = run(argv, false, &status, out_len);
    unlink(file);
    assert_int_equal(status, 0);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Byte compatibility with Python                                           */
/* ------------------------------------------------------------------------ */

static void test_requests_are_byte_identical_to_python(void **state)
{
    const char *python = python_or_skip();
    char path[512];
    (void)state;

    for (size_t i = 0; i < EXCHANGES; i++) {
        char *argv[] = {(char *)python,
                        (char *)peer_path("app_client.py", path, sizeof path),
                        "--encode-only", "--", (char *)exchanges[i][0],
                        (char *)exchanges[i][1], NULL};
        skt_app_message *request;
        size_t len, py_len;
        int status;
        char *py = run(argv, false, &status, &py_len);
        void *wire;

        assert_int_equal(status, 0);
        SKT_OK(skt_app_request(&request, exchanges[i][0], exchanges[i][1]));
        wire = wire_of(request, &len);
        if (len != py_len || memcmp(wire, py, len) != 0)
            print_error("request %zu differs:\n  C:  %.*s\n  py: %.*s\n", i,
                        (int)len - 2, (char *)wire + 2, (int)py_len - 2,
                        py + 2);
        assert_int_equal(len, py_len);
        assert_memory_equal(wire, py, len);
        free(wire);
        free(py);
        skt_app_message_free(request);
    }
}

/* Checks that C and Python answer the request m with the same bytes. */
static void same_response_as_python(const skt_app_message *m)
{
    skt_app_message *response;
    size_t req_len, len, py_len;
    void *request = wire_of(m, &req_len), *wire;
    char *py = python_response(request, req_len, &py_len);

    assert_true(tutorial_respond(m, &response) >= 0);
    wire = wire_of(response, &len);
    if (len != py_len || memcmp(wire, py, len) != 0)
        print_error("response differs:\n  C:  %.*s\n  py: %.*s\n",
                    (int)len - 2, (char *)wire + 2, (int)py_len - 2, py + 2);
    assert_int_equal(len, py_len);
    assert_memory_equal(wire, py, len);
    free(wire);
    free(py);
    free(request);
    skt_app_message_free(response);
}

static void test_responses_are_byte_identical_to_python(void **state)
{
    const char *invalid = "{\"action\": \"find\", \"value\": \"x\"}";
    skt_app_message m = {NULL, "text/json", "utf-8", invalid,
                         strlen(invalid)};
    (void)state;

    python_or_skip();
    for (size_t i = 0; i < EXCHANGES; i++) {
        skt_app_message *request;
        SKT_OK(skt_app_request(&request, exchanges[i][0], exchanges[i][1]));
        same_response_as_python(request);
        skt_app_message_free(request);
    }
    /* A text/json request with another action; a short binary one. */
    same_response_as_python(&m);
    m = (skt_app_message){"big", "image/png", "binary", "\x89PNG", 4};
    same_response_as_python(&m);
}

/* ------------------------------------------------------------------------ */
/* The server's answers                                                     */
/* ------------------------------------------------------------------------ */

/* The result text of the server's response to a search. */
static void expect_answer(const char *action, const char *value,
                          const char *want)
{
    skt_app_message *request, *response;
    char *text;
    size_t len;

    SKT_OK(skt_app_request(&request, action, value));
    SKT_OK(tutorial_respond(request, &response));
    SKT_OK(skt_app_result(response, &text, &len));
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
    skt_app_message_free(request);
    skt_app_message_free(response);
}

static void test_search_table_and_misses(void **state)
{
    (void)state;
    expect_answer("search", "morpheus",
                  "Follow the white rabbit. \xf0\x9f\x90\xb0");
    expect_answer("search", "ring",
                  "In the caves beneath the Misty Mountains. "
                  "\xf0\x9f\x92\x8d");
    expect_answer("search", "\xf0\x9f\x90\xb6",
                  "\xf0\x9f\x90\xbe Playing ball! \xf0\x9f\x8f\x90");
    expect_answer("search", "Morpheus", "No match for \"Morpheus\".");
    expect_answer("search", "say \"hi\"", "No match for \"say \"hi\"\".");
}

static void test_other_action_in_json_is_invalid_action(void **state)
{
    const char *content = "{\"action\": \"delete\", \"value\": \"all\"}";
    skt_app_message m = {NULL, "text/json", "utf-8", content,
                         strlen(content)};
    skt_app_message *response;
    char *text;
    (void)state;

    assert_int_equal(tutorial_respond(&m, &response), 0);
    assert_string_equal(response->content_type, "text/json");
    SKT_OK(skt_app_result(response, &text, NULL));
    assert_string_equal(text, "Error: invalid action \"delete\".");
    free(text);
    skt_app_message_free(response);
}

static void test_binary_request_gets_its_first_ten_bytes(void **state)
{
    skt_app_message m = {"little", "application/octet-stream", "binary",
                         "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 11};
    skt_app_message *response;
    char *text;
    size_t len;
    (void)state;

    SKT_OK(tutorial_respond(&m, &response));
    assert_string_equal(response->content_type,
                        "binary/custom-server-binary-type");
    assert_string_equal(response->content_encoding, "binary");
    SKT_OK(skt_app_result(response, &text, &len));
    assert_int_equal(len, 27 + 10);
    assert_memory_equal(text, "First 10 bytes of request: ", 27);
    assert_memory_equal(text + 27, m.content, 10);
    free(text);
    skt_app_message_free(response);
    /* Fewer than ten: all of them. */
    m.content_length = 3;
    SKT_OK(tutorial_respond(&m, &response));
    assert_int_equal(response->content_length, 30);
    skt_app_message_free(response);
}

static void test_client_requests_have_the_tutorial_fields(void **state)
{
    skt_app_message *m;
    (void)state;

    SKT_OK(skt_app_request(&m, "search", "ring"));
    assert_string_equal(m->content_type, "text/json");
    assert_string_equal(m->content_encoding, "utf-8");
    assert_string_equal(m->content, "{\"action\": \"search\", "
                                    "\"value\": \"ring\"}");
    skt_app_message_free(m);
    SKT_OK(skt_app_request(&m, "jump", "high"));
    assert_string_equal(m->content_type, "binary/custom-client-binary-type");
    assert_string_equal(m->content_encoding, "binary");
    assert_int_equal(m->content_length, 8);
    assert_memory_equal(m->content, "jumphigh", 8);
    assert_string_equal(m->byteorder, "little");
    skt_app_message_free(m);
    assert_int_equal(skt_app_request(&m, "search", "\xff"), -EINVAL);
    assert_null(m);
}

static void test_malformed_request_content_gets_an_error_reply(void **state)
{
    static const struct {
        const char *encoding;
        const char *content;
        const char *detail;
    } cases[] = {
        {"utf-8", "not json", "not a UTF-8 JSON object"},
        {"utf-8", "[\"search\", \"ring\"]", "not a UTF-8 JSON object"},
        {"utf-8", "{\"value\": \"ring\"}", "no string \"action\""},
        {"utf-8", "{\"action\": 5}", "no string \"action\""},
        {"utf-8", "{\"action\": \"search\"}", "no string \"value\""},
        {"utf-8", "{\"action\": \"search\", \"value\": \"\xc3\"}",
         "not a UTF-8 JSON object"},
        {"latin-1", "{\"action\": \"search\", \"value\": \"x\"}",
         "unsupported content-encoding \"latin-1\""},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        skt_app_message m = {NULL, "text/json", cases[i].encoding,
                             cases[i].content, strlen(cases[i].content)};
        skt_app_message *response;
        char *text;
        assert_int_equal(tutorial_respond(&m, &response), 1);
        assert_non_null(strstr(skt_error_detail(), cases[i].detail));
        SKT_OK(skt_app_result(response, &text, NULL));
        assert_memory_equal(text, "Error: ", 7);
        assert_non_null(strstr(text, cases[i].detail));
        free(text);
        skt_app_message_free(response);
    }
}

static void test_result_of_malformed_responses_is_ebadmsg(void **state)
{
    static const char *const contents[] = {
        "{\"answer\": \"x\"}", "{\"result\": 3}", "\"result\"", "{",
    };
    char *text = (char *)1;
    (void)state;

    for (size_t i = 0; i < 4; i++) {
        skt_app_message m = {NULL, "text/json", "utf-8", contents[i],
                             strlen(contents[i])};
        assert_int_equal(skt_app_result(&m, &text, NULL), -EBADMSG);
        assert_null(text);
    }
}

/* ------------------------------------------------------------------------ */
/* Encoding and decoding                                                    */
/* ------------------------------------------------------------------------ */

static void test_encode_refuses_what_it_cannot_write(void **state)
{
    char *huge = malloc(70001);
    skt_app_message m = {NULL, huge, "binary", "", 0};
    void *wire = (void *)1;
    size_t len;
    (void)state;

    memset(huge, 't', 70000);
    huge[70000] = '\0';
    assert_int_equal(skt_app_encode(&m, &wire, &len), SKT_EMSGTOOBIG);
    assert_null(wire);
    m.content_type = "bad \xc0\xaf utf-8";
    assert_int_equal(skt_app_encode(&m, &wire, &len), -EINVAL);
    m.content_type = NULL;
    assert_int_equal(skt_app_encode(&m, &wire, &len), -EINVAL);
    free(huge);
}

/* Decodes a stream of messages fed in pieces of `piece` bytes into one
 * line of text per message. */
static void decode_to_text(const char *data, size_t len, size_t piece,
                           char *out, size_t cap)
{
    skt_app_decoder *d;
    skt_app_message *m;
    size_t used = 0;

    SKT_OK(skt_app_decoder_new(&d, NULL));
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        SKT_OK(skt_app_decoder_feed(d, data + off, n));
        while (skt_app_decoder_pop(d, &m) == 1) {
            used += (size_t)snprintf(out + used, cap - used,
                                     "%s|%s|%s|%zu|%s\n", m->byteorder,
                                     m->content_type, m->content_encoding,
                                     m->content_length,
                                     (const char *)m->content);
            skt_app_message_free(m);
        }
    }
    assert_int_equal(skt_app_decoder_buffered(d), 0);
    skt_app_decoder_free(d);
}

static void test_decoder_bytewise_and_whole_agree(void **state)
{
    char data[8192], whole[8192], bytewise[8192];
    size_t len = 0;
    (void)state;

    for (size_t i = 0; i < EXCHANGES; i++) {
        skt_app_message *m;
        size_t n;
        void *wire;
        SKT_OK(skt_app_request(&m, exchanges[i][0], exchanges[i][1]));
        wire = wire_of(m, &n);
        memcpy(data + len, wire, n);
        len += n;
        free(wire);
        skt_app_message_free(m);
    }
    decode_to_text(data, len, len, whole, sizeof whole);
    decode_to_text(data, len, 1, bytewise, sizeof bytewise);
    assert_string_equal(whole, bytewise);
    assert_non_null(strstr(whole, "little|text/json|utf-8|41|{\"action\": "
                                  "\"search\", \"value\": \"morpheus\"}\n"));
    assert_non_null(strstr(whole, "little|binary/custom-client-binary-type|"
                                  "binary|2|xy\n"));
}

/* A message with the given raw header text and content length of bytes. */
static size_t raw_message(char *out, const char *header, size_t header_len,
                          const char *content)
{
    out[0] = (char)(header_len >> 8);
    out[1] = (char)header_len;
    memcpy(out + 2, header, header_len);
    strcpy(out + 2 + header_len, content);
    return 2 + header_len + strlen(content);
}

#define HEADER(fields) "{" fields "}"
#define ORDER "\"byteorder\": \"little\""
#define TYPE "\"content-type\": \"text/json\""
#define ENCODING "\"content-encoding\": \"utf-8\""
#define LENGTH "\"content-length\": 2"

/* Malformed headers and the code and detail each one gets. */
static const struct {
    const char *name;
    const char *header;
    int code;
    const char *detail;
} malformed[] = {
    {"no byteorder", HEADER(TYPE ", " ENCODING ", " LENGTH), SKT_EBADHEADER,
     "no \"byteorder\" field"},
    {"no content-type", HEADER(ORDER ", " ENCODING ", " LENGTH),
     SKT_EBADHEADER, "no \"content-type\" field"},
    {"no content-encoding", HEADER(ORDER ", " TYPE ", " LENGTH),
     SKT_EBADHEADER, "no \"content-encoding\" field"},
    {"no content-length", HEADER(ORDER ", " TYPE ", " ENCODING),
     SKT_EBADHEADER, "no \"content-length\" field"},
    {"bad JSON", "{\"byteorder\": \"little\", ", SKT_EBADHEADER,
     "not a UTF-8 JSON object"},
    {"trailing bytes", HEADER(ORDER ", " TYPE ", " ENCODING ", " LENGTH) "x",
     SKT_EBADHEADER, "not a UTF-8 JSON object"},
    {"not an object", "[1, 2]", SKT_EBADHEADER, "not a UTF-8 JSON object"},
    {"not UTF-8", "{\"byteorder\": \"\xff\"}", SKT_EBADHEADER,
     "not a UTF-8 JSON object"},
    {"empty header", "", SKT_EBADHEADER, "not a UTF-8 JSON object"},
    {"type not a string",
     HEADER(ORDER ", \"content-type\": 7, " ENCODING ", " LENGTH),
     SKT_EBADHEADER, "\"content-type\" is not a string"},
    {"negative length",
     HEADER(ORDER ", " TYPE ", " ENCODING ", \"content-length\": -1"),
     SKT_EBADHEADER, "not a non-negative integer"},
    {"fractional length",
     HEADER(ORDER ", " TYPE ", " ENCODING ", \"content-length\": 1.5"),
     SKT_EBADHEADER, "not a non-negative integer"},
    {"length as text",
     HEADER(ORDER ", " TYPE ", " ENCODING ", \"content-length\": \"2\""),
     SKT_EBADHEADER, "not a non-negative integer"},
    {"content over the limit",
     HEADER(ORDER ", " TYPE ", " ENCODING
            ", \"content-length\": 16777217"),
     SKT_EMSGTOOBIG, "content of 16777217 bytes"},
};
#define MALFORMED (sizeof malformed / sizeof malformed[0])

static void test_decoder_malformed_headers(void **state)
{
    char data[512];
    (void)state;

    for (size_t i = 0; i < MALFORMED; i++) {
        skt_app_decoder *d;
        skt_app_message *m = (skt_app_message *)1;
        size_t len = raw_message(data, malformed[i].header,
                                 strlen(malformed[i].header), "{}");
        int rc;

        SKT_OK(skt_app_decoder_new(&d, NULL));
        SKT_OK(skt_app_decoder_feed(d, data, len));
        rc = skt_app_decoder_pop(d, &m);
        if (rc != malformed[i].code ||
            !strstr(skt_error_detail(), malformed[i].detail))
            print_error("%s: %d (%s)\n", malformed[i].name, rc,
                        skt_error_detail());
        assert_int_equal(rc, malformed[i].code);
        assert_null(m);
        assert_non_null(strstr(skt_error_detail(), malformed[i].detail));
        /* Final: the stream is out of step from here on. */
        SKT_OK(skt_app_decoder_feed(d, data, len));
        assert_int_equal(skt_app_decoder_pop(d, &m), malformed[i].code);
        assert_non_null(strstr(skt_error_detail(), malformed[i].detail));
        skt_app_decoder_free(d);
    }
}

static void test_decoder_header_over_the_limit(void **state)
{
    skt_app_opts opts = {.max_header = 40};
    skt_app_decoder *d;
    skt_app_message *m;
    (void)state;

    /* The length alone is enough to refuse it. */
    SKT_OK(skt_app_decoder_new(&d, &opts));
    assert_int_equal(skt_app_decoder_pop(d, &m), 0);
    SKT_OK(skt_app_decoder_feed(d, "\x00\x29", 2));
    assert_int_equal(skt_app_decoder_pop(d, &m), SKT_EMSGTOOBIG);
    assert_non_null(strstr(skt_error_detail(), "header of 41 bytes"));
    skt_app_decoder_free(d);
    opts.max_header = 65536;
    assert_int_equal(skt_app_decoder_new(&d, &opts), -EINVAL);
}

static void test_recv_reads_exactly_one_message(void **state)
{
    skt_socket *a, *b;
    skt_app_message *request, *got;
    char rest[16];
    (void)state;

    SKT_OK(skt_socketpair(&a, &b, AF_UNIX, SOCK_STREAM, 0));
    SKT_OK(skt_app_request(&request, "search", "ring"));
    SKT_OK(skt_app_send(a, request, NULL));
    SKT_OK(skt_sendall(a, "extra", 5, 0, NULL));
    SKT_OK(skt_app_recv(b, NULL, &got));
    assert_string_equal(got->content, request->content);
    assert_int_equal(got->content_length, request->content_length);
    assert_string_equal(got->byteorder, "little");
    /* Nothing past the message was taken from the socket. */
    assert_int_equal(skt_recv(b, rest, sizeof rest, 0), 5);
    skt_app_message_free(request);
    skt_app_message_free(got);
    skt_close(a);
    skt_close(b);
}

static void test_recv_timeout_and_eof(void **state)
{
    skt_socket *a, *b;
    skt_app_message *m = (skt_app_message *)1;
    double start;
    (void)state;

    skt_test_tcp_pair(&a, &b);
    SKT_OK(skt_settimeout(b, 0.2));
    SKT_OK(skt_sendall(a, "\x00\x10{\"byteorder\"", 15, 0, NULL));
    start = skt_test_now();
    assert_int_equal(skt_app_recv(b, NULL, &m), -ETIMEDOUT);
    assert_true(skt_test_now() - start >= 0.2);
    assert_null(m);
    skt_close(a);
    assert_int_equal(skt_app_recv(b, NULL, &m), SKT_EEOF);
    assert_non_null(strstr(skt_error_detail(), "header length"));
    skt_close(b);
}

/* ------------------------------------------------------------------------ */
/* The examples, and the Python peers                                       */
/* ------------------------------------------------------------------------ */

struct server {
    pid_t pid;
    int out;
    int port;
};

/*
 * Starts a server with its stdout on a pipe, like skt_test_spawn, but
 * bound to die with this process: a case that fails, or that CTest kills
 * at its timeout, must not leave a server behind holding CTest's pipe.
 */
static pid_t spawn_server(char *const argv[], int *out_fd)
{
    pid_t parent = getpid(), pid;
    int fds[2];

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    *out_fd = fds[0];
    return pid;
}

/* Starts a server (argv) and reads its "listening on" line. */
static void start_server(struct server *srv, char *const argv[])
{
    char line[256];
    const char *colon;

    srv->pid = spawn_server(argv, &srv->out);
    if (skt_test_read_line(srv->out, line, sizeof line, 20) < 0)
        fail_msg("the server printed no \"listening on\" line");
    assert_memory_equal(line, "listening on 127.0.0.1:", 23);
    colon = strrchr(line, ':');
    srv->port = atoi(colon + 1);
    assert_true(srv->port > 0);
}

static void start_c_server(struct server *srv)
{
    char path[512];
    char *argv[] = {(char *)example_path("app-server", path, sizeof path),
                    "127.0.0.1", "0", NULL};
    start_server(srv, argv);
}

static void start_python_server(struct server *srv)
{
    char path[512];
    char *argv[] = {(char *)python_or_skip(),
                    (char *)peer_path("app_server.py", path, sizeof path),
                    NULL};
    start_server(srv, argv);
}

/* Stops a server with SIGTERM; it must exit 0 (a sanitizer finding, a
 * leak included, would make it fail). */
static void stop_server(struct server *srv)
{
    int status;

    kill(srv->pid, SIGTERM);
    status = skt_test_wait(srv->pid, 20);
    close(srv->out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* What the client prints for each exchange. */
static const char *const printed[EXCHANGES] = {
    "Got result: Follow the white rabbit. \xf0\x9f\x90\xb0\n",
    "Got result: In the caves beneath the Misty Mountains. "
    "\xf0\x9f\x92\x8d\n",
    "Got result: \xf0\x9f\x90\xbe Playing ball! \xf0\x9f\x8f\x90\n",
    "Got result: No match for \"nothing here\".\n",
    "Got result: No match for \"\".\n",
    "Got result: No match for \"quote \" backslash \\ tab \t newline \n "
    "ctrl \x01 del \x7f\".\n",
    "Got result: No match for \"caf\xc3\xa9 \xe2\x80\xa8 "
    "\xe6\x97\xa5\xe6\x9c\xac\".\n",
    "Got response: First 10 bytes of request: echohello \n",
    "Got response: First 10 bytes of request: xy\n",
    /* Ten bytes, even when they end in the middle of a character. */
    "Got response: First 10 bytes of request: binary\xc3\xa9t\xc3\n",
};

/* Runs every exchange with a client (the C example, or Python's) against
 * the server on port, and checks what it prints. */
static void run_clients(int port, bool python_client)
{
    char path[512], port_text[16];

    snprintf(port_text, sizeof port_text, "%d", port);
    for (size_t i = 0; i < EXCHANGES; i++) {
        char *c_argv[] = {(char *)example_path("app-client", path,
                                               sizeof path),
                          "127.0.0.1", port_text, (char *)exchanges[i][0],
                          (char *)exchanges[i][1], NULL};
        char *py_argv[] = {(char *)skt_test_python(),
                           (char *)peer_path("app_client.py", path,
                                             sizeof path),
                           "127.0.0.1", port_text, (char *)exchanges[i][0],
                           (char *)exchanges[i][1], NULL};
        size_t len;
        int status;
        char *out = run(python_client ? py_argv : c_argv, true, &status,
                        &len);
        if (strcmp(out, printed[i]) != 0)
            print_error("exchange %zu printed:\n%s", i, out);
        assert_string_equal(out, printed[i]);
        assert_int_equal(status, 0);
        free(out);
    }
}

static void test_c_client_and_c_server(void **state)
{
    struct server srv;
    (void)state;

    start_c_server(&srv);
    run_clients(srv.port, false);
    stop_server(&srv);
}

static void test_c_client_against_python_server(void **state)
{
    struct server srv;
    (void)state;

    start_python_server(&srv);
    run_clients(srv.port, false);
    stop_server(&srv);
}

static void test_python_client_against_c_server(void **state)
{
    struct server srv;
    (void)state;

    python_or_skip();
    start_c_server(&srv);
    run_clients(srv.port, true);
    stop_server(&srv);
}

/* Connects to the server on port with a 10-second timeout. */
static skt_socket *connect_to(int port)
{
    skt_connect_opts opts = {.timeout = 10};
    char port_text[16];
    skt_socket *s;

    snprintf(port_text, sizeof port_text, "%d", port);
    SKT_OK(skt_create_connection(&s, "127.0.0.1", port_text, &opts));
    return s;
}

static void test_two_hundred_concurrent_clients(void **state)
{
    enum { CLIENTS = 200 };
    skt_socket *s[CLIENTS];
    void *wire[CLIENTS];
    size_t len[CLIENTS];
    struct server srv;
    (void)state;

    start_c_server(&srv);
    /* Every client connects and sends half of its request; only a server
     * that serves them all at once can answer any of them. */
    for (int i = 0; i < CLIENTS; i++) {
        char value[32];
        skt_app_message *m;
        if (i % 2)
            snprintf(value, sizeof value, "client %d", i);
        else
            strcpy(value, "morpheus");
        SKT_OK(skt_app_request(&m, "search", value));
        wire[i] = wire_of(m, &len[i]);
        skt_app_message_free(m);
        s[i] = connect_to(srv.port);
        SKT_OK(skt_sendall(s[i], wire[i], len[i] / 2, 0, NULL));
    }
    for (int i = CLIENTS - 1; i >= 0; i--)
        SKT_OK(skt_sendall(s[i], (char *)wire[i] + len[i] / 2,
                           len[i] - len[i] / 2, 0, NULL));
    for (int i = 0; i < CLIENTS; i++) {
        char want[64];
        skt_app_message *response;
        char *text;
        if (i % 2)
            snprintf(want, sizeof want, "No match for \"client %d\".", i);
        else
            strcpy(want, "Follow the white rabbit. \xf0\x9f\x90\xb0");
        SKT_OK(skt_app_recv(s[i], NULL, &response));
        SKT_OK(skt_app_result(response, &text, NULL));
        assert_string_equal(text, want);
        free(text);
        skt_app_message_free(response);
        skt_close(s[i]);
        free(wire[i]);
    }
    stop_server(&srv);
}

/* Sends raw bytes (then closes our side when shut is set) and expects an
 * "Error: ..." reply naming what was wrong. */
static void expect_error_reply(int port, const void *data, size_t len,
                               bool shut, const char *detail)
{
    skt_socket *s = connect_to(port);
    skt_app_message *response;
    char *text;

    SKT_OK(skt_sendall(s, data, len, 0, NULL));
    if (shut)
        SKT_OK(skt_shutdown(s, SHUT_WR));
    SKT_OK(skt_app_recv(s, NULL, &response));
    assert_string_equal(response->content_type, "text/json");
    SKT_OK(skt_app_result(response, &text, NULL));
    if (strncmp(text, "Error: ", 7) != 0 || !strstr(text, detail))
        print_error("reply \"%s\", expected one naming \"%s\"\n", text,
                    detail);
    assert_memory_equal(text, "Error: ", 7);
    assert_non_null(strstr(text, detail));
    free(text);
    skt_app_message_free(response);
    skt_close(s);
}

/* A normal request still gets its answer. */
static void expect_service(int port)
{
    skt_socket *s = connect_to(port);
    skt_app_message *request, *response;
    char *text;

    SKT_OK(skt_app_request(&request, "search", "ring"));
    SKT_OK(skt_app_send(s, request, NULL));
    SKT_OK(skt_app_recv(s, NULL, &response));
    SKT_OK(skt_app_result(response, &text, NULL));
    assert_memory_equal(text, "In the caves", 12);
    free(text);
    skt_app_message_free(request);
    skt_app_message_free(response);
    skt_close(s);
}

static void test_server_answers_malformed_input_and_serves_on(void **state)
{
    const char *bad_content = "{\"action\": \"search\"}";
    const char *header20 = HEADER(ORDER ", " TYPE ", " ENCODING
                                  ", \"content-length\": 20");
    char data[512], *big = malloc(9002);
    skt_socket *stalled;
    struct server srv;
    size_t len;
    (void)state;

    start_c_server(&srv);
    /* A client that stops half-way through its header, for the whole
     * test: the server must not wait for it. */
    stalled = connect_to(srv.port);
    SKT_OK(skt_sendall(stalled, "\x00\x50{\"byte", 9, 0, NULL));
    for (size_t i = 0; i < MALFORMED; i++) {
        len = raw_message(data, malformed[i].header,
                          strlen(malformed[i].header), "{}");
        expect_error_reply(srv.port, data, len, false, malformed[i].detail);
        expect_service(srv.port);
    }
    /* A header over the limit (the length says 9000), sent in full. */
    memset(big, ' ', 9002);
    big[0] = (char)(9000 >> 8);
    big[1] = (char)(9000 & 0xff);
    expect_error_reply(srv.port, big, 9002, false, "header of 9000 bytes");
    /* Content that is not a request. */
    len = raw_message(data, header20, strlen(header20), bad_content);
    expect_error_reply(srv.port, data, len, false, "no string \"value\"");
    /* A connection closed in the middle of the content, and one closed
     * right after its header. */
    len = raw_message(data, header20, strlen(header20), "{\"ac");
    expect_error_reply(srv.port, data, len, true, "closed in the middle");
    len = raw_message(data, header20, strlen(header20), "");
    expect_error_reply(srv.port, data, len, true, "closed in the middle");
    expect_service(srv.port);
    skt_close(stalled);
    stop_server(&srv);
    free(big);
}

/* A server thread that reads one request and sends back `reply`. */
struct fake_server {
    skt_socket *listener;
    const char *reply;
    size_t reply_len;
};

static void *serve_fake(void *arg)
{
    struct fake_server *f = arg;
    skt_socket *conn;
    skt_app_message *request;

    if (skt_accept(f->listener, &conn, NULL) < 0)
        return NULL;
    skt_settimeout(conn, 10);
    if (skt_app_recv(conn, NULL, &request) == 0)
        skt_app_message_free(request);
    skt_sendall(conn, f->reply, f->reply_len, 0, NULL);
    skt_close(conn);
    return NULL;
}

static void test_c_client_reports_malformed_responses(void **state)
{
    static const struct {
        const char *header;
        const char *content;
        const char *stderr_text;
    } cases[] = {
        {HEADER(ORDER ", " TYPE ", " ENCODING), "", "no \"content-length\""},
        {"{\"byteorder\": ", "", "not a UTF-8 JSON object"},
        {HEADER(ORDER ", " TYPE ", " ENCODING ", " LENGTH), "{}",
         "no string \"result\""},
        {HEADER(ORDER ", " TYPE ", " ENCODING ", \"content-length\": 9"),
         "{}", "content: 2 of 9 bytes"},
    };
    char path[512], port_text[16], data[512];
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fake_server f;
        pthread_t thread;
        size_t len;
        int port, status;
        char *out;
        skt_test_tcp_listener(&f.listener, &port);
        SKT_OK(skt_settimeout(f.listener, 20));
        f.reply = data;
        f.reply_len = raw_message(data, cases[i].header,
                                  strlen(cases[i].header), cases[i].content);
        pthread_create(&thread, NULL, serve_fake, &f);
        snprintf(port_text, sizeof port_text, "%d", port);
        char *argv[] = {(char *)example_path("app-client", path, sizeof path),
                        "127.0.0.1", port_text, "search", "ring", NULL};
        out = run(argv, true, &status, &len);
        pthread_join(thread, NULL);
        skt_close(f.listener);
        if (!strstr(out, cases[i].stderr_text))
            print_error("app-client printed: %s", out);
        assert_memory_equal(out, "app-client: ", 12);
        assert_non_null(strstr(out, cases[i].stderr_text));
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        free(out);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_requests_are_byte_identical_to_python),
    cmocka_unit_test(test_responses_are_byte_identical_to_python),
    cmocka_unit_test(test_search_table_and_misses),
    cmocka_unit_test(test_other_action_in_json_is_invalid_action),
    cmocka_unit_test(test_binary_request_gets_its_first_ten_bytes),
    cmocka_unit_test(test_client_requests_have_the_tutorial_fields),
    cmocka_unit_test(test_malformed_request_content_gets_an_error_reply),
    cmocka_unit_test(test_result_of_malformed_responses_is_ebadmsg),
    cmocka_unit_test(test_encode_refuses_what_it_cannot_write),
    cmocka_unit_test(test_decoder_bytewise_and_whole_agree),
    cmocka_unit_test(test_decoder_malformed_headers),
    cmocka_unit_test(test_decoder_header_over_the_limit),
    cmocka_unit_test(test_recv_reads_exactly_one_message),
    cmocka_unit_test(test_recv_timeout_and_eof),
    cmocka_unit_test(test_c_client_and_c_server),
    cmocka_unit_test(test_c_client_against_python_server),
    cmocka_unit_test(test_python_client_against_c_server),
    cmocka_unit_test(test_two_hundred_concurrent_clients),
    cmocka_unit_test(test_server_answers_malformed_input_and_serves_on),
    cmocka_unit_test(test_c_client_reports_malformed_responses),
};

SKT_TEST_MAIN(tests)
