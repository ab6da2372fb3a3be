// The password file: the input up to the first NUL holds the four lookup fields (host, port,
// dbname, user) separated by '\t'; the rest is the file. It is handed over as a 0600 memfd, so
// no disk is touched.
#include "config/pgpass.hpp"
#include "fuzz_util.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace turbopg::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static int fd = [] {
        int fd = ::memfd_create("pgpass", 0);
        if (fd < 0 || ::fchmod(fd, 0600) != 0) std::abort();
        return fd;
    }();
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);

    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nul = in.find('\0');
    if (nul == in.npos) return 0;
    std::string_view fields[4];
    std::string_view query = in.substr(0, nul);
    for (auto& f : fields) {
        auto tab = query.find('\t');
        f = query.substr(0, tab);
        query = tab == query.npos ? std::string_view{} : query.substr(tab + 1);
    }
    auto file = in.substr(nul + 1);
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, file.data(), file.size(), 0) != ssize_t(file.size()))
        std::abort();

    std::vector<std::string> warnings;
    auto pgpass = config_detail::password_file::load(path, warnings);
    if (!warnings.empty()) std::abort();
    if (auto pw = pgpass.lookup(fields[0], fields[1], fields[2], fields[3]))
        turbopg::fuzz::touch(*pw);
    return 0;
}
