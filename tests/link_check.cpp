// Linked with every object of the libcurl-free libraries and without libcurl (tests/CMakeLists.txt):
// that it links at all is the check.
#include <cstdio>

int main() {
    std::puts("the codec libraries link without libcurl");
    return 0;
}
