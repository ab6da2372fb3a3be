// model_sink: DataRows decoded into model objects, one object reused from row to row.
#include <turbopg/orm/model_sink.hpp>
#include <turbopg/wire/connection.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace model_sink_test {
struct Note {
    std::int32_t n = 0;
    std::string label;
    std::optional<std::string> remark;
};
} // namespace model_sink_test

using namespace model_sink_test;
using namespace turbopg;

namespace {

// Text-format columns n, label and remark.
wire::detail::column_list note_columns() {
    auto column = [](std::string name, std::uint32_t type) {
        wire::column_description c;
        c.name = std::move(name);
        c.type_oid = type;
        return c;
    };
    return std::make_shared<const std::vector<wire::column_description>>(
        std::vector{column("n", 23), column("label", 25), column("remark", 25)});
}

wire::detail::raw_field text(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), static_cast<std::int32_t>(s.size())};
}
const wire::detail::raw_field null_field{};

// Feeds the rows (three text values each, nullopt = NULL) to `sink`; every call must succeed.
void feed(wire::detail::result_sink& sink,
          const std::vector<std::vector<std::optional<std::string>>>& rows) {
    sink.on_columns(note_columns());
    for (const auto& row : rows) {
        std::vector<wire::detail::raw_field> fields;
        for (const auto& v : row)
            fields.push_back(v ? text(*v) : null_field);
        REQUIRE_FALSE(sink.on_data_row(fields));
    }
}

} // namespace

TEST_CASE("model_sink reuses one object: each row overwrites every member in place") {
    const std::string long_label(100, 'x');
    std::vector<Note> seen;
    std::vector<std::size_t> capacities;
    auto look = [&](Note&& n) {
        seen.push_back(n); // a copy: the object itself stays in the sink
        capacities.push_back(n.label.capacity());
    };
    orm::detail::model_sink<Note, decltype(look)> sink({}, look);
    feed(sink, {{"1", long_label, "kept"}, {"2", "short", std::nullopt}, {"3", "", "back"}});

    REQUIRE(seen.size() == 3);
    CHECK(seen[0].n == 1);
    CHECK(seen[0].label == long_label);
    CHECK(seen[0].remark == "kept");
    CHECK(seen[1].n == 2);
    CHECK(seen[1].label == "short");
    CHECK_FALSE(seen[1].remark); // NULL after a value reads as empty, not as the old value
    CHECK(seen[2].label.empty());
    CHECK(seen[2].remark == "back");
    // The second row's short label went into the first row's buffer: no new allocation.
    CHECK(capacities[1] >= long_label.size());
    CHECK(capacities[2] >= long_label.size());
}

TEST_CASE("model_sink: rows moved out by the callable are whole and independent") {
    std::vector<Note> kept;
    auto keep = [&](Note&& n) { kept.push_back(std::move(n)); };
    orm::detail::model_sink<Note, decltype(keep)> sink({}, keep);
    feed(sink, {{"1", std::string(40, 'a'), "one"}, {"2", "b", std::nullopt}});
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].label == std::string(40, 'a'));
    CHECK(kept[0].remark == "one");
    CHECK(kept[1].n == 2);
    CHECK(kept[1].label == "b");
    CHECK_FALSE(kept[1].remark);
}

TEST_CASE("model_sink with some fields selected: the others read as their defaults every row") {
    std::vector<Note> seen;
    auto scribble = [&](Note&& n) {
        seen.push_back(n);
        n.n = 99; // what the callable leaves must not leak into the next row
        n.remark = "scribbled";
    };
    const std::vector<std::size_t> only_label{1};
    orm::detail::model_sink<Note, decltype(scribble)> sink(only_label, scribble);
    sink.on_columns(note_columns());
    for (std::string label : {"first", "second"}) {
        const std::vector fields{text(label)};
        REQUIRE_FALSE(sink.on_data_row(fields));
    }
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].label == "second");
    CHECK(seen[1].n == 0);
    CHECK_FALSE(seen[1].remark);
}

TEST_CASE("wire streaming_sink reuses one row object too") {
    const std::string long_label(100, 'y');
    std::vector<std::size_t> capacities;
    std::vector<std::optional<std::string>> remarks;
    auto look = [&](std::tuple<std::int32_t, std::string, std::optional<std::string>>&& r) {
        capacities.push_back(std::get<1>(r).capacity());
        remarks.push_back(std::get<2>(r));
    };
    wire::detail::streaming_sink<std::tuple<std::int32_t, std::string, std::optional<std::string>>,
                                 decltype(look)>
        sink(look);
    feed(sink, {{"1", long_label, "r"}, {"2", "s", std::nullopt}});
    REQUIRE(capacities.size() == 2);
    CHECK(capacities[1] >= long_label.size());
    CHECK(remarks == std::vector<std::optional<std::string>>{"r", std::nullopt});
}
