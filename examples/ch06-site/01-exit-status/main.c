// An ordinary failure: the program says what went wrong and exits with status 1.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    FILE *f = fopen("settings.conf", "r");
    if (f == NULL) {
        perror("settings.conf");
        return EXIT_FAILURE;
    }
    fclose(f);
    return EXIT_SUCCESS;
}
