#include <turbopg/wire/detail/copy_binary.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace turbopg::wire::detail {

namespace {
constexpr std::array<unsigned char, 11> signature{'P',  'G',  'C',  'O',  'P', 'Y',
                                                  '\n', 0xff, '\r', '\n', 0};
constexpr std::size_t header_size = signature.size() + 4 + 4; // + flags + extension length
// Flag bits 16-31 mark format changes a reader must not ignore (bit 16: OIDs included, which no
// supported server writes); bits 0-15 may be ignored.
constexpr std::uint32_t critical_flags = 0xffff0000u;
} // namespace

void append_copy_binary_header(bytes& out) {
    append_raw(out, signature.data(), signature.size());
    append_be<std::int32_t>(out, 0); // flags
    append_be<std::int32_t>(out, 0); // header extension length
}

void append_copy_binary_trailer(bytes& out) {
    append_be<std::int16_t>(out, -1);
}

void throw_copy_encode_error(std::error_code ec, std::size_t column, std::string_view type) {
    throw error(ec, "cannot encode column " + std::to_string(column) + " of the COPY (" +
                        std::string(type) + ")");
}

std::error_code copy_binary_parser::fail(const char* message) {
    state_ = state::failed;
    message_ = message;
    return make_error_code(errc::invalid_value);
}

std::error_code copy_binary_parser::feed(std::span<const std::byte> chunk, tuple_handler on_tuple) {
    if (state_ == state::failed) return make_error_code(errc::invalid_value);
    if (carry_.empty()) {
        auto used = parse(chunk, on_tuple);
        if (state_ != state::failed)
            carry_.assign(chunk.begin() + static_cast<std::ptrdiff_t>(used), chunk.end());
    } else {
        carry_.insert(carry_.end(), chunk.begin(), chunk.end());
        auto used = parse(carry_, on_tuple);
        carry_.erase(carry_.begin(), carry_.begin() + static_cast<std::ptrdiff_t>(used));
    }
    return state_ == state::failed ? make_error_code(errc::invalid_value) : std::error_code();
}

std::error_code copy_binary_parser::finish() {
    if (state_ == state::failed) return make_error_code(errc::invalid_value);
    if (state_ != state::done)
        return fail(state_ == state::header && carry_.empty()
                        ? "the binary COPY stream is empty"
                        : "the binary COPY stream ended before its trailer");
    return {};
}

std::size_t copy_binary_parser::parse(std::span<const std::byte> in, tuple_handler& on_tuple) {
    std::size_t used = 0;
    for (;;) {
        auto rest = in.subspan(used);
        switch (state_) {
        case state::header: {
            auto n = std::min(rest.size(), signature.size());
            if (std::memcmp(rest.data(), signature.data(), n) != 0) {
                fail("not a binary COPY stream (the signature is missing; use FORMAT binary)");
                return used;
            }
            if (rest.size() < header_size) return used;
            auto flags = load_be<std::uint32_t>(rest.data() + signature.size());
            auto extension = load_be<std::int32_t>(rest.data() + signature.size() + 4);
            if (flags & critical_flags) {
                fail("the binary COPY header has unsupported flags (OIDs included?)");
                return used;
            }
            if (extension < 0) {
                fail("the binary COPY header extension has a negative length");
                return used;
            }
            if (rest.size() - header_size < static_cast<std::size_t>(extension)) return used;
            used += header_size + static_cast<std::size_t>(extension);
            state_ = state::tuples;
            break;
        }
        case state::tuples: {
            if (rest.size() < 2) return used;
            auto count = load_be<std::int16_t>(rest.data());
            if (count == -1) {
                used += 2;
                state_ = state::done;
                break;
            }
            if (count < 0) {
                fail("a binary COPY tuple has a negative field count");
                return used;
            }
            fields_.clear();
            std::size_t pos = 2;
            for (std::int16_t i = 0; i < count; ++i) {
                if (rest.size() - pos < 4) return used;
                auto size = load_be<std::int32_t>(rest.data() + pos);
                pos += 4;
                if (size < -1) {
                    fail("a binary COPY field has a negative length");
                    return used;
                }
                if (size >= 0) {
                    if (rest.size() - pos < static_cast<std::size_t>(size)) return used;
                    fields_.push_back({rest.data() + pos, size});
                    pos += static_cast<std::size_t>(size);
                } else {
                    fields_.push_back({nullptr, -1});
                }
            }
            used += pos;
            ++tuples_;
            on_tuple(fields_);
            break;
        }
        case state::done:
            if (!rest.empty()) fail("data after the binary COPY trailer");
            return used;
        case state::failed:
            return used;
        }
    }
}

} // namespace turbopg::wire::detail
