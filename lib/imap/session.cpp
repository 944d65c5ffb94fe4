// The IMAP session core: tags, sending (with synchronizing literals), the read loop, dispatch of
// tagged and untagged responses, start-up (CAPABILITY, ID, ENABLE), NOOP and LOGOUT.
#include "imap/session.hpp"

#include <algorithm>

#include "i18n.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/session_internal.hpp"
#include "imap/session_trace.hpp"

namespace zmail::imap {
namespace {

constexpr std::size_t read_buffer_size = 64 * 1024;
constexpr std::size_t max_alerts = 100;

/// "UID FETCH" for "Z5 UID FETCH 1:5 (...)\r\n": the command's name for messages.
std::string command_name(const Command& command) {
    std::string_view text = command.parts.front().bytes;
    text.remove_prefix(std::min(text.size(), command.tag.size() + 1));
    auto next_word = [&text]() {
        const std::size_t end = text.find_first_of(" \r\n");
        std::string word = to_upper(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        return word;
    };
    std::string name = next_word();
    if (name == "UID") name += " " + next_word();
    return name;
}

}  // namespace

Session::Session(net::Stream& stream, SessionOptions options)
    : stream_(&stream), options_(std::move(options)), reader_(options_.limits), buffer_(read_buffer_size) {
    if (options_.trace) tracer_ = std::make_unique<ResponseTracer>([this](std::string_view line) { trace(line); });
}

Session::~Session() {
    if (finished_ || broken_ || busy_) return;
    try {
        logout();
    } catch (...) {
        // Closing anyway: the server ends the session when the connection goes.
    }
}

// --- plumbing ---------------------------------------------------------------------------------------

void Session::trace(std::string_view line) const {
    if (!options_.trace) return;
    CallbackScope scope(*this);
    try {
        options_.trace(line);
    } catch (...) {
        // A failing trace sink must not change what happens on the connection.
    }
}

bool Session::call_back(const std::function<void()>& callback) {
    CallbackScope scope(*this);
    try {
        callback();
    } catch (...) {
        if (!callback_error_) callback_error_ = std::current_exception();
        return false;
    }
    return true;
}

void Session::guarded(const std::function<void()>& callback) {
    if (!callback_error_) call_back(callback);
}

void Session::set_io_timeout(std::chrono::seconds timeout) {
    if (!options_.set_io_timeout) return;
    CallbackScope scope(*this);
    options_.set_io_timeout(timeout);
}

void Session::ensure_usable() const {
    if (broken_)
        throw Error(ErrorKind::Network,
                    tr("connection to {} is unusable after an earlier error", quoted(stream_->peer())),
                    tr("connect again"));
}

std::string Session::next_tag() { return "Z" + std::to_string(++tag_counter_); }

std::string Session::current_command() const {
    return in_flight_.empty() ? std::string() : in_flight_.front().command;
}

void Session::write_raw(std::string_view bytes) {
    ensure_usable();
    try {
        stream_->write(bytes);
    } catch (...) {
        broken_ = true;
        throw;
    }
}

void Session::write(std::string_view bytes) {
    if (options_.trace) trace_client_bytes(bytes, [this](std::string_view line) { trace(line); });
    write_raw(bytes);
}

Error Session::protocol_error(const Error& cause) const {
    const std::string command = current_command();
    // TRANSLATORS: the 1st {} is the server, the 2nd what was wrong with its response
    std::string message = tr("bad response from {}: {}", quoted(stream_->peer()), cause.what());
    if (!command.empty())
        // TRANSLATORS: the 1st {} is the server, the 2nd an IMAP command, the 3rd what was wrong
        message = tr("bad response from {} to {}: {}", quoted(stream_->peer()), quoted(command), cause.what());
    return Error(ErrorKind::Protocol, message, tr("the connection was closed; try again"), cause.server_reply);
}

bool Session::fill(bool idle_wait) {
    std::size_t received = 0;
    try {
        received = stream_->read_some(buffer_.data(), buffer_.size());
    } catch (const Error& error) {
        if (idle_wait && error.kind == ErrorKind::Temporary && !reader_.in_response()) return false;
        broken_ = true;
        if (error.kind == ErrorKind::Network && reader_.in_response())
            throw Error(ErrorKind::Network,
                        tr("connection to {} closed in the middle of a response", quoted(stream_->peer())),
                        tr("the server or the network dropped the connection; try again"), error.server_reply);
        throw;
    } catch (...) {
        broken_ = true;
        throw;
    }
    if (received == 0) {
        broken_ = true;
        throw Error(ErrorKind::Network,
                    reader_.in_response()
                        ? tr("connection to {} closed in the middle of a response", quoted(stream_->peer()))
                        : tr("connection to {} closed", quoted(stream_->peer())),
                    tr("the server or the network dropped the connection; try again"));
    }
    buffer_begin_ = 0;
    buffer_end_ = received;
    return true;
}

std::optional<Response> Session::next_response(bool idle_wait) {
    for (;;) {
        if (buffer_begin_ < buffer_end_) {
            std::string_view input(buffer_.data() + buffer_begin_, buffer_end_ - buffer_begin_);
            const std::size_t before = input.size();
            std::optional<Response> response;
            try {
                response = reader_.read(input);
            } catch (const Error& error) {
                broken_ = true;
                if (tracer_) tracer_->feed(std::string_view(buffer_.data() + buffer_begin_, before));
                throw protocol_error(error);
            }
            const std::size_t used = before - input.size();
            if (tracer_) tracer_->feed(std::string_view(buffer_.data() + buffer_begin_, used));
            buffer_begin_ += used;
            if (response) return response;
        }
        if (!fill(idle_wait)) return std::nullopt;
    }
}

void Session::read_and_dispatch() {
    std::optional<Response> response = next_response(false);
    if (response) dispatch(*response);
}

// --- dispatch ---------------------------------------------------------------------------------------

void Session::complete(const StatusResponse& status) {
    const auto pending = std::find_if(in_flight_.begin(), in_flight_.end(),
                                      [&](const Pending& p) { return p.tag == status.tag; });
    if (pending == in_flight_.end() || status.status == Status::Bye || status.status == Status::Preauth) {
        broken_ = true;
        throw Error(ErrorKind::Protocol, tr("unexpected tagged response from {}", quoted(stream_->peer())),
                    tr("the connection was closed; try again"), shorten_for_reply(status.line));
    }
    if (status.code.kind == CodeKind::Capability) capabilities_ = Capabilities(status.code.atoms);
    CommandResult result{status.tag, pending->command, status.status, status.code, status.text, status.line};
    in_flight_.erase(pending);
    answered_[status.tag] = std::move(result);
}

void Session::dispatch(const Response& response) {
    if (const StatusResponse* status = response.get<StatusResponse>()) {
        if (!status->tag.empty()) {
            complete(*status);
            return;
        }
        if (status->status == Status::Bye) {
            bye_seen_ = true;
            if (logging_out_) return;
            broken_ = true;
            const bool temporary =
                status->code.kind == CodeKind::Unavailable || status->code.kind == CodeKind::InUse;
            const std::string command = current_command();
            throw Error(temporary ? ErrorKind::Temporary : ErrorKind::Network,
                        command.empty()
                            ? tr("{} closed the connection", quoted(stream_->peer()))
                            // TRANSLATORS: the 1st {} is the server, the 2nd an IMAP command ('UID FETCH')
                            : tr("{} closed the connection during {}", quoted(stream_->peer()), quoted(command)),
                        tr("the server ended the session; try again later"), status->line);
        }
        if (status->code.kind == CodeKind::Capability) capabilities_ = Capabilities(status->code.atoms);
    }
    if (const ContinuationRequest* continuation = response.get<ContinuationRequest>()) {
        if (awaiting_continuation_ && !continuation_seen_) {
            continuation_seen_ = true;
            return;
        }
        broken_ = true;
        throw Error(ErrorKind::Protocol, tr("unexpected continuation request from {}", quoted(stream_->peer())),
                    tr("the connection was closed; try again"), shorten_for_reply("+ " + continuation->text));
    }
    if (const CapabilityData* capability = response.get<CapabilityData>())
        capabilities_ = Capabilities(capability->capabilities);
    if (const EnabledData* enabled_data = response.get<EnabledData>()) {
        for (const auto& name : enabled_data->capabilities)
            if (!enabled(name)) enabled_.push_back(name);
    }
    // Offered to the commands in flight, oldest first, until one uses it.
    bool used = false;
    for (std::size_t i = 0; i < in_flight_.size() && !used; ++i) {
        if (!in_flight_[i].handler) continue;
        CallbackScope scope(*this);
        used = in_flight_[i].handler(response);
    }
    if (!used) record_update(response);
}

void Session::record_update(const Response& response) {
    MailboxUpdates& u = updates_;
    if (const ExistsData* exists = response.get<ExistsData>()) {
        u.exists = exists->count;
        if (selected_) selected_->exists = exists->count;
    } else if (const RecentData* recent = response.get<RecentData>()) {
        u.recent = recent->count;
    } else if (const ExpungeData* expunge = response.get<ExpungeData>()) {
        if (u.expunged.size() < options_.max_updates)
            u.expunged.push_back(expunge->sequence);
        else
            u.overflow = true;
        if (selected_ && selected_->exists > 0) --selected_->exists;
    } else if (const VanishedData* vanished = response.get<VanishedData>()) {
        for (const auto& range : vanished->uids.ranges()) u.vanished.add(range.first, range.last);
        if (!vanished->earlier && selected_)
            selected_->exists -= static_cast<std::uint32_t>(
                std::min<std::uint64_t>(selected_->exists, vanished->uids.count()));
    } else if (const FetchData* fetch = response.get<FetchData>()) {
        if (!fetch->flags) return;
        if (u.flag_changes.size() >= options_.max_updates) {
            u.overflow = true;
            return;
        }
        MessageFlags change;
        change.uid = fetch->uid.value_or(0);
        change.sequence = fetch->sequence;
        change.flags = *fetch->flags;
        change.modseq = fetch->modseq.value_or(0);
        u.flag_changes.push_back(std::move(change));
    } else if (const FlagsData* flags = response.get<FlagsData>()) {
        u.flags = flags->flags;
    } else if (const StatusResponse* status = response.get<StatusResponse>()) {
        if (u.alerts.size() >= max_alerts) return;
        if (status->code.kind == CodeKind::Alert)
            u.alerts.push_back(status->text);
        else if (status->status == Status::No || status->status == Status::Bad)
            u.alerts.push_back(status->line);
        else if (status->code.kind == CodeKind::HighestModseq && selected_)
            selected_->highest_modseq = status->code.number;
    }
}

MailboxUpdates Session::take_updates() {
    MailboxUpdates taken = std::move(updates_);
    updates_ = MailboxUpdates{};
    return taken;
}

// --- sending and waiting ----------------------------------------------------------------------------

bool Session::await_continuation(const std::string& tag) {
    awaiting_continuation_ = true;
    continuation_seen_ = false;
    try {
        while (!continuation_seen_) {
            if (answered_.count(tag)) {
                awaiting_continuation_ = false;
                return false;
            }
            read_and_dispatch();
        }
    } catch (...) {
        // The server may be waiting for the literal: whatever we sent next would be read as its bytes.
        awaiting_continuation_ = false;
        broken_ = true;
        throw;
    }
    awaiting_continuation_ = false;
    return true;
}

void Session::send_message_literal(const AppendSource& source) {
    trace("C: <" + std::to_string(source.size) + " bytes of message data>");
    std::vector<char> chunk(std::min<std::uint64_t>(std::max<std::uint64_t>(source.size, 1), 256 * 1024));
    std::uint64_t left = source.size;
    auto broken_source = [&](std::string message) {
        broken_ = true;  // the literal is incomplete or over: nothing else may be written
        return Error(ErrorKind::Data, std::move(message), tr("the message was not stored; the connection was closed"));
    };
    while (left > 0) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        std::size_t got = 0;
        try {
            CallbackScope scope(*this);
            got = source.read ? source.read(chunk.data(), want) : 0;
        } catch (...) {
            broken_ = true;
            throw;
        }
        if (got == 0 || got > want)
            throw broken_source(tr("cannot append the message: the message source ended after {} of {} bytes",
                                   source.size - left, source.size));
        write_raw(std::string_view(chunk.data(), got));
        left -= got;
    }
    // The source must be at its end now, or the size was wrong and the stored message would be cut.
    char extra = 0;
    std::size_t more = 0;
    try {
        CallbackScope scope(*this);
        more = source.read ? source.read(&extra, 1) : 0;
    } catch (...) {
        broken_ = true;
        throw;
    }
    if (more != 0)
        throw broken_source(
            tr("cannot append the message: the message is longer than the announced {} bytes", source.size));
    write_raw("\r\n");
}

std::string Session::send(const CommandBuilder& build, UntaggedHandler handler, const AppendSource* message) {
    Operation operation(*this);
    ensure_usable();
    const std::string tag = next_tag();
    Command command = build(tag);
    if (command.tag != tag || command.parts.empty())
        throw Error(ErrorKind::Internal, tr("imap command built with the wrong tag"));
    in_flight_.push_back(Pending{tag, command_name(command), std::move(handler)});
    for (const CommandPart& part : command.parts) {
        write(part.bytes);
        if (part.wait_for_continuation && !await_continuation(tag)) return tag;  // answered NO/BAD
    }
    if (command.message_size) {
        if (!message || message->size != *command.message_size)
            throw Error(ErrorKind::Internal, tr("imap APPEND without its message"));
        send_message_literal(*message);
    }
    return tag;
}

CommandResult Session::wait(const std::string& tag) {
    Operation operation(*this);
    for (;;) {
        const auto answered = answered_.find(tag);
        if (answered != answered_.end()) {
            CommandResult result = std::move(answered->second);
            answered_.erase(answered);
            return result;
        }
        if (std::none_of(in_flight_.begin(), in_flight_.end(), [&](const Pending& p) { return p.tag == tag; }))
            throw Error(ErrorKind::Internal, tr("no imap command with tag '{}' is in flight", tag));
        read_and_dispatch();
    }
}

CommandResult Session::run(const CommandBuilder& build, UntaggedHandler handler) {
    Operation operation(*this);
    return wait(send(build, std::move(handler)));
}

// --- start-up and capabilities -----------------------------------------------------------------------

Capabilities Capabilities::announced(std::string_view line) {
    // read by the parser every response goes through, as the session would have read it
    const std::string bytes = std::string(line) + "\r\n";
    std::string_view input = bytes;
    std::optional<Response> response;
    try {
        response = ResponseReader().read(input);
    } catch (const Error&) {
        return {};
    }
    if (!response) return {};
    std::vector<std::string> atoms;
    if (const CapabilityData* data = response->get<CapabilityData>()) {
        atoms = data->capabilities;
    } else if (const StatusResponse* status = response->get<StatusResponse>();
               status && status->status == Status::Ok && status->code.kind == CodeKind::Capability) {
        atoms = status->code.atoms;
    }
    Capabilities found(std::move(atoms));
    // every IMAP server lists its version: without it the line was something else
    if (!found.has("IMAP4rev1") && !found.has("IMAP4rev2")) return {};
    return found;
}

void Session::do_start() {
    if (!options_.capabilities.empty()) {
        capabilities_ = options_.capabilities;
    } else {
        const CommandResult capability = run([](const std::string& tag) { return command::capability(tag); });
        if (!capability.ok())
            throw command_error(capability, tr("cannot get the capabilities of {}", quoted(peer())));
        if (capabilities_.empty())
            throw Error(ErrorKind::Protocol, tr("{} sent no capabilities", quoted(peer())), {}, capability.line);
    }

    if (options_.compress && capabilities_.has("COMPRESS=DEFLATE")) start_compression();

    std::vector<std::string> wanted;
    if (options_.enable_qresync && capabilities_.has("QRESYNC")) wanted = {"CONDSTORE", "QRESYNC"};
    else if ((options_.enable_condstore || options_.enable_qresync) && capabilities_.has("CONDSTORE"))
        wanted = {"CONDSTORE"};
    if (options_.enable_utf8 && capabilities_.has("UTF8=ACCEPT")) wanted.push_back("UTF8=ACCEPT");

    std::string id_tag, enable_tag, namespace_tag;
    if (options_.send_id && capabilities_.has("ID")) id_tag = send(id_builder(options_.id_fields), id_handler());
    if (!wanted.empty() && capabilities_.has("ENABLE"))
        enable_tag = send([&wanted](const std::string& tag) { return command::enable(tag, wanted); });
    // (after ENABLE: with UTF8=ACCEPT the prefixes come as UTF-8, as every later reply)
    if (options_.ask_namespace && capabilities_.has("NAMESPACE"))
        namespace_tag = send([](const std::string& tag) { return command::namespace_(tag); },
                             [this](const Response& response) {
                                 const NamespaceData* data = response.get<NamespaceData>();
                                 if (data) namespaces_ = *data;
                                 return data != nullptr;
                             });
    // A refused ID, ENABLE or NAMESPACE is not fatal: the session works without them (NAMESPACE
    // is asked again when needed).
    if (!id_tag.empty()) (void)wait(id_tag);
    if (!enable_tag.empty()) (void)wait(enable_tag);
    if (!namespace_tag.empty() && !wait(namespace_tag).ok()) namespaces_.reset();
    started_ = true;
}

void Session::start_compression() {
    const CommandResult result = run([](const std::string& tag) { return command::compress_deflate(tag); });
    if (!result.ok()) return;  // refused (e.g. already compressed by a proxy): go on without
    if (buffer_begin_ != buffer_end_)
        throw Error(ErrorKind::Protocol, tr("{} sent data after its reply to COMPRESS", quoted(peer())), {},
                    result.line);
    compressed_ = std::make_unique<net::DeflateStream>(*stream_);
    stream_ = compressed_.get();
}

CommandBuilder Session::id_builder(std::vector<std::pair<std::string, std::string>> fields) const {
    if (fields.empty()) fields = {{"name", "zmail"}, {"version", ZMAIL_VERSION}};
    const EncodeOptions encoding = encode_options();
    return [fields = std::move(fields), encoding](const std::string& tag) { return command::id(tag, fields, encoding); };
}

UntaggedHandler Session::id_handler() {
    return [this](const Response& response) {
        const IdData* data = response.get<IdData>();
        if (data) server_id_ = *data;
        return data != nullptr;
    };
}

void Session::start() { Operation operation(*this); }

const Capabilities& Session::capabilities() {
    Operation operation(*this);
    return capabilities_;
}

IdData Session::id(const std::vector<std::pair<std::string, std::string>>& fields) {
    Operation operation(*this);
    if (!capabilities_.has("ID")) throw Error(ErrorKind::Unavailable, tr("{} does not support ID", quoted(peer())));
    server_id_.reset();
    const CommandResult result = run(id_builder(fields), id_handler());
    if (!result.ok()) throw command_error(result, tr("cannot identify zmail to {}", quoted(peer())));
    return server_id_.value_or(IdData{});
}

std::vector<std::string> Session::enable(const std::vector<std::string>& wanted) {
    Operation operation(*this);
    if (!capabilities_.has("ENABLE"))
        throw Error(ErrorKind::Unavailable, tr("{} does not support ENABLE", quoted(peer())));
    std::vector<std::string> offered;
    for (const auto& name : wanted)
        if (capabilities_.has(name)) offered.push_back(name);
    if (offered.empty()) return {};
    std::vector<std::string> newly;
    const CommandResult result = run(
        [&offered](const std::string& tag) { return command::enable(tag, offered); },
        [&newly](const Response& response) {
            if (const EnabledData* data = response.get<EnabledData>())
                newly.insert(newly.end(), data->capabilities.begin(), data->capabilities.end());
            return false;  // dispatch already recorded them
        });
    if (!result.ok()) throw command_error(result, tr("cannot enable extensions on {}", quoted(peer())));
    return newly;
}

bool Session::enabled(std::string_view capability) const {
    for (const auto& name : enabled_)
        if (equals_ignore_case(name, capability)) return true;
    return equals_ignore_case(capability, "CONDSTORE") && enabled("QRESYNC");
}

bool Session::condstore() const { return capabilities_.has("CONDSTORE") || enabled("CONDSTORE"); }

EncodeOptions Session::encode_options() const {
    return EncodeOptions{capabilities_.has("LITERAL+"), capabilities_.has("LITERAL-"), enabled("UTF8=ACCEPT")};
}

std::string Session::encode_mailbox(std::string_view utf8) const {
    const auto known = raw_names_.find(std::string(utf8));
    if (known != raw_names_.end()) return known->second;
    return encode_mailbox_name(utf8, enabled("UTF8=ACCEPT"));
}

std::string Session::decode_mailbox(std::string_view raw) const {
    return decode_mailbox_name(raw, enabled("UTF8=ACCEPT"));
}

// --- NOOP, LOGOUT ------------------------------------------------------------------------------

void Session::noop() {
    Operation operation(*this);
    const CommandResult result = run([](const std::string& tag) { return command::noop(tag); });
    if (!result.ok()) throw command_error(result, tr("cannot check for changes on {}", quoted(peer())));
}

void Session::logout() {
    if (busy_) throw Error(ErrorKind::Internal, tr("IMAP session used from inside one of its callbacks"));
    if (finished_ || broken_) {
        finished_ = true;
        return;
    }
    finished_ = true;
    busy_ = true;
    struct Idle {
        bool& busy;
        ~Idle() { busy = false; }
    } idle_again{busy_};
    logging_out_ = true;
    CommandResult result;
    try {
        result = run([](const std::string& tag) { return command::logout(tag); });
    } catch (const Error& error) {
        // Some servers close right after their BYE; the session is over either way.
        if (bye_seen_ && error.kind == ErrorKind::Network) return;
        throw;
    }
    if (!result.ok()) throw command_error(result, tr("cannot log out from {}", quoted(peer())));
}

}  // namespace zmail::imap
