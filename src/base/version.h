/* What build this is: the release and the commit it was built from. */
#ifndef CDCPACK_VERSION_H
#define CDCPACK_VERSION_H

/* "0.1.0 (commit 1a2b3c4d5e6f)": the commit as git named it when the build
 * ran (with "-dirty" when the tree had changes), from the file COMMIT in a
 * tree without git, else "unknown". Not for anything that must be the same
 * bytes across builds (archives). */
const char *cdcpack_version(void);

#endif
