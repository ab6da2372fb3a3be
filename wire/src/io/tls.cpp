#include "io/tls.hpp"

#include "proto/frontend.hpp"

#include <asio/ip/address.hpp>
#include <asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <filesystem>

namespace turbopg::wire::io {
namespace {

bool file_exists(const std::string& path) {
    std::error_code ec;
    return !path.empty() && std::filesystem::is_regular_file(path, ec);
}

[[noreturn]] void config_error(const std::string& message) {
    throw error(make_error_code(errc::bad_config), message);
}

int openssl_version(tls_version v) {
    switch (v) {
    case tls_version::tls1_0:
        return TLS1_VERSION;
    case tls_version::tls1_1:
        return TLS1_1_VERSION;
    case tls_version::tls1_2:
        return TLS1_2_VERSION;
    case tls_version::tls1_3:
        return TLS1_3_VERSION;
    case tls_version::unset:
        break;
    }
    return 0;
}

bool is_ip_literal(const std::string& host) {
    std::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// sslcrl / sslcrldir: revoked server certificates (used when present, like libpq).
void load_crls(asio::ssl::context& ctx, const config& cfg) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.native_handle());
    bool any = false;
    if (file_exists(cfg.sslcrl)) {
        if (X509_STORE_load_file(store, cfg.sslcrl.c_str()) != 1)
            config_error("could not load SSL certificate revocation list \"" + cfg.sslcrl + "\"");
        any = true;
    }
    if (!cfg.sslcrldir.empty()) {
        if (X509_STORE_load_path(store, cfg.sslcrldir.c_str()) != 1)
            config_error("could not load SSL certificate revocation list directory \"" +
                         cfg.sslcrldir + "\"");
        any = true;
    }
    if (any) X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
}

// libpq ("SSL Support", Client Certificates) refuses a private key file that group or others
// may access: u=rw (0600) or less, or u=rw,g=r (0640) or less when root owns it. A missing
// file is left to the loader to report.
void check_key_permissions(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    if (!S_ISREG(st.st_mode))
        config_error("private key file \"" + path + "\" is not a regular file");
    mode_t forbidden = st.st_uid == 0 ? (S_IWGRP | S_IXGRP | S_IRWXO) : (S_IRWXG | S_IRWXO);
    if ((st.st_mode & forbidden) != 0) {
        config_error("private key file \"" + path +
                     "\" has group or world access; file must have permissions u=rw (0600) or "
                     "less if owned by the current user, or permissions u=rw,g=r (0640) or less "
                     "if owned by root");
    }
}

// verify-full for a host given as an IP address (libpq docs, "SSL Support", Certificate
// Verification): an iPAddress or a dNSName SAN may name it, and the Common Name may when there
// is no iPAddress SAN. OpenSSL's own IP check looks at iPAddress SANs only.
bool certificate_names_ip(X509* cert, const std::string& ip) {
    if (X509_check_ip_asc(cert, ip.c_str(), 0) == 1) return true;
    bool ip_san = false;
    auto* sans =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i)
        ip_san = ip_san || sk_GENERAL_NAME_value(sans, i)->type == GEN_IPADD;
    GENERAL_NAMES_free(sans);
    unsigned flags =
        ip_san ? X509_CHECK_FLAG_NEVER_CHECK_SUBJECT : X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT;
    return X509_check_host(cert, ip.data(), ip.size(), flags, nullptr) == 1;
}

// Checks the server certificate (depth 0) against `ip` during the handshake, so a mismatch is
// reported like any other verification failure.
void verify_ip_host(asio::ssl::context& ctx, const std::string& ip) {
    ctx.set_verify_callback([ip](bool preverified, asio::ssl::verify_context& v) {
        X509_STORE_CTX* store = v.native_handle();
        if (!preverified || X509_STORE_CTX_get_error_depth(store) > 0) return preverified;
        if (certificate_names_ip(X509_STORE_CTX_get_current_cert(store), ip)) return true;
        X509_STORE_CTX_set_error(store, X509_V_ERR_IP_ADDRESS_MISMATCH);
        return false;
    });
}

} // namespace

