/* HOSTILE ON PURPOSE: a C file that never finishes compiling. Each macro doubles
 * the text of the one before: A6(x) is x repeated 2**64 times. */
#define A0(x) x x
#define A1(x) A0(A0(x))
#define A2(x) A1(A1(x))
#define A3(x) A2(A2(x))
#define A4(x) A3(A3(x))
#define A5(x) A4(A4(x))
#define A6(x) A5(A5(x))

int main(void) {
    int n = 0;
    A6(n++;)
    return n;
}
