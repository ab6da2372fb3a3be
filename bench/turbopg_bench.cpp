// turbopg-bench <workload> <url> [ops]: runs one workload of issue 6 with turbopg and prints
// its line (see meson.build). `turbopg-bench --list` prints each workload with its default ops.
//
// Exit status: 0 done, 1 failed (query error or wrong value), 2 usage.
#include "workloads.hpp"

#include <turbopg/wire/error.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace {

using namespace turbopg::bench;

struct workload {
    std::string_view name;
    long default_ops;
    measurement (*run)(const workload_args&);
};

constexpr std::array workloads{
    workload{"point-seq", 20'000, point_seq},
    workload{"point-pipe", 200'000, point_pipe},
    workload{"point-batch", 200'000, point_batch},
    workload{"rows", 1'000'000, rows},
    workload{"point-get", 20'000, point_get},
    workload{"copy-in", 1'000'000, copy_in},
    workload{"insert-batch", 100'000, insert_batch},
    workload{"pool-8", 200'000, pool_8},
    workload{"orm-get", 20'000, orm_get},
    workload{"orm-fetch", 1'000'000, orm_fetch},
    workload{"orm-fetch-list", 1'000'000, orm_fetch_list},
    workload{"orm-page", 20'000, orm_page},
    workload{"orm-bulk-create", 1'000'000, orm_bulk_create},
};

int usage() {
    std::fputs("usage: turbopg-bench <workload> <url> [ops]\n"
               "       turbopg-bench --list\n",
               stderr);
    return 2;
}

int list() {
    for (const auto& w : workloads)
        std::printf("%.*s %ld\n", static_cast<int>(w.name.size()), w.name.data(), w.default_ops);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string_view(argv[1]) == "--list") return list();
    if (argc < 3 || argc > 4) return usage();
    const std::string_view name = argv[1];
    const workload* w = nullptr;
    for (const auto& candidate : workloads)
        if (candidate.name == name) w = &candidate;
    if (w == nullptr) {
        std::fprintf(stderr, "turbopg-bench: unknown workload %s\n", argv[1]);
        return usage();
    }
    workload_args args{argv[2], w->default_ops};
    if (argc == 4) {
        char* end = nullptr;
        args.ops = std::strtol(argv[3], &end, 10);
        if (*end != '\0' || args.ops <= 0) return usage();
    }
    try {
        auto m = w->run(args);
        std::printf("%s\n", format_line(w->name, m).c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "turbopg-bench: %s failed: %s\n", argv[1], e.what());
        return 1;
    }
}
