// OAuth2: URLs and forms, the authorization server's answers, the redirect request, PKCE, the
// refresh rule and the SASL error challenge. Pure code, no network.
#include "net/login_transcript.hpp"
#include "oauth2/grant.hpp"
#include "oauth2/redirect.hpp"
#include "oauth2/session_pkce.hpp"
#include "oauth2/session_tokens.hpp"
#include "oauth2/url.hpp"

#include <gtest/gtest.h>

namespace zmail::oauth2 {
namespace {

TEST(OAuth2Url, PercentEncodingKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(percent_encode("a-b.c_d~e"), "a-b.c_d~e");
    EXPECT_EQ(percent_encode("http://127.0.0.1:8/ x+y&z=送"), "http%3A%2F%2F127.0.0.1%3A8%2F%20x%2By%26z%3D%E9%80%81");
    EXPECT_EQ(form_encode({{"scope", "a b"}, {"state", "x&y"}}), "scope=a%20b&state=x%26y");
}

TEST(OAuth2Url, QueriesDecodeAndTheFirstOfARepeatedNameCounts) {
    auto q = parse_query("code=abc%2Fd&state=s+t&&empty=&code=second&bad=%zz");
    EXPECT_EQ(q["code"], "abc/d");
    EXPECT_EQ(q["state"], "s t");
    EXPECT_EQ(q["empty"], "");
    EXPECT_EQ(q["bad"], "%zz");
    EXPECT_EQ(with_query("https://x/a", {{"k", "v"}}), "https://x/a?k=v");
    EXPECT_EQ(with_query("https://x/a?p=1", {{"k", "v"}}), "https://x/a?p=1&k=v");
}

TEST(OAuth2Url, OnlyThisMachineIsLoopback) {
    EXPECT_TRUE(is_loopback_url("http://127.0.0.1:8080/token"));
    EXPECT_TRUE(is_loopback_url("https://localhost/token"));
    EXPECT_TRUE(is_loopback_url("http://[::1]:9/"));
    EXPECT_FALSE(is_loopback_url("http://127.evil.example/token"));
    EXPECT_FALSE(is_loopback_url("http://localhost.evil.example/"));
    EXPECT_FALSE(is_loopback_url("https://login.microsoftonline.com/common/oauth2/v2.0/token"));
    EXPECT_FALSE(is_loopback_url("file:///etc/passwd"));
}

TEST(OAuth2Grant, ATokenAnswer) {
    auto a = parse_token_answer(200, R"({"access_token":"at","token_type":"Bearer","expires_in":3599,
                                         "refresh_token":"rt","scope":"s1 s2"})");
    ASSERT_TRUE(a.grant);
    EXPECT_EQ(a.grant->access_token, "at");
    EXPECT_EQ(a.grant->expires_in, 3599);
    EXPECT_EQ(a.grant->refresh_token, "rt");
    EXPECT_EQ(a.grant->scope, "s1 s2");
    auto text_number = parse_token_answer(200, R"({"access_token":"at","expires_in":"3600"})");
    ASSERT_TRUE(text_number.grant);
    EXPECT_EQ(text_number.grant->expires_in, 3600);
    EXPECT_TRUE(text_number.grant->refresh_token.empty());
}

TEST(OAuth2Grant, ErrorsWhateverTheStatus) {
    auto e = parse_token_answer(400, R"({"error":"invalid_grant","error_description":"AADSTS70008: expired"})");
    ASSERT_TRUE(e.error);
    EXPECT_EQ(e.error->error, "invalid_grant");
    EXPECT_EQ(e.error->description, "AADSTS70008: expired");
    auto html = parse_token_answer(502, "<html>Bad gateway</html>");
    ASSERT_TRUE(html.error);
    EXPECT_EQ(html.error->error, "invalid_response");
    EXPECT_NE(html.error->description.find("502"), std::string::npos);
    EXPECT_TRUE(parse_token_answer(200, R"({"token_type":"Bearer"})").error);
    EXPECT_TRUE(parse_token_answer(200, "[1,2]").error);
    EXPECT_TRUE(parse_token_answer(500, R"({"access_token":"at"})").error);
}

TEST(OAuth2Grant, DeviceAnswersIncludingGooglesSpelling) {
    GrantError error;
    auto d = parse_device_answer(200, R"({"device_code":"dc","user_code":"ABCD-EFGH","verification_url":
                                         "https://www.google.com/device","expires_in":1800,"interval":0})",
                                 error);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->verification_uri, "https://www.google.com/device");
    EXPECT_EQ(d->interval, 1);
    auto defaults = parse_device_answer(200, R"({"device_code":"dc","user_code":"U","verification_uri":"https://x",
                                                "expires_in":900})",
                                        error);
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->interval, 5);
    EXPECT_FALSE(parse_device_answer(400, R"({"error":"invalid_client"})", error));
    EXPECT_EQ(error.error, "invalid_client");
    EXPECT_FALSE(parse_device_answer(200, R"({"device_code":"dc"})", error));
    EXPECT_EQ(error.error, "invalid_response");
}

