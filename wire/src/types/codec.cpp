// The OID-indexed table of column types the built-in codecs read in binary, and the messages
// for codec errors.
#include <turbopg/wire/codec.hpp>

#include <array>
#include <bitset>
#include <string>

namespace turbopg::wire {
namespace {

// Every column type some built-in codec accepts (see detail/codec_*.hpp); the array types of
// these are added below. tests/unit/types checks this list against the codecs' accepts().
constexpr oid_t binary_scalars[] = {
    oid::bool_,        oid::bytea,        oid::char_,         oid::name,     oid::int8,
    oid::int2,         oid::int4,         oid::regproc,       oid::text,     oid::oid,
    oid::xid,          oid::cid,          oid::json,          oid::xml,      oid::float4,
    oid::float8,       oid::unknown,      oid::bpchar,        oid::varchar,  oid::date,
    oid::time,         oid::timestamp,    oid::timestamptz,   oid::interval, oid::numeric,
    oid::regprocedure, oid::regoper,      oid::regoperator,   oid::regclass, oid::regtype,
    oid::uuid,         oid::regconfig,    oid::regdictionary, oid::jsonb,    oid::regnamespace,
    oid::regrole,      oid::regcollation,
};

constexpr std::size_t table_size = 8192; // every built-in OID is below this

const std::bitset<table_size>& binary_table() noexcept {
    static const std::bitset<table_size> table = [] {
        std::bitset<table_size> t;
        for (auto o : binary_scalars) {
            t.set(o);
            if (auto a = array_type_of(o)) t.set(a);
        }
        return t;
    }();
    return table;
}

} // namespace

bool has_binary_codec(oid_t type) noexcept {
    return type < table_size && binary_table().test(type);
}

std::string describe_type(oid_t type) {
    auto name = builtin_type_name(type);
    if (!name.empty()) return std::string(name);
    return "OID " + std::to_string(type);
}

std::string describe_field_error(std::error_code ec, std::string_view column, oid_t type,
                                 std::string_view cpp_type) {
    std::string col = "column \"" + std::string(column) + "\" of type " + describe_type(type);
    std::string cpp(cpp_type);
    if (ec == errc::type_mismatch) return "cannot read " + col + " into " + cpp;
    if (ec == errc::unexpected_null)
        return col + " holds a NULL, which " + cpp + " cannot represent (use std::optional)";
    if (ec == errc::value_out_of_range) return "the value of " + col + " does not fit " + cpp;
    if (ec == errc::invalid_value) return "malformed value in " + col + " (reading " + cpp + ")";
    return col + " (reading " + cpp + "): " + ec.message();
}

std::string describe_param_error(std::error_code ec, std::size_t index, std::string_view cpp_type) {
    std::string what = ec == errc::invalid_value        ? "invalid value"
                       : ec == errc::value_out_of_range ? "value out of range for PostgreSQL"
                                                        : ec.message();
    return "cannot encode parameter $" + std::to_string(index) + " (" + std::string(cpp_type) +
           "): " + what;
}

} // namespace turbopg::wire
