/*
 * iface.c - the network interfaces by name and index, as Python's
 * if_nameindex, if_nametoindex and if_indextoname give them.
 *
 * The list is copied whole into memory the caller frees with
 * skt_if_freenameindex, and a name is copied whole into the caller's
 * buffer or not at all (SKT_ETRUNCATED).
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

void skt_if_freenameindex(skt_ifentry *list, size_t count)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(list[i].name);
    free(list);
}

/* Copies count system entries; one spare zeroed entry keeps the array
 * non-NULL when there are no interfaces. */
static skt_ifentry *copy_interfaces(const struct if_nameindex *found,
                                    size_t count)
{
    skt_ifentry *list = calloc(count + 1, sizeof *list);

    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        list[i].index = found[i].if_index;
        list[i].name = strdup(found[i].if_name);
        if (list[i].name == NULL) {
            skt_if_freenameindex(list, count);
            return NULL;
        }
    }
    return list;
}

int skt_if_nameindex(skt_ifentry **out, size_t *count)
{
    struct if_nameindex *found;
    skt_ifentry *list;
    size_t n = 0;

    if (out == NULL)
        return skt__null_argument("if_nameindex", "out");
    if (count == NULL)
        return skt__null_argument("if_nameindex", "count");
    *out = NULL;
    *count = 0;
    errno = 0;
    found = if_nameindex();
    if (found == NULL)
        return skt__fail(skt__errno_code(ENOMEM), "if_nameindex");
    while (found[n].if_index != 0 || found[n].if_name != NULL)
        n++;
    list = copy_interfaces(found, n);
    if_freenameindex(found);
    if (list == NULL)
        return skt__fail(-ENOMEM, "if_nameindex: copying the list");
    *out = list;
    *count = n;
    return 0;
}

int skt_if_nametoindex(const char *name)
{
    unsigned index;

    if (name == NULL)
        return skt__null_argument("if_nametoindex", "name");
    errno = 0;
    index = if_nametoindex(name);
    if (index == 0)
        return skt__fail(skt__errno_code(ENODEV), "if_nametoindex \"%s\"",
                         name);
    if (index > INT_MAX)
        return skt__fail(-EOVERFLOW, "if_nametoindex \"%s\"", name);
    return (int)index;
}

int skt_if_indextoname(unsigned index, char *out, size_t outlen)
{
    char name[IF_NAMESIZE];

    if (out == NULL)
        return skt__null_argument("if_indextoname", "out");
    errno = 0;
    if (if_indextoname(index, name) == NULL)
        return skt__fail(skt__errno_code(ENXIO), "if_indextoname %u", index);
    return skt__copy_out(name, out, outlen, "if_indextoname");
}
