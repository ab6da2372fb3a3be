// next_frame() over the whole input; every message goes to the parser of its type, and every
// view a parser returns is read in full.
#include "fuzz_util.hpp"
#include "proto/backend.hpp"

using namespace turbopg::wire::proto;
using turbopg::fuzz::touch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    byte_view in = turbopg::fuzz::as_span(data, size);
    std::vector<std::string_view> names;
    std::vector<field_slice> fields;
    std::vector<column_description> columns;
    std::vector<std::uint32_t> types;
    for (;;) {
        auto r = next_frame(in, 1 << 16);
        if (r.status != frame_status::complete) return 0;
        auto b = r.msg.body;
        switch (r.msg.type) {
        case msg::authentication: {
            authentication a;
            if (!parse(b, a) && a.code == auth_code::sasl && !parse_sasl_mechanisms(a.data, names))
                for (auto n : names)
                    touch(n);
            break;
        }
        case msg::backend_key_data: {
            backend_key_data k;
            (void)parse(b, k);
            break;
        }
        case msg::parameter_status: {
            parameter_status p;
            if (!parse(b, p)) touch(p.name), touch(p.value);
            break;
        }
        case msg::ready_for_query: {
            ready_for_query z;
            (void)parse(b, z);
            break;
        }
        case msg::command_complete: {
            command_complete c;
            if (!parse(b, c)) touch(c.tag), (void)rows_affected(c.tag);
            break;
        }
        case msg::error_response:
        case msg::notice_response: {
            turbopg::wire::server_diagnostics d;
            (void)parse_diagnostics(b, d);
            break;
        }
        case msg::notification_response: {
            notification n;
            if (!parse(b, n)) touch(n.channel), touch(n.payload);
            break;
        }
        case msg::parameter_description:
            (void)parse_parameter_description(b, types);
            break;
        case msg::row_description:
            (void)parse_row_description(b, columns);
            break;
        case msg::data_row:
            if (!parse_data_row(b, fields))
                for (auto& f : fields)
                    touch(f.bytes());
            break;
        case msg::copy_in_response:
        case msg::copy_out_response:
        case msg::copy_both_response: {
            copy_response c;
            (void)parse(b, c);
            break;
        }
        case msg::negotiate_protocol_version: {
            negotiate_protocol_version v;
            if (!parse(b, v))
                for (auto o : v.unrecognized_options)
                    touch(o);
            break;
        }
        default:
            (void)expect_empty(b);
        }
        in = in.subspan(r.msg.size);
    }
}
