/*
 * sha256.c - SHA-256 fed in pieces (skt_sha256, Python's hashlib.sha256),
 * on OpenSSL's EVP digests, so that a program checking a transfer needs
 * no cryptography library besides skt. A digest is taken from a copy of
 * the running state, which leaves the hash going on, as Python's does.
 */
#include "tls_int.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct skt_sha256 {
    EVP_MD_CTX *md;
};

int skt_sha256_new(skt_sha256 **out)
{
    skt_sha256 *h;

    SKT__CHECK(out != NULL, "out is NULL");
    *out = NULL;
    h = calloc(1, sizeof *h);
    if (h != NULL)
        h->md = EVP_MD_CTX_new();
    if (h == NULL || h->md == NULL) {
        free(h);
        return skt__fail(-ENOMEM, "sha256_new");
    }
    if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
        skt_sha256_free(h);
        return skt__tls_config_fail("sha256_new: OpenSSL offers no "
                                    "SHA-256");
    }
    *out = h;
    return 0;
}

int skt_sha256_update(skt_sha256 *h, const void *data, size_t len)
{
    SKT__CHECK(h != NULL, "h is NULL");
    SKT__CHECK(data != NULL || len == 0, "data is NULL");
    if (len > 0 && EVP_DigestUpdate(h->md, data, len) != 1)
        return skt__tls_config_fail("sha256_update: %zu bytes", len);
    return 0;
}

int skt_sha256_digest(const skt_sha256 *h,
                      unsigned char digest[SKT_SHA256_SIZE])
{
    EVP_MD_CTX *copy;
    unsigned int len = 0;
    int ok;

    SKT__CHECK(h != NULL, "h is NULL");
    SKT__CHECK(digest != NULL, "digest is NULL");
    copy = EVP_MD_CTX_new();
    if (copy == NULL)
        return skt__fail(-ENOMEM, "sha256_digest");
    ok = EVP_MD_CTX_copy_ex(copy, h->md) == 1 &&
         EVP_DigestFinal_ex(copy, digest, &len) == 1 &&
         len == SKT_SHA256_SIZE;
    EVP_MD_CTX_free(copy);
    return ok ? 0 : skt__tls_config_fail("sha256_digest");
}

void skt_sha256_free(skt_sha256 *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->md);
    free(h);
}
