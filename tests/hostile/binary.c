/* HOSTILE ON PURPOSE: binary output: every byte value, invalid UTF-8, NULs. */
#include <unistd.h>

int main(void) {
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char)i;
    const unsigned char invalid[] = {0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1,
                                     0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80, '\n'};
    if (write(1, "before\n", 7) < 0 || write(1, all, sizeof all) < 0 ||
        write(1, invalid, sizeof invalid) < 0 || write(1, "after\n", 6) < 0)
        return 1;
    return 0;
}
