/* Shared by the libFuzzer harnesses in tests/fuzz/: the entry point's
 * prototype (the project builds with -Wmissing-prototypes) and a scratch
 * directory per process for the readers that take a path. */
#ifndef CDCPACK_FUZZ_H
#define CDCPACK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory under $TMPDIR (or /tmp), made on first use and removed
 * at exit: harnesses write their input there, never next to the corpus. */
const char *fuzz_scratch_dir(void);
/* Replaces the file at path with data[0..size). Aborts on I/O errors: a
 * harness that cannot write its input would fuzz nothing. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
/* Reads every byte of a value the reader handed out, so ASan sees a bad pointer. */
unsigned fuzz_touch(const void *p, size_t n);

#endif
