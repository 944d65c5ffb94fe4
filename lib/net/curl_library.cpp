#include "net/curl_library.hpp"

#include <mutex>
#include <optional>

#include "error.hpp"
#include "util/shared_library.hpp"

namespace zmail::net {

namespace {

CurlLibrary load() {
    static const util::SharedLibrary library("libcurl.so.4", "libcurl4");
    CurlLibrary curl{};
    library.resolve(curl.easy_init, "curl_easy_init");
    library.resolve(curl.easy_setopt, "curl_easy_setopt");
    library.resolve(curl.easy_perform, "curl_easy_perform");
    library.resolve(curl.easy_getinfo, "curl_easy_getinfo");
    library.resolve(curl.easy_send, "curl_easy_send");
    library.resolve(curl.easy_recv, "curl_easy_recv");
    library.resolve(curl.easy_cleanup, "curl_easy_cleanup");
    library.resolve(curl.easy_strerror, "curl_easy_strerror");
    library.resolve(curl.version, "curl_version");
    library.resolve(curl.slist_append, "curl_slist_append");
    library.resolve(curl.slist_free_all, "curl_slist_free_all");
    CURLcode (*global_init)(long) = nullptr;
    library.resolve(global_init, "curl_global_init");
    if (const CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
        throw Error(ErrorKind::Internal, "cannot initialise libcurl (error " + std::to_string(rc) + ")");
    return curl;
}

}  // namespace

const CurlLibrary& curl_library() {
    // A failed load is tried again by the next caller (and fails the same way, with its message).
    static std::mutex mutex;
    static std::optional<CurlLibrary> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    if (!loaded) loaded = load();
    return *loaded;
}

}  // namespace zmail::net
