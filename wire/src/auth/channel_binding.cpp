#include "auth/channel_binding.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>

#include <string>

namespace turbopg::wire::auth {

outcome<std::vector<std::byte>> tls_server_end_point(X509* server_certificate) {
    if (!server_certificate)
        return fail(errc::auth_method_unsupported,
                    "channel binding: the server presented no certificate");
    int digest_nid = NID_undef;
    if (X509_get_signature_info(server_certificate, &digest_nid, nullptr, nullptr, nullptr) != 1)
        return fail(errc::auth_method_unsupported,
                    "channel binding: could not determine the server certificate's signature "
                    "algorithm");
    if (digest_nid == NID_md5 || digest_nid == NID_sha1) digest_nid = NID_sha256;
    const EVP_MD* md = digest_nid == NID_undef ? nullptr : EVP_get_digestbynid(digest_nid);
    if (!md) {
        const char* name = OBJ_nid2sn(X509_get_signature_nid(server_certificate));
        return fail(errc::auth_method_unsupported,
                    std::string("channel binding: no hash function for the server certificate's "
                                "signature algorithm ") +
                        (name ? name : "(unknown)"));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(server_certificate, md, digest, &len) != 1)
        return fail(errc::auth_method_unsupported,
                    "channel binding: could not hash the server certificate");
    auto* first = reinterpret_cast<const std::byte*>(digest);
    return std::vector<std::byte>(first, first + len);
}

} // namespace turbopg::wire::auth
