#include <stdio.h>
int main(void) {
    int unused;
    printf("hello from C\n");
    return 0;
}
