#include <stdio.h>
int main(void) {
    printf("about to fail\n");
    return 1;
}
