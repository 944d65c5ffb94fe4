// The error a piece of test code throws, for assertions on its kind, message and hint.
#pragma once

#include <gtest/gtest.h>

#include <exception>

#include "error.hpp"

namespace zmail::testing {

/// Runs `body`, which must throw zmail::Error, and returns that error. Records a test failure
/// (and returns an Internal error) when it throws nothing or something else.
template <class Body>
Error error_of(Body&& body) {
    try {
        body();
    } catch (const Error& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected zmail::Error, got std::exception: " << e.what();
        return Error(ErrorKind::Internal, "wrong exception");
    }
    ADD_FAILURE() << "expected zmail::Error, nothing was thrown";
    return Error(ErrorKind::Internal, "nothing thrown");
}

}  // namespace zmail::testing
