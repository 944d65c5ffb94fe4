#include "folders/run.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/session_account.hpp"

namespace zmail::folders {

std::vector<Folder> run(const profile::Profile& profile, const profile::Account& account, const Request& request) {
    imap::AccountSessionOptions options;
    options.trace = request.trace;
    options.warning = request.warning;
    auto session = imap::open_account_session(profile, account, options);
    Names names(*session);
    switch (request.action) {
    case Action::list: return list(names, account, request.list);
    case Action::create: create(names, request.name); break;
    case Action::rename: rename(names, request.name, request.new_name); break;
    case Action::remove:
        if (request.confirm_remove && !request.confirm_remove(message_count(names, request.name)))
            throw Error(ErrorKind::Usage, tr("folder '{}' was not deleted", request.name));
        remove(names, request.name);
        break;
    case Action::subscribe: subscribe(names, request.name, true); break;
    case Action::unsubscribe: subscribe(names, request.name, false); break;
    }
    return {};
}

}  // namespace zmail::folders
