// A shared library opened at run time (dlopen), for libraries only some runs need.
#pragma once

#include <string>

namespace zmail::util {

/// A library loaded with dlopen and kept loaded for the rest of the process (it is never
/// closed: the functions taken from it may be called until exit).
class SharedLibrary {
public:
    /// Loads `soname` ("libcurl.so.4"). Throws Error{Unavailable} naming the library, the
    /// loader's reason and `package`, the Debian package that provides it.
    SharedLibrary(const std::string& soname, const std::string& package);

    /// The address of `name` in the library or a library it depends on. Throws
    /// Error{Unavailable} when it is missing (a library older than the one zmail was built for).
    void* address(const char* name) const;

    /// `address` cast to the function type of the variable it is assigned to.
    template <typename Function>
    void resolve(Function*& function, const char* name) const {
        function = reinterpret_cast<Function*>(address(name));
    }

private:
    void* handle_ = nullptr;
    std::string soname_;
    std::string package_;
};

}  // namespace zmail::util
