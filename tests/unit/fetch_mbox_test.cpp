// mboxrd encoding (From quoting, line ends, the separator) fed in every chunking, the From line,
// and the mbox lock against another process (fcntl and dot-lock, stale dot-locks).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "error.hpp"
#include "fetch/mbox.hpp"
#include "fetch_test_support.hpp"

namespace zmail::fetch {
namespace {

using testing::TempDir;
using testing::write_file;

std::string encode(std::string_view input, std::size_t chunk_size = 0) {
    MboxrdEncoder encoder;
    std::string out;
    if (chunk_size == 0) chunk_size = input.size() ? input.size() : 1;
    for (std::size_t i = 0; i < input.size(); i += chunk_size) encoder.encode(input.substr(i, chunk_size), out);
    encoder.finish(out);
    return out;
}

/// Checks every chunk size from 1 to the input's length gives the same result.
void expect_encoding(std::string_view input, const std::string& expected) {
    for (std::size_t size = 1; size <= std::max<std::size_t>(1, input.size()); ++size)
        ASSERT_EQ(encode(input, size), expected) << "chunk size " << size;
}

TEST(FetchMbox, QuotesFromLinesTheMboxrdWay) {
    expect_encoding("Subject: x\r\n\r\nFrom me\r\n>From you\r\n>>From them\r\n",
                    "Subject: x\n\n>From me\n>>From you\n>>>From them\n\n");
}

TEST(FetchMbox, LeavesLinesThatOnlyLookAlike) {
    expect_encoding("From: header\r\n\r\nFromage\r\n From indented\r\n>From\r\n>>Fro\r\nFro\r\nx From y\r\n>\r\nF\r\n",
                    "From: header\n\nFromage\n From indented\n>From\n>>Fro\nFro\nx From y\n>\nF\n\n");
}

TEST(FetchMbox, LineEndsBecomeLfAndLoneCarriageReturnsStay) {
    expect_encoding("a\r\nb\rc\r\n\r\r\n", "a\nb\rc\n\r\n\n");
    expect_encoding("ends with cr\r", "ends with cr\r\n\n");
}

TEST(FetchMbox, EveryMessageEndsWithALineEndAndABlankLine) {
    expect_encoding("no final line end", "no final line end\n\n");
    expect_encoding("Subject: x\r\n", "Subject: x\n\n");
    expect_encoding("", "\n");
    expect_encoding("From", "From\n\n");
    expect_encoding(">>", ">>\n\n");
}

TEST(FetchMbox, EncoderIsReusableAfterFinish) {
    MboxrdEncoder encoder;
    std::string out;
    encoder.encode("a\r", out);
    encoder.finish(out);
    encoder.encode("From b\r\n", out);
    encoder.finish(out);
    EXPECT_EQ(out, "a\r\n\n>From b\n\n");
}

TEST(FetchMbox, JapaneseAndChineseBytesPassUnchanged) {
    const std::string text = "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n\r\n"
                             "\x1b$BF|K\\8l\x1b(B\r\n中文邮件 GB18030: \xd6\xd0\xce\xc4\r\nFrom 北京\r\n";
    std::string expected = testing::lf(text);
    expected.replace(expected.find("From 北京"), 4, ">From");
    expect_encoding(text, expected + "\n");
}

TEST(FetchMbox, FromLineHasTheAsctimeLayout) {
    std::tm tm {};
    tm.tm_year = 2025 - 1900;
    tm.tm_mon = 0;
    tm.tm_mday = 5;
    tm.tm_hour = 7;
    tm.tm_min = 8;
    tm.tm_sec = 9;
    tm.tm_isdst = -1;
    const std::time_t when = std::mktime(&tm);
    EXPECT_EQ(mbox_from_line(when), "From MAILER-DAEMON Sun Jan  5 07:08:09 2025\n");
}

/// A child process that holds an fcntl lock on `path` until killed.
class LockHolder {
public:
    explicit LockHolder(const std::string& path) {
        int ready[2];
        if (::pipe(ready) != 0) throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
            struct flock lock {};
            lock.l_type = F_WRLCK;
            lock.l_whence = SEEK_SET;
            if (fd < 0 || ::fcntl(fd, F_SETLK, &lock) != 0) ::_exit(1);
            if (::write(ready[1], "x", 1) != 1) ::_exit(1);
            ::pause();
            ::_exit(0);
        }
        char byte;
        if (::read(ready[0], &byte, 1) != 1) throw std::runtime_error("lock holder failed");
        ::close(ready[0]);
        ::close(ready[1]);
    }
    ~LockHolder() { release(); }
    void release() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

TEST(FetchMbox, LockHeldByAnotherProcessGivesUpAfterTheWaitNamingIt) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    LockHolder holder(mbox);
    const auto started = std::chrono::steady_clock::now();
    try {
        MboxLock lock(mbox, 1);
        FAIL() << "locked a locked mbox";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Temporary);
        EXPECT_NE(std::string(e.what()).find("cannot lock mbox '" + mbox + "'"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(holder.pid())), std::string::npos);
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
    EXPECT_FALSE(std::filesystem::exists(mbox + ".lock"));  // our dot-lock was given back
    holder.release();
    MboxLock lock(mbox, 0);
    EXPECT_TRUE(std::filesystem::exists(mbox + ".lock"));
}

TEST(FetchMbox, LockWaitsForTheOtherWriterToFinish) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    LockHolder holder(mbox);
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        holder.release();
    });
    EXPECT_NO_THROW(MboxLock(mbox, 5));
    releaser.join();
}

