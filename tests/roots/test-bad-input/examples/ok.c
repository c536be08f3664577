#include <stdio.h>
int main(void) { puts("c"); return 0; }
