#include "util/shared_library.hpp"

#include <dlfcn.h>

#include "error.hpp"

namespace zmail::util {

SharedLibrary::SharedLibrary(const std::string& soname, const std::string& package)
    : soname_(soname), package_(package) {
    handle_ = ::dlopen(soname.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (!handle_) {
        const char* reason = ::dlerror();
        throw Error(ErrorKind::Unavailable, "cannot load " + soname + (reason ? ": " + std::string(reason) : ""),
                    "install Debian's " + package + " package (apt-get install " + package + ")");
    }
}

void* SharedLibrary::address(const char* name) const {
    ::dlerror();
    void* found = ::dlsym(handle_, name);
    if (!found)
        throw Error(ErrorKind::Unavailable, soname_ + " has no function " + name,
                    "the installed library is older than the one zmail was built for; upgrade " + package_);
    return found;
}

}  // namespace zmail::util
