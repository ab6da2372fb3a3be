// The binary COPY parser over the input cut into chunks (the first byte picks the chunk size);
// every field of every tuple is read in full, then finish() is called.
#include "fuzz_util.hpp"

#include <turbopg/wire/detail/copy_binary.hpp>

#include <algorithm>

using turbopg::fuzz::touch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::size_t step = data[0] + 1u;
    auto in = turbopg::fuzz::as_span(data + 1, size - 1);
    turbopg::wire::detail::copy_binary_parser p;
    auto on_tuple = [](std::span<const turbopg::wire::detail::raw_field> fields) {
        for (auto& f : fields)
            touch(f.bytes());
    };
    for (std::size_t at = 0; at < in.size(); at += step)
        if (p.feed(in.subspan(at, std::min(step, in.size() - at)), on_tuple)) return 0;
    (void)p.finish();
    return 0;
}
