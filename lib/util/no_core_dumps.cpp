#include "util/no_core_dumps.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace zmail::util {

void no_core_dumps() {
    const struct rlimit none {0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
#if defined(__SANITIZE_ADDRESS__)
    return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return;
#endif
#endif
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace zmail::util
