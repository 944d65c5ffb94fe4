// Keeping secrets out of core dumps and away from other processes of the same user.
#pragma once

namespace zmail::util {

/// Sets RLIMIT_CORE to 0 and makes the process non-dumpable (PR_SET_DUMPABLE 0: no core file,
/// no ptrace attach, /proc/PID/mem closed to the user's other processes). Called before a
/// password or token is read; idempotent. Under AddressSanitizer only the limit is set: its leak
/// checker attaches to the process with ptrace, which a non-dumpable process refuses.
void no_core_dumps();

}  // namespace zmail::util
