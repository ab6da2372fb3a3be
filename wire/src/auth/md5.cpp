#include "auth/md5.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <initializer_list>

namespace turbopg::wire::auth {
namespace {

constexpr std::size_t md5_hex_len = 32;

// Lower-case hex MD5 of the concatenated pieces into `out` (32 characters).
bool md5_hex(std::initializer_list<std::span<const unsigned char>> pieces, char* out) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx) return false;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned int len = 0;
    bool ok = EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
    for (auto piece : pieces)
        ok = ok && EVP_DigestUpdate(ctx, piece.data(), piece.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, digest.data(), &len) == 1 && len == 16;
    EVP_MD_CTX_free(ctx);
    if (ok) {
        static constexpr char digits[] = "0123456789abcdef";
        for (unsigned i = 0; i < 16; ++i) {
            out[2 * i] = digits[digest[i] >> 4];
            out[2 * i + 1] = digits[digest[i] & 15];
        }
    }
    OPENSSL_cleanse(digest.data(), digest.size());
    return ok;
}

std::span<const unsigned char> bytes_of(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

} // namespace

outcome<std::string> md5_password(std::string_view user, std::string_view password,
                                  std::span<const std::byte> salt) {
    if (salt.size() != 4)
        return fail(errc::protocol_violation, "malformed AuthenticationMD5Password message "
                                              "(the salt is not 4 bytes)");
    std::array<char, md5_hex_len> inner;
    std::string out(3 + md5_hex_len, '\0');
    bool ok = md5_hex({bytes_of(password), bytes_of(user)}, inner.data()) &&
              md5_hex({bytes_of({inner.data(), inner.size()}),
                       {reinterpret_cast<const unsigned char*>(salt.data()), salt.size()}},
                      out.data() + 3);
    OPENSSL_cleanse(inner.data(), inner.size());
    if (!ok)
        return fail(errc::auth_method_unsupported,
                    "MD5 password authentication: MD5 is not available from OpenSSL");
    out.replace(0, 3, "md5");
    return out;
}

} // namespace turbopg::wire::auth
