// The ORM's own errors. Server errors (constraint violations, ...) and connection errors come
// as turbopg::wire::error with the server's SQLSTATE and message.
#pragma once

#include <turbopg/orm/identifier.hpp>

#include <stdexcept>
#include <string>

namespace turbopg::orm {

class TURBOPG_ORM_API error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// get() found no row (Django's Model.DoesNotExist).
class TURBOPG_ORM_API does_not_exist : public error {
public:
    using error::error;
};

// get() found more than one row (Django's Model.MultipleObjectsReturned).
class TURBOPG_ORM_API multiple_objects_returned : public error {
public:
    using error::error;
};

// qs.at(i) past the last row (Python's IndexError).
class TURBOPG_ORM_API index_error : public error {
public:
    using error::error;
};

// A field or lookup name that the model does not have (Django's FieldError); the message names
// it and lists the valid ones.
class TURBOPG_ORM_API field_error : public error {
public:
    using error::error;
};

} // namespace turbopg::orm