TEST(OAuth2Redirect, TheBrowsersRequestLine) {
    std::string request = "GET /?code=c%2F1&state=abc HTTP/1.1\r\nHost: 127.0.0.1:5\r\n\r\n";
    EXPECT_TRUE(redirect_request_complete(request));
    EXPECT_FALSE(redirect_request_complete("GET / HTTP/1.1\r\nHost: x\r\n"));
    auto r = parse_redirect_request(request);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->method, "GET");
    EXPECT_EQ(r->path, "/");
    auto result = read_redirect(*r, "abc");
    EXPECT_TRUE(result.state_matches);
    EXPECT_EQ(result.code, "c/1");
    EXPECT_FALSE(read_redirect(*r, "abd").state_matches);
    EXPECT_FALSE(read_redirect(*r, "ab").state_matches);
    EXPECT_FALSE(read_redirect(*r, "").state_matches);
    EXPECT_FALSE(parse_redirect_request("GET /x"));
    EXPECT_FALSE(parse_redirect_request("GET x HTTP/1.1\r\n"));
    EXPECT_FALSE(parse_redirect_request("get / HTTP/1.1\r\n"));
    auto refused = read_redirect(*parse_redirect_request("GET /?error=access_denied&error_description=no+way&code=x"
                                                         "&state=s HTTP/1.1\r\n\r\n"),
                                 "s");
    EXPECT_EQ(refused.error, "access_denied");
    EXPECT_EQ(refused.description, "no way");
    EXPECT_TRUE(refused.code.empty());
}

