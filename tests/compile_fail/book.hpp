// The model the compile-fail cases misuse.
#pragma once

#include <turbopg/orm/queryset.hpp>

#include <cstdint>

struct Book {
    turbopg::orm::primary_key<> id;
    turbopg::orm::varchar<200> title;
    std::int32_t pages = 0;
};

namespace orm = turbopg::orm;
