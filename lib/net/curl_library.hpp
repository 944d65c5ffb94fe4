// libcurl, loaded when the first connection needs it rather than when zmail starts.
//
// Debian's libcurl depends on 35 more shared libraries (GnuTLS, Kerberos, LDAP, SSH, ...); loading
// them costs about 3 ms, which every run would otherwise pay before it could send its first packet.
// Connection starts the TCP connect itself (see dial.hpp) and loads libcurl while the server
// accepts, so that time overlaps with the server's own start-up instead of adding to it.
#pragma once

#include <curl/curl.h>

namespace zmail::net {

/// The libcurl functions zmail uses, with the signatures of <curl/curl.h>.
struct CurlLibrary {
    CURL* (*easy_init)();
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
    CURLcode (*easy_perform)(CURL*);
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
    CURLcode (*easy_send)(CURL*, const void*, size_t, size_t*);
    CURLcode (*easy_recv)(CURL*, void*, size_t, size_t*);
    void (*easy_cleanup)(CURL*);
    const char* (*easy_strerror)(CURLcode);
    char* (*version)();
    curl_slist* (*slist_append)(curl_slist*, const char*);
    void (*slist_free_all)(curl_slist*);
};

/// libcurl.so.4, loaded and globally initialised (CURL_GLOBAL_DEFAULT) on the first call, once
/// per process and safe from several threads. Throws Error{Unavailable} when it cannot be loaded
/// (the message names the library and the package to install), Error{Internal} when libcurl's
/// global initialisation fails.
const CurlLibrary& curl_library();

}  // namespace zmail::net
