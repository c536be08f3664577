/* HOSTILE ON PURPOSE: a fork bomb. Run only through the sandbox (tests/test_hostile.py).
 * It refuses to start unless it is inside the sandbox's PID namespace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "must_be_boxed.h"

int main(void) {
    must_be_boxed();
    printf("forking forever\n");
    fflush(stdout);
    for (;;)
        fork();
}
