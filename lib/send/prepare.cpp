#include "send/prepare.hpp"

#include "i18n.hpp"
#include "send/queue.hpp"
#include "send/send.hpp"

#include <ctime>

namespace zmail::send {

bool reads_text_from_input(const Request& s) {
    const ComposeInput& c = s.compose_input;
    return s.compose && !c.body && (c.body_file.empty() || c.body_file == "-");
}

Prepared prepare(const profile::Profile& profile, Request s, std::FILE* input) {
    if (reads_text_from_input(s))
        s.compose_input.stdin_text = read_stream(input, N_("cannot read the text from standard input: {}"));
    if (!s.compose) s.ready.message = read_stream(input, N_("cannot read the message from standard input: {}"));
    const std::string hint = s.compose ? sender_hint(&s.compose_input, nullptr) : sender_hint(nullptr, &s.ready);
    const std::string name = choose_account(profile, s.account, hint);
    Prepared p{profile::resolve_account(profile, name), {}};
    const std::time_t now = std::time(nullptr);
    p.message = s.compose ? compose_outgoing(p.account, s.compose_input, now) : ready_outgoing(p.account, s.ready, now);
    return p;
}

std::vector<std::string> accounts_with_queue(const profile::Profile& profile) {
    std::vector<std::string> names;
    for (const auto& name : profile.account_names()) {
        const profile::Account account = profile::resolve_account(profile, name);
        if (!Queue(queue_directory(account)).entries().empty()) names.push_back(name);
    }
    return names;
}

}  // namespace zmail::send
