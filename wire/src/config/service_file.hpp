// The connection service file (libpq docs, "The Connection Service File"): INI-style groups of
// connection keywords, `[name]` then `keyword=value` lines, '#' starting a comment line.
#pragma once

#include "config/keywords.hpp"

#include <turbopg/wire/config.hpp>

namespace turbopg::wire::config_detail {

// When a service is named (the `service` keyword, else PGSERVICE), fills the settings that
// `raw` does not have yet from its group, as libpq does before reading the environment:
// from `servicefile` (else PGSERVICEFILE, else ~/.pg_service.conf), and when the group is not
// there from $PGSYSCONFDIR/pg_service.conf (default /etc/postgresql-common, Debian's libpq).
// Throws bad_config with libpq's message for a service found in neither file and for a bad
// line of the group.
void apply_service(raw_settings& raw, const environment& env);

} // namespace turbopg::wire::config_detail
