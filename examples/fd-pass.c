/*
 * fd-pass.c - passing an open file between processes: the parent opens a
 * file, sends its fd over a Unix socket with skt_send_fds, and the child
 * receives it with skt_recv_fds and reads the file through it. The child
 * never opens the path itself: what it holds is the parent's open file.
 *
 *     fd-pass FILE
 *     fd-pass --help
 *
 *     parent: sent the fd of notes.txt
 *     child: received 1 fd; the file holds:
 *     (the file's bytes)
 *
 * The Python this follows:
 *
 *     parent, child = socket.socketpair()
 *     if os.fork() == 0:
 *         msg, fds, flags, addr = socket.recv_fds(child, 16, 1)
 *         sys.stdout.buffer.write(os.read(fds[0], 65536))
 *     else:
 *         socket.send_fds(parent, [b"file"], [os.open(path, os.O_RDONLY)])
 *
 * A FILE whose name begins with "-" comes after "--": fd-pass -- -notes.
 *
 * Build it alone against the installed library:
 *
 *     cc -o fd-pass fd-pass.c $(pkg-config --cflags --libs skt)
 */
#include <skt.h>

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(const char *who, int code)
{
    const char *detail = skt_error_detail();

    fprintf(stderr, "fd-pass: %s: %s\n", who,
            detail[0] != '\0' ? detail : skt_strerror(code));
    return 1;
}

/* Copies everything fd holds to stdout. */
static int copy_out(int fd)
{
    char buf[65536];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            return 1;
    return n < 0;
}

/* The child: takes one fd from the socket and reads the file through it. */
static int child(skt_socket *s)
{
    char tag[16];
    int fd = -1, flags = 0, status;
    size_t nfds = 1;
    ssize_t n = skt_recv_fds(s, tag, sizeof tag, &fd, &nfds, 0, &flags,
                             NULL);

    skt_close(s);
    if (n < 0)
        return report("child", (int)n);
    if (nfds != 1 || (flags & MSG_CTRUNC)) {
        fprintf(stderr, "fd-pass: child: no fd arrived\n");
        return 1;
    }
    printf("child: received 1 fd; the file holds:\n");
    status = copy_out(fd);
    close(fd);
    return status;
}

/* The parent: opens the file and sends the fd; the child has the other
 * end of the socket. */
static int parent(skt_socket *s, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        perror("fd-pass: parent: open");
        return 1;
    }
    printf("parent: sent the fd of %s\n", path);
    fflush(stdout);
    n = skt_send_fds(s, "file", 4, &fd, 1, 0, NULL);
    /* The child holds its own copy now; the parent's can go. */
    close(fd);
    return n < 0 ? report("parent", (int)n) : 0;
}

/* ------------------------------------------------------------------------ */
/* The command line                                                         */
/* ------------------------------------------------------------------------ */

static const char usage_text[] = "usage: fd-pass FILE\n";

static const char help_text[] =
    "\n"
    "Passes an open file between processes, as Python's socket.send_fds and\n"
    "recv_fds: the parent opens FILE and sends its fd over a Unix socket;\n"
    "the child receives the fd and prints the file's bytes read through it.\n"
    "A FILE whose name begins with \"-\" comes after \"--\".\n"
    "\n"
    "  -h, --help  print this help and exit\n";

/* Says on stderr what is wrong with the command line, then the usage;
 * returns 2, the exit status of a usage error. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "fd-pass: %s%s\n%s", what, arg, usage_text);
    return 2;
}

/* The option getopt refused, as it was typed: "--bogus" or "-x". */
static const char *refused_option(char **argv)
{
    static char text[] = "-?";

    if (strncmp(argv[optind - 1], "--", 2) == 0)
        return argv[optind - 1];
    text[1] = (char)optopt;
    return text;
}

/*
 * Reads the options: -h or --help prints the help on stdout. They come
 * before the operands ("+"), so that no operand is taken for an option.
 * Returns -1 when the program is to run with FILE at argv[optind],
 * or the exit status: 0 after the help, 2 after a usage error.
 */
static int read_command_line(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const operands[] = {"FILE"};
    int opt;

    opterr = 0; /* the messages are ours, with the usage */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (opt != 'h')
            return usage_error("unknown option ", refused_option(argv));
        printf("%s%s", usage_text, help_text);
        return 0;
    }
    if (argc - optind < 1)
        return usage_error("missing ", operands[argc - optind]);
    if (argc - optind > 1)
        return usage_error("unexpected argument ", argv[optind + 1]);
    return -1;
}

int main(int argc, char **argv)
{
    skt_socket *ours, *theirs;
    int rc, status, child_status;
    pid_t pid;

    status = read_command_line(argc, argv);
    if (status >= 0)
        return status;
    if ((rc = skt_socketpair(&ours, &theirs, AF_UNIX, SOCK_STREAM, 0)) < 0)
        return report("socketpair", rc);
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        perror("fd-pass: fork");
        return 1;
    }
    if (pid == 0) {
        skt_close(ours);
        exit(child(theirs));
    }
    skt_close(theirs);
    status = parent(ours, argv[optind]);
    skt_close(ours);
    if (waitpid(pid, &child_status, 0) != pid || !WIFEXITED(child_status) ||
        WEXITSTATUS(child_status) != 0)
        status = 1;
    return status;
}
