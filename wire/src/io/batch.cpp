// Explicit batches (connection::run(const batch&)): the batch's storage, and running it under one
// Sync with one Bind/Execute per entry and one result per entry.
#include "io/connection_impl.hpp"

#include <turbopg/wire/detail/batch_data.hpp>

#include <algorithm>
#include <array>
#include <string_view>

namespace turbopg::wire {

namespace detail {
std::uint32_t batch_data::find_or_add_statement(std::string_view text,
                                                std::span<const oid_t> types) {
    // Only the last few are compared: enough for a statement repeated or a few alternating (the
    // usual batches), and adding stays O(1) for a batch of many different statements.
    constexpr std::size_t lookback = 4;
    auto n = statements.size();
    for (std::size_t i = n; i > 0 && n - i < lookback; --i) {
        auto& s = statements[i - 1];
        if (sql_of(s) == text &&
            std::equal(s.types.begin(), s.types.end(), types.begin(), types.end()))
            return static_cast<std::uint32_t>(i - 1);
    }
    auto begin = sql.size();
    sql.append(text);
    statements.push_back({begin, sql.size(), types});
    return static_cast<std::uint32_t>(n);
}
} // namespace detail

namespace io {

using namespace proto;
using statement_ptr = std::shared_ptr<const ops::statement_description>;

namespace {

// Collects the results of a batch: one result per entry, each with its statement's columns
// (cached statements), or with the columns of its RowDescription (unnamed statements, which
// Describe each portal).
class batch_sink final : public ops::result_sink {
public:
    // `statements`: the batch's statements, in the batch's order; empty with unnamed ones.
    batch_sink(const detail::batch_data& b, std::span<const statement_ptr> statements)
        : batch_(b)
        , statements_(statements) {
        builder_.results().reserve(b.entries.size());
        builder_.expect_rows(b.entries.size()); // a batch typically returns a row or none each
        next_columns();
    }
    void on_columns(const detail::column_list& c) override { builder_.on_columns(c); }
    std::error_code on_data_row(std::span<const detail::raw_field> f) override {
        return builder_.on_data_row(f);
    }
    void on_command_complete(std::string_view tag) override {
        builder_.on_command_complete(tag);
        ++current_;
        next_columns();
    }
    std::vector<result>& results() { return builder_.results(); }

private:
    void next_columns() {
        if (current_ < batch_.entries.size() && !statements_.empty())
            builder_.on_columns(statements_[batch_.entries[current_].statement]->columns);
    }

    const detail::batch_data& batch_;
    std::span<const statement_ptr> statements_;
    result_builder builder_;
    std::size_t current_ = 0;
};

// Whether a statement with this command tag began or ended a transaction block: a batch that ran
// one cannot be run again as a whole.
bool ends_or_begins_transaction(std::string_view tag) {
    for (std::string_view t : {"BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK",
                               "PREPARE TRANSACTION", "COMMIT PREPARED", "ROLLBACK PREPARED"})
        if (tag == t) return true;
    return false;
}

} // namespace

asio::awaitable<std::vector<result>> connection_impl::run_batch(const detail::batch_data& batch) {
    bool unnamed = statements_.capacity() == 0;
    // The cached statement of each distinct statement, found (or prepared) once per batch. Held
    // here, they are in use: while the batch prepares the others (and other coroutines' queries
    // prepare theirs), the cache evicts none of them, growing past its capacity if it must.
    std::array<statement_ptr, 4> few;
    std::vector<statement_ptr> many;
    std::span<statement_ptr> stmts;
    if (!unnamed) {
        auto n = batch.statements.size();
        if (n <= few.size()) {
            stmts = std::span(few).first(n);
        } else {
            many.resize(n);
            stmts = many;
        }
    }
    // The statement the last run again was for: failing at it once more, the batch fails with
    // an error of its own (a parameter the server rejects at Bind), not a stale statement.
    auto retried = batch.statements.size();
    for (int attempt = 0;; ++attempt) {
        for (std::size_t i = 0; i < stmts.size(); ++i) {
            auto& s = batch.statements[i];
            auto sql = batch.sql_of(s);
            stmts[i] = find_cached(sql, s.types);
            if (stmts[i]) continue;
            stmts[i] = co_await prepare(sql, s.types);
        }
        batch_sink sink(batch, stmts);
        static constexpr std::int16_t all_binary[] = {1};
        auto params = byte_view(batch.params);
        auto write = [&](byte_writer& w) {
            std::size_t parsed = batch.statements.size(); // none yet
            for (auto& e : batch.entries) {
                std::string_view name;
                std::span<const std::int16_t> result_formats = all_binary;
                if (unnamed) {
                    // The unnamed statement lasts until the next Parse: entries repeating the
                    // previous one's statement bind it again.
                    if (e.statement != parsed) {
                        auto& s = batch.statements[e.statement];
                        encode_parse(w, "", batch.sql_of(s), s.types);
                        parsed = e.statement;
                    }
                } else {
                    name = stmts[e.statement]->name;
                    result_formats = stmts[e.statement]->result_formats;
                }
                // Bind, Describe and Execute with one append: a batch writes them for every entry.
                bind_message bind{"",
                                  name,
                                  e.formats,
                                  e.count,
                                  params.subspan(e.begin, e.end - e.begin),
                                  result_formats};
                check_message_size('B', bind_size(bind) - 5); // after the type byte and length
                auto size = bind_size(bind) + execute_size("");
                if (unnamed) size += describe_size("");
                auto* p = put_bind(w.append(size), bind);
                if (unnamed) p = put_describe(p, target::portal, "");
                put_execute(p, "", 0);
            }
            encode_sync(w);
        };
        // Counted as its statements by the pipeline hold (holding_back()).
        auto statements = static_cast<std::uint32_t>(batch.entries.size());
        auto out = co_await submit(sink, write, request::cork_kind::none, statements);
        auto& done = sink.results();
        if (!unnamed && out.stale_statement() && done.size() < batch.entries.size()) {
            // The entry after those that completed failed at its Bind: its cached statement may
            // be stale. Forget it, so that it is prepared again, as a single query does. The
            // batch is run again (once per statement at most) when its implicit transaction has
            // rolled back whatever ran before: no transaction block open, none begun or ended by
            // the batch.
            auto index = batch.entries[done.size()].statement;
            auto& s = batch.statements[index];
            auto key = ops::statement_cache::make_key(batch.sql_of(s), s.types);
            if (statements_.erase(key, *stmts[index])) close_with_next_request(*stmts[index]);
            if (index != retried && attempt < static_cast<int>(stmts.size()) &&
                out.transaction_status == 'I' &&
                std::none_of(done.begin(), done.end(), [](const result& r) {
                    return ends_or_begins_transaction(r.command_tag());
                })) {
                retried = index;
                continue;
            }
        }
        out.raise();
        co_return std::move(sink.results());
    }
}

} // namespace io
} // namespace turbopg::wire
