#include "auth/channel_binding.hpp"

#include <doctest/doctest.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

using namespace turbopg::wire;
using namespace turbopg::wire::auth;

namespace {

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
    void operator()(X509* x) const { X509_free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

pkey_ptr generate_key(int type) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(type, nullptr);
    REQUIRE(ctx);
    REQUIRE(EVP_PKEY_keygen_init(ctx) == 1);
    if (type == EVP_PKEY_EC)
        REQUIRE(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1);
    if (type == EVP_PKEY_RSA) REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1024) == 1);
    EVP_PKEY* key = nullptr;
    REQUIRE(EVP_PKEY_keygen(ctx, &key) == 1);
    EVP_PKEY_CTX_free(ctx);
    return pkey_ptr(key);
}

// A throwaway self-signed certificate, signed by `sign`, then re-read from its DER encoding as
// a peer certificate would be.
template <class Sign>
x509_ptr self_signed(EVP_PKEY* key, Sign sign) {
    x509_ptr cert(X509_new());
    REQUIRE(cert);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("turbopg test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
    REQUIRE(sign(cert.get()) > 0);

    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    REQUIRE(len > 0);
    const unsigned char* p = der;
    x509_ptr parsed(d2i_X509(nullptr, &p, len));
    OPENSSL_free(der);
    REQUIRE(parsed);
    return parsed;
}

x509_ptr signed_with(EVP_PKEY* key, const EVP_MD* md) {
    return self_signed(key, [&](X509* x) { return X509_sign(x, key, md); });
}

std::vector<std::byte> digest_of_der(X509* cert, const EVP_MD* md) {
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    REQUIRE(len > 0);
    std::vector<std::byte> out(EVP_MD_size(md));
    unsigned int out_len = 0;
    REQUIRE(EVP_Digest(der, static_cast<std::size_t>(len),
                       reinterpret_cast<unsigned char*>(out.data()), &out_len, md, nullptr) == 1);
    OPENSSL_free(der);
    REQUIRE(out_len == out.size());
    return out;
}

} // namespace

TEST_SUITE("auth: channel binding") {

    TEST_CASE("tls-server-end-point hashes the DER with the signature's digest") {
        auto key = generate_key(EVP_PKEY_EC);
        SUBCASE("ecdsa-with-SHA256 -> SHA-256") {
            auto cert = signed_with(key.get(), EVP_sha256());
            auto hash = tls_server_end_point(cert.get());
            REQUIRE(hash.ok());
            CHECK(hash->size() == 32);
            CHECK(*hash == digest_of_der(cert.get(), EVP_sha256()));
        }
        SUBCASE("ecdsa-with-SHA384 -> SHA-384") {
            auto cert = signed_with(key.get(), EVP_sha384());
            auto hash = tls_server_end_point(cert.get());
            REQUIRE(hash.ok());
            CHECK(hash->size() == 48);
            CHECK(*hash == digest_of_der(cert.get(), EVP_sha384()));
        }
        SUBCASE("ecdsa-with-SHA1 -> SHA-256 (RFC 5929 section 4.1)") {
            auto cert = signed_with(key.get(), EVP_sha1());
            auto hash = tls_server_end_point(cert.get());
            REQUIRE(hash.ok());
            CHECK(*hash == digest_of_der(cert.get(), EVP_sha256()));
        }
    }

    TEST_CASE("tls-server-end-point uses the digest of an RSA-PSS signature") {
        auto key = generate_key(EVP_PKEY_RSA);
        auto cert = self_signed(key.get(), [&](X509* x) {
            EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
            EVP_PKEY_CTX* pctx = nullptr;
            int ok = EVP_DigestSignInit(md_ctx, &pctx, EVP_sha384(), nullptr, key.get()) == 1 &&
                     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, -1) == 1 &&
                     X509_sign_ctx(x, md_ctx) > 0;
            EVP_MD_CTX_free(md_ctx);
            return ok;
        });
        REQUIRE(X509_get_signature_nid(cert.get()) == NID_rsassaPss);
        auto hash = tls_server_end_point(cert.get());
        REQUIRE(hash.ok());
        CHECK(*hash == digest_of_der(cert.get(), EVP_sha384()));
    }

    TEST_CASE("tls-server-end-point is undefined without a single digest (Ed25519)") {
        auto key = generate_key(EVP_PKEY_ED25519);
        auto cert = signed_with(key.get(), nullptr);
        auto hash = tls_server_end_point(cert.get());
        REQUIRE_FALSE(hash.ok());
        CHECK(hash.error().code == errc::auth_method_unsupported);
        CHECK(hash.error().message.find("ED25519") != std::string::npos);

        auto none = tls_server_end_point(nullptr);
        REQUIRE_FALSE(none.ok());
        CHECK(none.error().code == errc::auth_method_unsupported);
    }

} // TEST_SUITE
