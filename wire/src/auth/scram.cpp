#include "auth/scram.hpp"

#include "auth/base64.hpp"
#include "auth/saslprep.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <optional>
#include <span>

namespace turbopg::wire::auth {
namespace {

constexpr std::size_t key_len = 32;   // SHA-256
constexpr std::size_t nonce_len = 18; // random bytes in the client nonce, as libpq
using key = std::array<unsigned char, key_len>;

// printable = %x21-2B / %x2D-7E (RFC 5802 section 7): what a nonce may contain.
bool is_printable(std::string_view s) noexcept {
    for (char c : s)
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    return !s.empty();
}

std::string random_nonce() {
    std::array<unsigned char, nonce_len> raw;
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw error(errc::auth_failed, "could not generate a random SCRAM nonce");
    return base64_encode(
        std::span<const std::byte>(reinterpret_cast<std::byte*>(raw.data()), raw.size()));
}

// saslname (RFC 5802 section 7): ',' and '=' escaped.
std::string escape_username(std::string_view user) {
    std::string out;
    for (char c : user) {
        if (c == '=')
            out += "=3D";
        else if (c == ',')
            out += "=2C";
        else
            out += c;
    }
    return out;
}

struct attribute {
    char name;
    std::string_view value;
};

// One "a=value" element of a SCRAM message.
std::optional<attribute> parse_attribute(std::string_view part) {
    if (part.size() < 2 || part[1] != '=') return std::nullopt;
    char n = part[0];
    if (!((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'))) return std::nullopt;
    return attribute{n, part.substr(2)};
}

std::vector<std::string_view> split(std::string_view s) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto comma = s.find(',');
        parts.push_back(s.substr(0, comma));
        if (comma == std::string_view::npos) return parts;
        s.remove_prefix(comma + 1);
    }
}

// Every attribute after the known ones must be well formed; their meaning is ignored
// (RFC 5802 section 5.1: optional extensions the client does not know).
bool extensions_ok(std::span<const std::string_view> parts) {
    for (auto p : parts)
        if (!parse_attribute(p)) return false;
    return true;
}

failure malformed(std::string_view what) {
    return fail(errc::protocol_violation, "malformed SCRAM message (" + std::string(what) + ")");
}

std::span<const unsigned char> bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

bool hmac(std::span<const unsigned char> k, std::span<const unsigned char> data, key& out) {
    unsigned int len = 0;
    return HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()), data.data(), data.size(),
                out.data(), &len) != nullptr &&
           len == key_len;
}

bool sha256(std::span<const unsigned char> data, key& out) {
    unsigned int len = 0;
    return EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) == 1 &&
           len == key_len;
}

// Parses the decimal iteration count; 0 when it is not 1*DIGIT or exceeds UINT32_MAX.
std::uint64_t parse_count(std::string_view s) noexcept {
    if (s.empty() || s.size() > 10) return 0;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

} // namespace

scram_client::scram_client(std::string_view password, scram_options options)
    : password_(saslprep(password))
    , cbind_data_(std::move(options.cbind_data))
    , client_nonce_(std::move(options.client_nonce))
    , max_iterations_(options.max_iterations) {
    if (client_nonce_.empty())
        client_nonce_ = random_nonce();
    else if (!is_printable(client_nonce_))
        throw error(errc::bad_config, "SCRAM client nonce must be printable ASCII without ','");

    switch (options.binding) {
    case cbind_flag::not_supported:
        gs2_header_ = "n,,";
        cbind_data_.clear();
        break;
    case cbind_flag::supported_not_used:
        gs2_header_ = "y,,";
        cbind_data_.clear();
        break;
    case cbind_flag::tls_server_end_point:
        if (cbind_data_.empty())
            throw error(errc::bad_config, "SCRAM-SHA-256-PLUS needs the server certificate hash");
        gs2_header_ = "p=tls-server-end-point,,";
        break;
    }
    client_first_bare_ = "n=" + escape_username(options.username) + ",r=" + client_nonce_;
    client_first_ = gs2_header_ + client_first_bare_;
}

scram_client::~scram_client() {
    OPENSSL_cleanse(password_.data(), password_.size());
    OPENSSL_cleanse(expected_server_signature_.data(), expected_server_signature_.size());
}

const std::string& scram_client::client_first() {
    if (state_ == state::initial) state_ = state::first_sent;
    return client_first_;
}

