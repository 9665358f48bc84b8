/*
 * man.c - skt-man, run at build time: writes skt(1) from the template
 * skt.1.in, putting in the synopsis, the option list, the examples and
 * the exit statuses from the tables that --help shows (options.c), so that
 * the manual and --help can never disagree.
 *
 *     skt-man TEMPLATE > skt.1
 *
 * Lines of the template that are exactly @SYNOPSIS@, @OPTIONS@,
 * @EXAMPLES@ or @EXIT_STATUS@ are replaced; the rest is copied.
 */
#include "tool.h"

#include <stdio.h>
#include <string.h>

/* Text for roff: a backslash doubled, '-' escaped as a minus sign, and a
 * leading '.' or '\'' protected. */
static void roff(FILE *out, const char *text)
{
    if (text[0] == '.' || text[0] == '\'')
        fputs("\\&", out);
    for (; *text != '\0'; text++) {
        if (*text == '\\')
            fputs("\\e", out);
        else if (*text == '-')
            fputs("\\-", out);
        else
            fputc(*text, out);
    }
}

static void options(FILE *out)
{
    for (const struct option_spec *o = option_table; o->help; o++) {
        fputs(".TP\n", out);
        if (o->short_name != 0)
            fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
        fprintf(out, "\\fB\\-\\-");
        roff(out, o->long_name);
        fputs("\\fR", out);
        if (o->arg != NULL) {
            fputs(" \\fI", out);
            roff(out, o->arg);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        roff(out, o->help);
        fputc('\n', out);
    }
}

static void pairs(FILE *out, const struct text_pair *list, bool code)
{
    for (; list->text != NULL; list++) {
        fputs(code ? ".TP\n\\f(CW" : ".TP\n\\fB", out);
        roff(out, list->text);
        fputs("\\fR\n", out);
        roff(out, list->meaning);
        fputc('\n', out);
    }
}

static void expand(FILE *out, const char *line)
{
    if (strcmp(line, "@SYNOPSIS@") == 0)
        pairs(out, synopsis_table, false);
    else if (strcmp(line, "@OPTIONS@") == 0)
        options(out);
    else if (strcmp(line, "@EXAMPLES@") == 0)
        pairs(out, example_table, true);
    else if (strcmp(line, "@EXIT_STATUS@") == 0)
        pairs(out, exit_status_table, false);
    else
        fprintf(out, "%s\n", line);
}

int main(int argc, char **argv)
{
    char line[4096];
    FILE *in;

    if (argc != 2 || (in = fopen(argv[1], "r")) == NULL) {
        fprintf(stderr, "usage: skt-man TEMPLATE > skt.1\n");
        return 2;
    }
    while (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        expand(stdout, line);
    }
    fclose(in);
    return fflush(stdout) == 0 ? 0 : 1;
}
