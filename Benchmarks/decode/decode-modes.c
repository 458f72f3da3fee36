// What cheaper decoding would save: decodes a list of JPEGs to RGB and straight to grey (the Y
// plane: no chroma IDCT, upsampling or colour conversion), or a list of WebPs to RGB and to
// YUV planes (no upsampling or conversion), one thread, best of 3 rounds. Both cheaper modes
// change the pixels PDQ sees, so triage does not use them; this measures what they would buy
// (Benchmarks/README.md, "The decoders' floor").
//
//   gcc -O2 Benchmarks/decode/decode-modes.c -o /tmp/decode-modes -lturbojpeg -lwebp
//   (cd TREE && find . -iname '*.jpg' -o -iname '*.jpeg' | head -5000) > /tmp/jpegs.txt
//   (cd TREE && /tmp/decode-modes /tmp/jpegs.txt jpeg)      # paths relative to TREE
//   (cd TREE && find . -iname '*.webp') > /tmp/webps.txt; (cd TREE && /tmp/decode-modes /tmp/webps.txt webp)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>
#include <webp/decode.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static unsigned char *slurp(const char *p, long *n) { FILE *f = fopen(p, "rb"); if (!f) return 0; fseek(f, 0, SEEK_END); *n = ftell(f); rewind(f); unsigned char *b = malloc(*n); fread(b, 1, *n, f); fclose(f); return b; }
int main(int argc, char **argv) {
    // argv[1]: a file of paths, one per line; argv[2]: jpeg or webp
    FILE *l = fopen(argv[1], "r"); char line[4096]; int count = 0;
    unsigned char *bufs[20000]; long sizes[20000];
    while (fgets(line, sizeof line, l) && count < 20000) { line[strcspn(line, "\n")] = 0; bufs[count] = slurp(line, &sizes[count]); if (bufs[count]) count++; }
    unsigned char *out = malloc(64 << 20);
    for (int mode = 0; mode < 2; mode++) {
        double best = 1e9;
        for (int round = 0; round < 3; round++) {
            double t0 = now();
            for (int i = 0; i < count; i++) {
                if (!strcmp(argv[2], "jpeg")) {
                    tjhandle h = tjInitDecompress(); int w, hh, ss, cs;
                    if (tjDecompressHeader3(h, bufs[i], sizes[i], &w, &hh, &ss, &cs) == 0)
                        tjDecompress2(h, bufs[i], sizes[i], out, w, 0, hh, mode ? TJPF_GRAY : TJPF_RGB, 0);
                    tjDestroy(h);
                } else {
                    int w, hh; WebPGetInfo(bufs[i], sizes[i], &w, &hh);
                    if (mode == 0) WebPDecodeRGBInto(bufs[i], sizes[i], out, 64 << 20, w * 3);
                    else { WebPDecodeYUVInto(bufs[i], sizes[i], out, 32 << 20, w, out + (32 << 20), 16 << 20, (w + 1) / 2, out + (48 << 20), 16 << 20, (w + 1) / 2); }
                }
            }
            double t = now() - t0; if (t < best) best = t;
        }
        printf("%s %s: %d files, best of 3: %.3f s\n", argv[2], mode ? (strcmp(argv[2], "jpeg") ? "YUV planes" : "grey (Y only)") : "RGB", count, best);
    }
}
