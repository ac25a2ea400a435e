#include <stdio.h>
int main(void) { puts("yunwei " YW_VERSION); return 0; }