TEST(OAuth2Pkce, TheRfc7636AppendixBExample) {
    EXPECT_EQ(code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    const std::string verifier = random_url_safe(32);
    EXPECT_EQ(verifier.size(), 43u);
    EXPECT_EQ(verifier.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_NE(verifier, random_url_safe(32));
}

TEST(OAuth2Tokens, RefreshedWithinAQuarterOfTheLifetimeAtMostAMinute) {
    Tokens t{"rt", "at", "", 1000 + 3600, 1000};
    EXPECT_FALSE(needs_refresh(t, 1000));
    EXPECT_FALSE(needs_refresh(t, 1000 + 3539));
    EXPECT_TRUE(needs_refresh(t, 1000 + 3540));
    Tokens short_lived{"rt", "at", "", 1000 + 8, 1000};
    EXPECT_FALSE(needs_refresh(short_lived, 1005));
    EXPECT_TRUE(needs_refresh(short_lived, 1006));
    EXPECT_TRUE(needs_refresh(Tokens{"rt", "", "", 0, 0}, 0));
    EXPECT_FALSE(needs_refresh(Tokens{"rt", "at", "", 0, 0}, 99999));  // no expiry said: a refusal tells
}

TEST(OAuth2Tokens, ARotatedRefreshTokenReplacesTheOldOneAndAMissingOneKeepsIt) {
    Tokens old{"rt-old", "at-old", "mail", 0, 0};
    Grant rotated{"at-new", "Bearer", 3600, "rt-new", ""};
    Tokens t = tokens_from_grant(rotated, old, 5000);
    EXPECT_EQ(t.refresh_token, "rt-new");
    EXPECT_EQ(t.access_token, "at-new");
    EXPECT_EQ(t.scope, "mail");
    EXPECT_EQ(t.expires_at, 8600);
    Grant kept{"at-2", "Bearer", 0, "", "other"};
    Tokens k = tokens_from_grant(kept, old, 5000);
    EXPECT_EQ(k.refresh_token, "rt-old");
    EXPECT_EQ(k.expires_at, 0);
    EXPECT_EQ(k.scope, "other");
}

TEST(OAuth2Sasl, TheErrorChallengeIsDecoded) {
    // what Dovecot sends (shared/notes/libcurl-facts.md) and what Gmail sends
    EXPECT_EQ(describe_sasl_challenge("eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0="), "status invalid_token");
    EXPECT_EQ(describe_sasl_challenge("eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwu"
                                      "Z29vZ2xlLmNvbS8ifQ=="),
              "status 400, scope https://mail.google.com/, schemes Bearer");
    EXPECT_EQ(describe_sasl_challenge(""), "");
    EXPECT_EQ(describe_sasl_challenge("not base64 json"), "");
}

TEST(OAuth2Sasl, TheTranscriptKeepsTheChallengeOfEachProtocol) {
    net::LoginTranscript imap(net::Protocol::imap);
    imap.server("* OK ready");
    imap.client("A001 AUTHENTICATE XOAUTH2 <redacted>");
    imap.server("+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    imap.client("AQ==");
    imap.server("A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
    EXPECT_EQ(imap.sasl_challenge(), "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    EXPECT_EQ(imap.login_reply(), "A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
    net::LoginTranscript smtp(net::Protocol::smtp);
    smtp.server("220 ready");
    smtp.client("AUTH XOAUTH2 <redacted>");
    smtp.server("334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    smtp.client("");
    smtp.server("535 5.7.8 Authentication failed");
    EXPECT_EQ(smtp.sasl_challenge(), "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    EXPECT_EQ(smtp.login_reply(), "535 5.7.8 Authentication failed");
}

}  // namespace
}  // namespace zmail::oauth2

namespace zmail::oauth2 {
namespace {

TEST(OAuth2Url, UserInfoNeverPassesForLoopback) {
    EXPECT_FALSE(is_loopback_url("http://localhost:1@evil.example/token"));
    EXPECT_FALSE(is_loopback_url("http://127.0.0.1@evil.example/"));
    EXPECT_FALSE(is_loopback_url("http://[::1/"));
}

TEST(OAuth2Grant, AnAnswerInAnotherFormIsNeverQuoted) {
    // some providers answer form-encoded despite Accept: the body may hold tokens
    auto a = parse_token_answer(200, "access_token=at-secret&refresh_token=rt-secret");
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->description.find("secret"), std::string::npos) << a.error->description;
    auto b = parse_token_answer(500, "<html>token rt-secret</html>");
    ASSERT_TRUE(b.error);
    EXPECT_EQ(b.error->description.find("secret"), std::string::npos) << b.error->description;
}

TEST(OAuth2Grant, HugeTimesAreBounded) {
    auto a = parse_token_answer(200, R"({"access_token":"at","expires_in":9223372036854775807})");
    ASSERT_TRUE(a.grant);
    EXPECT_LE(a.grant->expires_in, 10LL * 366 * 24 * 3600);
    GrantError error;
    auto d = parse_device_answer(200, R"({"device_code":"d","user_code":"U","verification_uri":"https://x",
                                         "expires_in":9223372036854775807,"interval":9223372036854775807})",
                                 error);
    ASSERT_TRUE(d);
    EXPECT_LE(d->expires_in, 24 * 3600);
    EXPECT_LE(d->interval, 300);
}

}  // namespace
}  // namespace zmail::oauth2