outcome<std::string> scram_client::handle_server_first(std::string_view server_first) {
    if (state_ != state::first_sent)
        return failed(fail(errc::protocol_violation, "unexpected SCRAM server-first-message"));
    if (server_first.find('\0') != std::string_view::npos)
        return failed(malformed("NUL byte in server-first-message"));

    auto parts = split(server_first);
    auto nonce_attr = parse_attribute(parts[0]);
    if (nonce_attr && nonce_attr->name == 'm')
        return failed(
            fail(errc::auth_failed, "server requires an unsupported SCRAM extension (m=)"));
    if (!nonce_attr || nonce_attr->name != 'r')
        return failed(malformed("expected attribute \"r\" in server-first-message"));
    std::string_view nonce = nonce_attr->value;
    if (!is_printable(nonce)) return failed(malformed("invalid nonce"));
    if (nonce.size() <= client_nonce_.size() ||
        CRYPTO_memcmp(nonce.data(), client_nonce_.data(), client_nonce_.size()) != 0)
        return failed(fail(errc::auth_failed, "invalid SCRAM response (nonce mismatch)"));

    auto salt_attr = parts.size() > 1 ? parse_attribute(parts[1]) : std::nullopt;
    if (!salt_attr || salt_attr->name != 's')
        return failed(malformed("expected attribute \"s\" in server-first-message"));
    auto salt = base64_decode(salt_attr->value);
    if (!salt || salt->empty()) return failed(malformed("invalid salt"));

    auto count_attr = parts.size() > 2 ? parse_attribute(parts[2]) : std::nullopt;
    if (!count_attr || count_attr->name != 'i')
        return failed(malformed("expected attribute \"i\" in server-first-message"));
    std::uint64_t iterations = parse_count(count_attr->value);
    if (iterations == 0) return failed(malformed("invalid iteration count"));
    if (iterations > max_iterations_ || iterations > INT_MAX)
        return failed(fail(errc::auth_failed,
                           "SCRAM iteration count " + std::string(count_attr->value) +
                               " exceeds the limit of " + std::to_string(max_iterations_)));
    if (!extensions_ok(std::span(parts).subspan(3)))
        return failed(malformed("garbage at end of server-first-message"));

    // client-final-message-without-proof: c= carries the GS2 header (and the binding data).
    std::string cbind_input = gs2_header_;
    cbind_input.append(reinterpret_cast<const char*>(cbind_data_.data()), cbind_data_.size());
    std::string final_message = "c=" + base64_encode(cbind_input) + ",r=";
    final_message += nonce;

    std::string auth_message = client_first_bare_;
    auth_message += ',';
    auth_message += server_first;
    auth_message += ',';
    auth_message += final_message;

    // RFC 5802 section 3.
    key salted{}, client_key{}, stored_key{}, client_signature{}, server_key{};
    bool ok = password_.size() <= INT_MAX &&
              PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()),
                                reinterpret_cast<const unsigned char*>(salt->data()),
                                static_cast<int>(salt->size()), static_cast<int>(iterations),
                                EVP_sha256(), key_len, salted.data()) == 1 &&
              hmac(salted, bytes_of("Client Key"), client_key) && sha256(client_key, stored_key) &&
              hmac(stored_key, bytes_of(auth_message), client_signature) &&
              hmac(salted, bytes_of("Server Key"), server_key) &&
              hmac(server_key, bytes_of(auth_message), expected_server_signature_);
    key proof{};
    for (std::size_t i = 0; i < key_len; ++i)
        proof[i] = client_key[i] ^ client_signature[i];
    for (key* k : {&salted, &client_key, &stored_key, &client_signature, &server_key})
        OPENSSL_cleanse(k->data(), k->size());
    OPENSSL_cleanse(password_.data(), password_.size());
    password_.clear();
    if (!ok) return failed(fail(errc::auth_failed, "could not compute the SCRAM client proof"));

    final_message += ",p=";
    final_message += base64_encode(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(proof.data()), key_len));
    state_ = state::final_sent;
    return final_message;
}

outcome<void> scram_client::handle_server_final(std::string_view server_final) {
    if (state_ != state::final_sent)
        return failed(fail(errc::protocol_violation, "unexpected SCRAM server-final-message"));
    if (server_final.find('\0') != std::string_view::npos)
        return failed(malformed("NUL byte in server-final-message"));

    auto parts = split(server_final);
    auto attr = parse_attribute(parts[0]);
    if (attr && attr->name == 'e')
        return failed(fail(errc::auth_failed, "error received from server in SCRAM exchange: " +
                                                  std::string(attr->value)));
    if (!attr || attr->name != 'v')
        return failed(malformed("expected attribute \"v\" in server-final-message"));
    if (!extensions_ok(std::span(parts).subspan(1)))
        return failed(malformed("garbage at end of server-final-message"));
    auto signature = base64_decode(attr->value);
    if (!signature || signature->size() != key_len)
        return failed(malformed("invalid server signature"));
    if (CRYPTO_memcmp(signature->data(), expected_server_signature_.data(), key_len) != 0)
        return failed(fail(errc::auth_failed, "incorrect server signature"));
    state_ = state::done;
    return {};
}

} // namespace turbopg::wire::auth
