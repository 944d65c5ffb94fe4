#include "profile/presets.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

namespace zmail::profile {

namespace {

struct ZohoRegion {
    const char* suffix;   // preset name suffix: "" for .com
    const char* domain;   // "zoho.com", "zoho.eu", ...
    const char* label;    // N_: translated where used
};

// Zoho's data centres and their mail host domains. Organisation accounts use the "pro" hosts.
constexpr ZohoRegion zoho_regions[] = {
    {"", "zoho.com", N_("United States (zoho.com)")},
    {"-eu", "zoho.eu", N_("Europe (zoho.eu)")},
    {"-in", "zoho.in", N_("India (zoho.in)")},
    {"-au", "zoho.com.au", N_("Australia (zoho.com.au)")},
    {"-jp", "zoho.jp", N_("Japan (zoho.jp)")},
    {"-cn", "zoho.com.cn", N_("China (zoho.com.cn)")},
    {"-sa", "zoho.sa", N_("Saudi Arabia (zoho.sa)")},
    {"-ca", "zohocloud.ca", N_("Canada (zohocloud.ca)")},
};

std::vector<WebPolicy> zoho_policies(const std::string& web) {
    std::string settings = "https://mail." + web + " > Settings > Mail Accounts";
    return {
        {tr("IMAP access on or off"), settings + " > IMAP", "imap"},
        {tr("IMAP auto-expunge of deleted mail"), settings + " > IMAP > Auto-Expunge", ""},
        {tr("which folders IMAP shows"), settings + " > IMAP > Folder configuration", ""},
        {tr("POP access on or off"), settings + " > POP", "pop"},
        {tr("POP downloads all mail or only mail from now on"), settings + " > POP > POP Download Options", ""},
        {tr("include Spam in POP download"), settings + " > POP", ""},
        {tr("what the server does after POP download (keep, mark read, delete, move to Trash)"),
         settings + " > POP > Action after download", ""},
    };
}

Preset zoho(const ZohoRegion& region, bool organisation) {
    std::string domain = region.domain;
    Preset p;
    p.name = std::string(organisation ? "zoho-org" : "zoho") + region.suffix;
    // TRANSLATORS: {} is a Zoho data centre, e.g. "Europe (zoho.eu)"
    p.description = organisation ? tr("Zoho Mail organisation (own domain), {}", translate(region.label))
                                 // TRANSLATORS: {} is a Zoho data centre, e.g. "Europe (zoho.eu)"
                                 : tr("Zoho Mail personal, {}", translate(region.label));
    std::string pro = organisation ? "pro" : "";
    p.imap = {"imap" + pro + "." + domain, 993, "tls"};
    p.pop = {"pop" + pro + "." + domain, 995, "tls"};
    p.smtp = {"smtp." + domain, 465, "tls"};
    p.smtp_alternate_port = 587;
    p.files_sent_mail = true;
    p.sent_folder = "Sent";
    p.drafts_folder = "Drafts";
    p.junk_folder = "Spam";
    p.trash_folder = "Trash";
    p.password_note = tr("accounts with two-factor authentication need an application-specific password "
                         "(https://accounts.{} > Security > App Passwords)",
                         domain);
    p.web_policies = zoho_policies(domain);
    p.imap_connections = 5;
    p.notes = {tr("Zoho files mail sent over SMTP into Sent itself: a client copy would make a duplicate"),
               tr("IMAP and POP access must be enabled in Zoho's web settings before a client can log in")};
    return p;
}

Preset simple(std::string name, std::string description, PresetServer imap, PresetServer pop,
              PresetServer smtp, int alternate, bool files_sent, std::vector<std::string> folders) {
    Preset p;
    p.name = std::move(name);
    p.description = std::move(description);
    p.imap = std::move(imap);
    p.pop = std::move(pop);
    p.smtp = std::move(smtp);
    p.smtp_alternate_port = alternate;
    p.files_sent_mail = files_sent;
    p.sent_folder = folders.at(0);
    p.drafts_folder = folders.at(1);
    p.junk_folder = folders.at(2);
    p.trash_folder = folders.at(3);
    if (folders.size() > 4) p.archive_folder = folders.at(4);
    return p;
}

Preset gmail_preset() {
    Preset gmail = simple("gmail", tr("Gmail and Google Workspace"), {"imap.gmail.com", 993, "tls"},
                          {"pop.gmail.com", 995, "tls"}, {"smtp.gmail.com", 465, "tls"}, 587, true,
                          {"[Gmail]/Sent Mail", "[Gmail]/Drafts", "[Gmail]/Spam", "[Gmail]/Trash",
                           "[Gmail]/All Mail"});
    gmail.password_note = tr("accounts with 2-Step Verification need an app password "
                             "(https://myaccount.google.com/apppasswords), or use OAuth2 (auth.mechanism xoauth2)");
    // Google returns a refresh token only with access_type=offline, and again only with prompt=consent
    gmail.oauth2 = {"https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
                    "https://oauth2.googleapis.com/device/code", "https://mail.google.com/",
                    {{"access_type", "offline"}, {"prompt", "consent"}}};
    gmail.web_policies = {
        {tr("IMAP access (always on since 2025) and which labels IMAP shows"),
         "https://mail.google.com > Settings > Labels > Show in IMAP", "imap"},
        {tr("POP for all mail or only mail from now on"),
         "https://mail.google.com > Settings > Forwarding and POP/IMAP", ""},
        {tr("what Gmail does after POP download (keep, mark read, archive, delete)"),
         "https://mail.google.com > Settings > Forwarding and POP/IMAP", ""},
        {tr("IMAP auto-expunge"), "https://mail.google.com > Settings > Forwarding and POP/IMAP", ""}};
    gmail.notes = {tr("Gmail files mail sent over SMTP into Sent Mail itself: a client copy would make a duplicate"),
                   tr("labels appear as folders; one message in several labels appears in several folders")};
    return gmail;
}

Preset outlook_preset() {
    Preset outlook = simple("outlook", tr("Outlook.com, Hotmail and Microsoft 365"),
                            {"outlook.office365.com", 993, "tls"}, {"outlook.office365.com", 995, "tls"},
                            {"smtp.office365.com", 587, "starttls"}, 0, true,
                            {"Sent Items", "Drafts", "Junk Email", "Deleted Items", "Archive"});
    outlook.auth_mechanism = "xoauth2";
    outlook.password_note = tr("Microsoft turned off password login for IMAP, POP and SMTP: set oauth2.client_id "
                               "and run 'zmail settings login ACCOUNT' (see zmail-settings(1))");
    const std::string microsoft = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/";
    outlook.oauth2 = {microsoft + "authorize", microsoft + "token", microsoft + "devicecode",
                      "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All "
                      "https://outlook.office.com/SMTP.Send offline_access",
                      {}};
    outlook.web_policies = {{tr("POP access and whether POP may delete mail"),
                             "https://outlook.live.com > Settings > Mail > Forwarding and IMAP", "pop"}};
    outlook.notes = {tr("Outlook files mail sent over SMTP into Sent Items itself")};
    return outlook;
}

Preset yahoo_preset() {
    Preset yahoo = simple("yahoo", "Yahoo Mail", {"imap.mail.yahoo.com", 993, "tls"},
                          {"pop.mail.yahoo.com", 995, "tls"}, {"smtp.mail.yahoo.com", 465, "tls"}, 587, false,
                          {"Sent", "Draft", "Bulk", "Trash", "Archive"});
    yahoo.password_note =
        tr("Yahoo needs an app password for mail clients (Account Security > Generate app password)");
    return yahoo;
}

Preset icloud_preset() {
    Preset icloud = simple("icloud", tr("iCloud Mail (no POP)"), {"imap.mail.me.com", 993, "tls"}, {},
                           {"smtp.mail.me.com", 587, "starttls"}, 0, false,
                           {"Sent Messages", "Drafts", "Junk", "Deleted Messages", "Archive"});
    icloud.password_note =
        tr("iCloud needs an app-specific password (https://appleid.apple.com > Sign-In and Security)");
    icloud.notes = {tr("iCloud offers no POP access"), tr("the IMAP user name is the part before @icloud.com")};
    return icloud;
}

Preset fastmail_preset() {
    Preset fastmail = simple("fastmail", "Fastmail", {"imap.fastmail.com", 993, "tls"},
                             {"pop.fastmail.com", 995, "tls"}, {"smtp.fastmail.com", 465, "tls"}, 587, false,
                             {"Sent", "Drafts", "Spam", "Trash", "Archive"});
    fastmail.password_note = tr("Fastmail needs an app password for mail clients (Settings > Privacy & Security)");
    return fastmail;
}

Preset qq_preset() {
    Preset qq = simple("qq", "QQ Mail", {"imap.qq.com", 993, "tls"}, {"pop.qq.com", 995, "tls"},
                       {"smtp.qq.com", 465, "tls"}, 587, true,
                       {"Sent Messages", "Drafts", "Junk", "Deleted Messages"});
    qq.password_note = tr("QQ Mail needs an authorisation code (授权码), not the QQ password "
                          "(mail.qq.com > 设置 > 账户 > POP3/IMAP/SMTP服务)");
    qq.web_policies = {{tr("POP3/IMAP/SMTP service on or off, and which mail POP downloads"),
                        "https://mail.qq.com > 设置 > 账户", ""},
                       {tr("whether mail sent over SMTP is saved on the server (保存到已发送)"),
                        "https://mail.qq.com > 设置 > 账户", ""}};
    return qq;
}

Preset netease_preset(const char* service) {
    std::string domain = std::string(service) + ".com";
    Preset netease = simple(std::string("netease-") + service, "NetEase " + domain,
                            {"imap." + domain, 993, "tls"}, {"pop." + domain, 995, "tls"},
                            {"smtp." + domain, 465, "tls"}, 0, false, {"已发送", "草稿箱", "垃圾邮件", "已删除"});
    netease.imap_id_required = true;
    netease.password_note = tr("NetEase needs a client authorisation code (授权码), not the web password");
    netease.web_policies = {{tr("IMAP/SMTP and POP3/SMTP service on or off"),
                             "https://mail." + domain + " > 设置 > POP3/SMTP/IMAP", ""}};
    netease.notes = {tr("NetEase refuses IMAP SELECT (\"Unsafe Login\") unless the client sends the ID command")};
    return netease;
}

std::vector<Preset> make_builtin_presets() {
    std::vector<Preset> all;
    for (bool organisation : {false, true})
        for (const auto& region : zoho_regions) all.push_back(zoho(region, organisation));

    // connections per account: Gmail documents 15, Exchange Online 16 (per mailbox); for the others
    // a number well below what their clients are seen to use
    const std::pair<Preset, int> providers[] = {{gmail_preset(), 15},  {outlook_preset(), 16}, {yahoo_preset(), 5},
                                                {icloud_preset(), 5},  {fastmail_preset(), 10}, {qq_preset(), 5},
                                                {netease_preset("163"), 4}, {netease_preset("126"), 4}};
    for (auto [preset, connections] : providers) {
        preset.imap_connections = connections;
        all.push_back(std::move(preset));
    }

    Preset custom;
    custom.name = "custom";
    custom.description = tr("any other provider: give --imap, --pop and --smtp");
    all.push_back(custom);
    return all;
}

PresetServer server_from_json(const nlohmann::json& value, const std::string& where) {
    PresetServer s;
    if (!value.is_object()) throw Error(ErrorKind::Config, tr("invalid preset: '{}' must be an object", where));
    for (auto& [key, item] : value.items()) {
        if (key == "host" && item.is_string()) s.host = item.get<std::string>();
        else if (key == "port" && item.is_number_integer()) s.port = item.get<int>();
        else if (key == "security" && item.is_string() &&
                 (item == "tls" || item == "starttls" || item == "none")) s.security = item.get<std::string>();
        else throw Error(ErrorKind::Config, tr("invalid preset key '{}.{}'", where, key),
                         tr("allowed: host (string), port (number), security (tls, starttls, none)"));
    }
    return s;
}

}  // namespace

const std::vector<Preset>& builtin_presets() {
    static const std::vector<Preset> presets = make_builtin_presets();
    return presets;
}

std::optional<Preset> find_preset(const std::vector<Preset>& presets, const std::string& name) {
    for (const auto& p : presets)
        if (p.name == name) return p;
    return std::nullopt;
}

nlohmann::json preset_to_json(const Preset& p) {
    auto server = [](const PresetServer& s) -> nlohmann::json {
        if (s.host.empty()) return nullptr;
        return {{"host", s.host}, {"port", s.port}, {"security", s.security}};
    };
    nlohmann::json policies = nlohmann::json::array();
    for (const auto& w : p.web_policies) policies.push_back({{"policy", w.policy}, {"where", w.where}});
    nlohmann::json folders = nlohmann::json::object();
    auto add_folder = [&](const char* role, const std::string& name) {
        if (!name.empty()) folders[role] = name;
    };
    add_folder("sent", p.sent_folder);
    add_folder("drafts", p.drafts_folder);
    add_folder("junk", p.junk_folder);
    add_folder("trash", p.trash_folder);
    add_folder("archive", p.archive_folder);
    nlohmann::json j = {{"name", p.name},
                        {"description", p.description},
                        {"imap", server(p.imap)},
                        {"pop", server(p.pop)},
                        {"smtp", server(p.smtp)},
                        {"files_sent_mail", p.files_sent_mail},
                        {"folders", folders},
                        {"imap_id_required", p.imap_id_required},
                        {"auth_mechanism", p.auth_mechanism},
                        {"web_policies", policies},
                        {"notes", p.notes}};
    if (p.smtp_alternate_port) j["smtp_alternate_port"] = p.smtp_alternate_port;
    if (!p.password_note.empty()) j["password_note"] = p.password_note;
    if (p.imap_connections > 0) j["imap_connections"] = p.imap_connections;
    if (p.oauth2.configured()) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [k, v] : p.oauth2.authorize_params) params[k] = v;
        j["oauth2"] = {{"authorize_url", p.oauth2.authorize_url}, {"token_url", p.oauth2.token_url},
                       {"device_url", p.oauth2.device_url}, {"scope", p.oauth2.scope},
                       {"authorize_params", params}};
    }
    return j;
}