TEST(FetchMbox, FreshDotLockBlocksAndAStaleOneIsRemoved) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    // held by a live process (this one's parent, which outlives the test)
    const std::string parent = std::to_string(::getppid());
    write_file(mbox + ".lock", parent + "\n");
    try {
        MboxLock lock(mbox, 0);
        FAIL() << "ignored a fresh dot-lock";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Temporary);
        EXPECT_NE(std::string(e.what()).find("pid " + parent), std::string::npos);
    }
    // written by another program, without a pid
    write_file(mbox + ".lock", "");
    EXPECT_THROW(MboxLock(mbox, 0), Error);
    EXPECT_TRUE(std::filesystem::exists(mbox + ".lock"));  // not ours to remove
    const struct timeval old[2] = {{std::time(nullptr) - 600, 0}, {std::time(nullptr) - 600, 0}};
    ASSERT_EQ(::utimes((mbox + ".lock").c_str(), old), 0);
    {
        MboxLock lock(mbox, 0);
        EXPECT_EQ(testing::read_file(mbox + ".lock"), std::to_string(::getpid()) + "\n");
    }
    EXPECT_FALSE(std::filesystem::exists(mbox + ".lock"));
}

TEST(FetchMbox, DotLockOfAKilledProcessIsTakenOver) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);  // its pid is free now
    write_file(mbox + ".lock", std::to_string(child) + "\n");
    MboxLock lock(mbox, 0);
    EXPECT_EQ(testing::read_file(mbox + ".lock"), std::to_string(::getpid()) + "\n");
}

TEST(FetchMbox, DotLockNeverAppearsWithoutItsPidAndLeftoversAreRemoved) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    // what a run killed between writing its pid and linking it to the lock's name leaves
    const std::string leftover = mbox + ".lock.zmail." + std::to_string(child);
    write_file(leftover, std::to_string(child) + "\n");
    const struct timeval old[2] = {{std::time(nullptr) - 600, 0}, {std::time(nullptr) - 600, 0}};
    ASSERT_EQ(::utimes(leftover.c_str(), old), 0);
    // a recent one may belong to a process on another host sharing the directory: kept
    const std::string recent = mbox + ".lock.zmail.999999999";
    write_file(recent, "999999999\n");
    const std::string live = mbox + ".lock.zmail." + std::to_string(::getppid());  // a live process's
    write_file(live, std::to_string(::getppid()) + "\n");
    {
        MboxLock lock(mbox, 0);
        EXPECT_EQ(testing::read_file(mbox + ".lock"), std::to_string(::getpid()) + "\n");
        EXPECT_FALSE(std::filesystem::exists(leftover));
        EXPECT_TRUE(std::filesystem::exists(recent));
        EXPECT_TRUE(std::filesystem::exists(live));
        EXPECT_FALSE(std::filesystem::exists(mbox + ".lock.zmail." + std::to_string(::getpid())));
    }
    EXPECT_FALSE(std::filesystem::exists(mbox + ".lock"));
}

TEST(FetchMbox, MissingDirectoryIsAStorageError) {
    TempDir dir;
    try {
        MboxLock lock(dir.path() + "/no/such/dir/mbox", 0);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Storage);
    }
}

}  // namespace
}  // namespace zmail::fetch
