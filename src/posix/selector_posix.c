/*
 * selector_posix.c - the selector backends of the POSIX platform: poll is
 * the default (no fd limit, unlike select), and there is no native
 * backend, so SKT_SELECTOR_EPOLL gives -ENOTSUP with a detail naming the
 * platform (selector.c). A BSD platform would point both at kqueue.
 */
#include "selector/selector_int.h"

const struct skt__selector_backend *const skt__selector_default =
    &skt__selector_poll;
const struct skt__selector_backend *const skt__selector_native = NULL;
