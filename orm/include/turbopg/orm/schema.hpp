// Tables from models: CREATE TABLE with the model's columns, primary key, UNIQUE and CHECK
// constraints, then its indexes; DROP TABLE. Idempotent on request (IF [NOT] EXISTS), so tests
// and services can start from the models alone.
#pragma once

#include <turbopg/orm/database.hpp>
#include <turbopg/orm/model.hpp>

#include <asio/awaitable.hpp>

#include <string>
#include <vector>

namespace turbopg::orm {

struct create_options {
    bool if_not_exists = true;
};

struct drop_options {
    bool if_exists = true;
    bool cascade = false;
};

// The statements that create the model's table and indexes, in order.
TURBOPG_ORM_API std::vector<std::string> create_table_sql(const model_info& model,
                                                          create_options opts = {});
TURBOPG_ORM_API std::string drop_table_sql(const model_info& model, drop_options opts = {});

// Runs them (in one transaction, so a failure leaves nothing half-made).
TURBOPG_ORM_API asio::awaitable<void> create_table(database db, const model_info& model,
                                                   create_options opts = {});
TURBOPG_ORM_API asio::awaitable<void> drop_table(database db, const model_info& model,
                                                 drop_options opts = {});

template <class M>
asio::awaitable<void> create_table(database db, create_options opts = {}) {
    co_await create_table(db, model_of<M>(), opts);
}
template <class M>
asio::awaitable<void> drop_table(database db, drop_options opts = {}) {
    co_await drop_table(db, model_of<M>(), opts);
}

} // namespace turbopg::orm