bool verifies_certificate(const config& cfg) {
    switch (cfg.sslmode) {
    case ssl_mode::verify_ca:
    case ssl_mode::verify_full:
        return true;
    case ssl_mode::disable:
        return false;
    default:
        // allow, prefer, require: libpq verifies the chain whenever the root certificate file
        // exists (have_rootcert in fe-secure-openssl.c's initialize_SSL), whatever the mode
        // (sslrootcert=system is verify-full only, see config.cpp).
        return file_exists(cfg.sslrootcert);
    }
}

std::shared_ptr<asio::ssl::context> make_tls_context(const config& cfg) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (auto v = openssl_version(cfg.ssl_min_protocol_version))
        SSL_CTX_set_min_proto_version(native, v);
    if (auto v = openssl_version(cfg.ssl_max_protocol_version))
        SSL_CTX_set_max_proto_version(native, v);

    if (verifies_certificate(cfg)) {
        if (cfg.sslrootcert == "system") {
            ctx->set_default_verify_paths();
        } else if (!file_exists(cfg.sslrootcert)) {
            config_error("root certificate file \"" + cfg.sslrootcert +
                         "\" does not exist\nEither provide the file, use the system's trusted "
                         "roots with sslrootcert=system, or change sslmode to disable server "
                         "certificate verification.");
        } else {
            std::error_code ec;
            ctx->load_verify_file(cfg.sslrootcert, ec);
            if (ec)
                config_error("could not read root certificate file \"" + cfg.sslrootcert +
                             "\": " + ec.message());
        }
        ctx->set_verify_mode(asio::ssl::verify_peer);
        load_crls(*ctx, cfg);
    } else {
        ctx->set_verify_mode(asio::ssl::verify_none);
    }

    // The client certificate: used when the file exists (the default path usually does not).
    if (cfg.sslcertmode != ssl_cert_mode::disable && file_exists(cfg.sslcert)) {
        std::error_code ec;
        ctx->use_certificate_chain_file(cfg.sslcert, ec);
        if (ec)
            config_error("could not load client certificate file \"" + cfg.sslcert +
                         "\": " + ec.message());
        if (!cfg.sslpassword.empty()) {
            auto pass = cfg.sslpassword;
            ctx->set_password_callback(
                [pass](std::size_t, asio::ssl::context::password_purpose) { return pass; });
        }
        check_key_permissions(cfg.sslkey);
        ctx->use_private_key_file(cfg.sslkey, asio::ssl::context::pem, ec);
        if (ec)
            config_error("could not load private key file \"" + cfg.sslkey + "\": " + ec.message());
    }
    return ctx;
}

asio::awaitable<bool> request_tls(transport& t) {
    proto::bytes out;
    proto::byte_writer w(out);
    proto::encode_ssl_request(w);
    co_await t.write(asio::buffer(out));
    std::byte answer{};
    auto n = co_await t.read_some(asio::buffer(&answer, 1));
    if (n == 1 && answer == std::byte{'S'}) co_return true;
    if (n == 1 && answer == std::byte{'N'}) co_return false;
    // 'E' would be a pre-3.0 server's error: nothing turbopg can talk to.
    throw error(make_error_code(errc::protocol_violation),
                "received invalid response to SSL negotiation");
}

asio::awaitable<void> start_tls(transport& t, const config& cfg, const endpoint& ep) {
    auto ctx = make_tls_context(cfg);
    const auto& host = ep.display_host();
    bool host_is_ip = is_ip_literal(host);
    std::string sni = cfg.sslsni && !host_is_ip && !ep.host.empty() ? ep.host : std::string();
    std::string verify;
    if (cfg.sslmode == ssl_mode::verify_full) {
        // libpq (pq_verify_peer_name_matches_certificate) refuses rather than check a hostaddr:
        // the name to verify is what the user asked for, not where it was found.
        if (ep.host.empty())
            throw error(make_error_code(errc::tls_verification_failed),
                        "host name must be specified for a verified SSL connection (hostaddr=" +
                            ep.hostaddr + " without host)");
        if (host_is_ip)
            verify_ip_host(*ctx, host);
        else
            verify = host;
    }
    try {
        co_await t.start_tls(std::move(ctx), sni, verify);
    } catch (const std::system_error& e) {
        auto reason = t.verify_error();
        std::string what = "SSL handshake with \"" + host + "\" failed: " + e.code().message();
        if (reason.empty()) throw error(e.code(), what);
        throw error(make_error_code(errc::tls_verification_failed), what + " (" + reason + ")");
    }
}

} // namespace turbopg::wire::io
