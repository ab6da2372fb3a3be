// Backend messages into startup_op. The first byte picks one of a few fixed settings: bit 0 TLS
// with a certificate hash (32 bytes 0xab), bits 1-2 channel_binding (prefer, disable, require,
// prefer), bit 3 require_auth=scram-sha-256. The password is always "pencil" and the SCRAM nonce
// fixed, so seeds can carry a complete, verifiable SCRAM exchange.
#include "fuzz_util.hpp"
#include "ops/startup.hpp"

#include <array>

using namespace turbopg::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // startup_settings has no cap on SCRAM iterations below scram_options' 10 million (seconds
    // of PBKDF2): skip inputs asking for more than 99999, they only slow the fuzzer down.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto at = text.find("i="); at != text.npos; at = text.find("i=", at + 1))
        if (text.substr(at + 2, 6).find_first_not_of("0123456789") == text.npos &&
            text.size() >= at + 8)
            return 0;

    ops::startup_settings s;
    s.user = "alice";
    s.database = "db";
    s.password = "pencil";
    s.scram_nonce = "rOprNGfwEbeRWgbNEkqO";
    s.tls_active = data[0] & 1;
    if (s.tls_active) s.tls_server_end_point.assign(32, std::byte{0xab});
    s.channel_binding =
        std::array{channel_binding_mode::prefer, channel_binding_mode::disable,
                   channel_binding_mode::require, channel_binding_mode::prefer}[(data[0] >> 1) & 3];
    if (data[0] & 8)
        s.require_auth = {static_cast<std::uint8_t>(auth_method::scram_sha_256), false};

    ops::startup_op op(std::move(s));
    proto::bytes out;
    proto::byte_writer w(out);
    op.start(w);
    auto in = turbopg::fuzz::as_span(data + 1, size - 1);
    for (;;) {
        auto r = proto::next_frame(in, proto::default_max_message_size);
        if (r.status != proto::frame_status::complete) return 0;
        auto st = ops::startup_op::status::read;
        out.clear();
        if (op.on_message(r.msg, w, st) || st == ops::startup_op::status::done) return 0;
        in = in.subspan(r.msg.size);
    }
}
