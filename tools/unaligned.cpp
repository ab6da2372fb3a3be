#include "unaligned.hpp"

namespace turbopg::tools {

void append_unaligned(std::string& out, const wire::result& r, std::string_view field_separator) {
    const std::size_t ncols = r.columns().size();
    if (ncols == 0) return;
    for (auto row : r) {
        for (std::size_t i = 0; i < ncols; ++i) {
            if (i > 0) out += field_separator;
            auto value = row[i];
            if (value.is_null()) continue;
            auto bytes = value.bytes();
            out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        }
        out += '\n';
    }
}

} // namespace turbopg::tools
