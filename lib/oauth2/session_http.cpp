#include "oauth2/session_http.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <curl/curl.h>

#include <memory>

namespace zmail::oauth2 {

namespace {

size_t collect(char* data, size_t size, size_t count, void* userp) {
    auto* body = static_cast<std::string*>(userp);
    if (body->size() > 1024 * 1024) return 0;  // no token answer is this big
    body->append(data, size * count);
    return size * count;
}

Error transfer_error(CURLcode rc, const std::string& url, const char* detail) {
    const std::string what = tr("no answer from '{}': {}", url, *detail ? detail : curl_easy_strerror(rc));
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return Error(ErrorKind::Temporary, what, tr("the provider or the network may be slow; try again later"));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
        return Error(ErrorKind::Tls, what, tr("check the system's CA certificates, or the account's ca_file"));
    default:
        return Error(ErrorKind::Network, what, tr("check the network connection and try again"));
    }
}

}  // namespace

HttpAnswer post_form(const std::string& url, const Fields& fields, const HttpOptions& options) {
    if (!url.starts_with("https://") && !is_loopback_url(url))
        throw Error(ErrorKind::Config, tr("refusing OAuth2 endpoint '{}': it is not https", url),
                    tr("use the provider's https:// URL"));
    static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (initialised != CURLE_OK) throw Error(ErrorKind::Internal, tr("cannot initialise libcurl"));
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw Error(ErrorKind::Internal, tr("cannot create a libcurl handle"));
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
        curl_slist_append(nullptr, "Accept: application/json"), curl_slist_free_all);
    const std::string body = form_encode(fields);
    HttpAnswer answer;
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    auto set = [h](CURLoption option, auto value) {
        if (const CURLcode rc = curl_easy_setopt(h, option, value); rc != CURLE_OK)
            throw Error(ErrorKind::Internal, tr("cannot set up libcurl: {}", curl_easy_strerror(rc)));
    };
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "https,http");
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, errbuf);
    set(CURLOPT_HTTPHEADER, headers.get());
    set(CURLOPT_POSTFIELDS, body.c_str());
    set(CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    set(CURLOPT_WRITEFUNCTION, &collect);
    set(CURLOPT_WRITEDATA, &answer.body);
    set(CURLOPT_TIMEOUT, static_cast<long>(options.timeout_seconds));
    set(CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(options.timeout_seconds, 30)));
    set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    set(CURLOPT_USERAGENT, "zmail");
    if (!options.ca_file.empty()) {
        set(CURLOPT_CAINFO, options.ca_file.c_str());
        set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    }
    if (!options.tls_verify) {
        set(CURLOPT_SSL_VERIFYPEER, 0L);
        set(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    std::string grant;
    for (const auto& [name, value] : fields)
        if (name == "grant_type") grant = value;
    if (options.trace) options.trace("* HTTP POST " + url + (grant.empty() ? "" : " (grant_type=" + grant + ")"));
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) throw transfer_error(rc, url, errbuf);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
    if (options.trace) options.trace("* HTTP " + std::to_string(answer.status));
    return answer;
}

}  // namespace zmail::oauth2
