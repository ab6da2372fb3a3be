#include "config/keywords.hpp"

namespace turbopg::wire::config_detail {
namespace {

// In `key` order. Environment variables as libpq names them; the keywords without one have
// none in libpq either (turbopg's own two included).
constexpr std::array<keyword, key_count> keywords{{
    {"service", "PGSERVICE"},
    {"servicefile", "PGSERVICEFILE"}, // libpq 18
    {"host", "PGHOST"},
    {"hostaddr", "PGHOSTADDR"},
    {"port", "PGPORT"},
    {"dbname", "PGDATABASE"},
    {"user", "PGUSER"},
    {"password", "PGPASSWORD"},
    {"passfile", "PGPASSFILE"},
    {"connect_timeout", "PGCONNECT_TIMEOUT"},
    {"client_encoding", "PGCLIENTENCODING"},
    {"options", "PGOPTIONS"},
    {"application_name", "PGAPPNAME"},
    {"fallback_application_name", ""},
    {"keepalives", ""},
    {"keepalives_idle", ""},
    {"keepalives_interval", ""},
    {"keepalives_count", ""},
    {"tcp_user_timeout", ""},
    {"sslmode", "PGSSLMODE"},
    {"sslcompression", "PGSSLCOMPRESSION"},
    {"sslcert", "PGSSLCERT"},
    {"sslkey", "PGSSLKEY"},
    {"sslcertmode", "PGSSLCERTMODE"},
    {"sslpassword", ""},
    {"sslrootcert", "PGSSLROOTCERT"},
    {"sslcrl", "PGSSLCRL"},
    {"sslcrldir", "PGSSLCRLDIR"},
    {"sslsni", "PGSSLSNI"},
    {"requirepeer", "PGREQUIREPEER"},
    {"require_auth", "PGREQUIREAUTH"},
    {"ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"},
    {"ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"},
    {"gssencmode", "PGGSSENCMODE"},
    {"krbsrvname", "PGKRBSRVNAME"},
    {"gsslib", "PGGSSLIB"},
    {"gssdelegation", "PGGSSDELEGATION"},
    {"replication", ""},
    {"target_session_attrs", "PGTARGETSESSIONATTRS"},
    {"load_balance_hosts", "PGLOADBALANCEHOSTS"},
    {"channel_binding", "PGCHANNELBINDING"},
    {"statement_cache_size", ""},
    {"max_message_size", ""},
    {"busy_poll", ""},
}};

static_assert(keywords[static_cast<std::size_t>(key::sslmode)].name == "sslmode");
static_assert(keywords[static_cast<std::size_t>(key::channel_binding)].name == "channel_binding");
static_assert(keywords[key_count - 1].name == "busy_poll");

} // namespace

const keyword& keyword_of(key k) noexcept {
    return keywords[static_cast<std::size_t>(k)];
}

std::optional<key> find_key(std::string_view name) noexcept {
    for (std::size_t i = 0; i < keywords.size(); ++i) {
        if (keywords[i].name == name) return static_cast<key>(i);
    }
    return std::nullopt;
}

} // namespace turbopg::wire::config_detail
