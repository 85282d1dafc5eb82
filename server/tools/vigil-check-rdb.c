/* vigil-check-rdb - placeholder until the checker lands. */
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argc;
    fprintf(stderr, "%s: not implemented yet\n", argv[0]);
    return 2;
}
