/*
 * upper-echo-server.c - an echo server that answers in capitals: the
 * echo server of the Python socket HOWTO with one line changed, to show
 * where a real server does its work.
 *
 *     upper-echo-server HOST PORT
 *
 * HOST is a numeric address, PORT may be 0 (the first line printed shows
 * the port chosen). Every byte from 'a' to 'z' comes back as 'A' to 'Z';
 * every other byte, UTF-8 included, comes back unchanged:
 *
 *     $ echo-client 127.0.0.1 43527 "hello, world"
 *     received "HELLO, WORLD"
 *
 * Connections are served one after another; with SKT_EXAMPLE_ONCE=1 in
 * the environment the server exits after the first one.
 *
 * The Python this follows:
 *
 *     while data := conn.recv(4096):
 *         conn.sendall(data.upper())
 *
 * It is literally echo-server.c with that one change: this file supplies
 * the transformation and the program's name, and includes the rest.
 */
#include <stddef.h>

/*
 * Upper-cases ASCII letters only, byte by byte, as Python's bytes.upper()
 * does. toupper() would depend on the locale, and could change one byte of
 * a UTF-8 character.
 */
static void upper_ascii(char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] >= 'a' && buf[i] <= 'z')
            buf[i] = (char)(buf[i] - 'a' + 'A');
    }
}

#define PROGRAM "upper-echo-server"
#define TRANSFORM(buf, len) upper_ascii((buf), (len))
#include "echo-server.c"
