// Codecs: C++ values <-> PostgreSQL values, checked against the type OID.
//
// `codec<T>` maps one C++ type to the PostgreSQL type it is written as and the types it can be
// read from. The built-in specialisations come with this header (details in detail/codec_*.hpp):
//
//   bool                                   bool
//   std::int16_t / int32_t / int64_t       int2 / int4 / int8 (reading widens, never narrows)
//   std::uint32_t                          oid (reads xid, cid and the reg* types too)
//   float / double                         float4 / float8 (double reads float4 too)
//   char                                   "char"
//   std::string, std::string_view          sent as text with OID 0 (the server infers); read
//                                          from text, varchar, bpchar, name, unknown, xml, json,
//                                          jsonb, and any column in text format
//   const char*, char[N]                   sent like std::string
//   std::vector<std::byte>, std::span<const std::byte>   bytea
//   numeric, uuid, interval, json, jsonb   (types.hpp) numeric, uuid, interval, json, jsonb
//   std::chrono::sys_days, year_month_day  date
//   time_of_day                            (types.hpp) time
//   std::chrono::local_time<D>             timestamp
//   std::chrono::sys_time<D>               timestamptz (system_clock::time_point included)
//   std::optional<T>                       T, or NULL
//   std::vector<T>, nested, of optional    T's array type, n-dimensional, NULL elements
//
// Views (string_view, span) point into the row's buffer. Users add their own types by
// specialising the same template before first use:
//
//   template <> struct turbopg::wire::codec<my_money> {
//       static constexpr std::string_view name = "my_money";
//       // Encoding (my_money usable as a query parameter):
//       static constexpr oid_t type_oid = oid::int8;        // OID declared in Parse/Bind
//       static constexpr oid_t array_oid = oid::int8_array; // for std::vector<my_money>; 0 = none
//       static std::error_code encode(const my_money& v, bytes& out); // append; may return void
//       // Optional, for speed: the exact size encode would append, and writing those bytes at p
//       // (binary COPY then sizes each row once and writes it in place).
//       static std::size_t encoded_size(const my_money& v) noexcept;
//       static std::error_code encode_to(const my_money& v, std::byte* p);  // may return void
//       // Decoding (my_money usable as a result column):
//       static bool accepts(oid_t column_type) noexcept;    // the column types it decodes from
//       static std::error_code decode(byte_view in, oid_t type, my_money& out) noexcept;
//       // Optional: reading the text format (columns without a binary codec, simple queries).
//       static std::error_code decode_text(std::string_view in, oid_t type, my_money& out);
//   };
//
// Rules for a specialisation:
// - encode appends the value's bytes, without the length prefix, to `out` and allocates nothing
//   else; it returns {} or an error (invalid_value, value_out_of_range), and then what it
//   appended is discarded by the caller. With type_oid 0 the parameter is sent in text format and
//   the server infers its type (as std::string does), so encode must write the text form.
// - encode_to (when present) writes the same encoded_size(v) bytes as encode appends, and fails
//   when encode does (then what it wrote is discarded).
// - decode is only called for a non-NULL value whose type passed accepts(); it must reject
//   malformed input and trailing bytes with errc::invalid_value and values that do not fit with
//   errc::value_out_of_range, and must be memory-safe for any input. On error `out` is left
//   valid but unspecified.
// - decode_text (when present) checks the type itself, as it is reached without accepts().
//
// NULL is not a value of any codec: std::optional<T> is NULL when empty, handled by
// encode_param / decode_field and by the array codec.
#pragma once

#include <turbopg/wire/detail/codec_core.hpp>

#include <turbopg/wire/detail/codec_array.hpp>
#include <turbopg/wire/detail/codec_chrono.hpp>
#include <turbopg/wire/detail/codec_scalar.hpp>
#include <turbopg/wire/detail/codec_string.hpp>
#include <turbopg/wire/detail/codec_value.hpp>