Preset preset_from_json(const std::string& name, const nlohmann::json& value, const std::string& where) {
    if (!value.is_object()) throw Error(ErrorKind::Config, tr("invalid preset '{}': must be an object", where));
    Preset p;
    p.name = name;
    auto text = [&](const std::string& key, const nlohmann::json& item) {
        if (!item.is_string())
            throw Error(ErrorKind::Config, tr("invalid preset key '{}.{}': must be a string", where, key));
        return item.get<std::string>();
    };
    for (auto& [key, item] : value.items()) {
        if (key == "description") p.description = text(key, item);
        else if (key == "imap") p.imap = server_from_json(item, where + ".imap");
        else if (key == "pop") p.pop = server_from_json(item, where + ".pop");
        else if (key == "smtp") p.smtp = server_from_json(item, where + ".smtp");
        else if (key == "smtp_alternate_port" && item.is_number_integer()) p.smtp_alternate_port = item.get<int>();
        else if (key == "files_sent_mail" && item.is_boolean()) p.files_sent_mail = item.get<bool>();
        else if (key == "imap_id_required" && item.is_boolean()) p.imap_id_required = item.get<bool>();
        else if (key == "imap_connections" && item.is_number_integer()) p.imap_connections = item.get<int>();
        else if (key == "auth_mechanism") p.auth_mechanism = text(key, item);
        else if (key == "password_note") p.password_note = text(key, item);
        else if (key == "oauth2" && item.is_object()) {
            for (auto& [k, v] : item.items()) {
                if (k == "authorize_url") p.oauth2.authorize_url = text("oauth2." + k, v);
                else if (k == "token_url") p.oauth2.token_url = text("oauth2." + k, v);
                else if (k == "device_url") p.oauth2.device_url = text("oauth2." + k, v);
                else if (k == "scope") p.oauth2.scope = text("oauth2." + k, v);
                else if (k == "authorize_params" && v.is_object()) {
                    for (auto& [pk, pv] : v.items()) p.oauth2.authorize_params.emplace_back(pk, text("oauth2." + pk, pv));
                } else {
                    throw Error(ErrorKind::Config, tr("invalid preset key '{}.{}'", where, "oauth2." + k),
                                tr("allowed: {}", "authorize_url, token_url, device_url, scope, authorize_params"));
                }
            }
        }
        else if (key == "folders" && item.is_object()) {
            for (auto& [role, folder] : item.items()) {
                std::string f = text("folders." + role, folder);
                if (role == "sent") p.sent_folder = f;
                else if (role == "drafts") p.drafts_folder = f;
                else if (role == "junk") p.junk_folder = f;
                else if (role == "trash") p.trash_folder = f;
                else if (role == "archive") p.archive_folder = f;
                else throw Error(ErrorKind::Config, tr("invalid preset key '{}.{}'", where, "folders." + role),
                                 tr("allowed: {}", "sent, drafts, junk, trash, archive"));
            }
        } else if (key == "notes" && item.is_array()) {
            for (auto& n : item) p.notes.push_back(text("notes", n));
        } else if (key == "name") {
            // the object key is the name
        } else {
            throw Error(ErrorKind::Config, tr("invalid preset key '{}.{}'", where, key),
                        tr("allowed: {}", "description, imap, pop, smtp, smtp_alternate_port, files_sent_mail, "
                                          "folders, imap_id_required, imap_connections, auth_mechanism, "
                                          "password_note, oauth2, notes"));
        }
    }
    return p;
}

std::vector<Preset> load_presets(const std::string& user_presets_path) {
    std::vector<Preset> presets = builtin_presets();
    std::string text;
    if (user_presets_path.empty() || !util::read_file(user_presets_path, text, true)) return presets;
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(ErrorKind::Config, tr("cannot parse presets file '{}': {}", user_presets_path, e.what()),
                    tr("fix the JSON syntax by hand"));
    }
    if (!doc.is_object() || !doc.contains("presets") || !doc["presets"].is_object())
        throw Error(ErrorKind::Config, tr("invalid presets file '{}': no \"presets\" object", user_presets_path),
                    tr("the file holds {}", "{\"presets\": {\"name\": {...}}}"));
    for (auto& [name, value] : doc["presets"].items()) {
        Preset p = preset_from_json(name, value, "presets." + name);
        bool replaced = false;
        for (auto& existing : presets)
            if (existing.name == name) { existing = p; replaced = true; }
        if (!replaced) presets.push_back(p);
    }
    return presets;
}

}  // namespace zmail::profile
